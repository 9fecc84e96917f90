import type { StorageTx } from '../storage/types.js';
import type { Directory, Rep } from '../directory/types.js';
import type { AssignmentConfig, AssignmentRule, Strategy } from './schema.js';
import { truthy } from './rules.js';
import type { RuleCompiler } from './rules.js';
import { ruleData } from './context.js';
import type { RecordLike } from './context.js';
import { markServed, markServedWeighted, rotationOrder, weightedOrder } from '../rotation/stable.js';
import { compileAssignment } from './compile.js';
import type { CompiledAssignmentRule } from './compile.js';
import { createCapacity } from './capacity.js';
import { createCandidates, isPromise } from './candidates.js';

export { attributeMatches } from './candidates.js';

/** The store operations assignment needs (a subset of {@link StorageTx}). */
export type AssignmentStore = Pick<StorageTx, 'countRecords' | 'incrementCounter' | 'getCounter' | 'setCounter'>;

/** The outcome of assignment: who gets the record, by which rule. */
export interface AssignmentDecision {
  /** The rule that matched (null when no rule could place the record). */
  ruleId: string | null;
  /** Position of that rule in `assignment.rules` (0-based), or null. */
  ruleIndex: number | null;
  /** The strategy that placed the record (`owner`, `roundRobin`, `leastLoaded`, `pool`), or null. */
  strategy: Strategy['strategy'] | null;
  /** New owner, or null (pool / unassigned). */
  ownerId: string | null;
  /** Team of the record after assignment (the strategy's team, the pool, or the owner's first team). */
  teamId: string | null;
  /** The pool the record goes to, for the `pool` strategy. */
  poolId: string | null;
  /** Round-robin turn number taken from the shared cursor, if any. */
  turn: number | null;
  /** Human-readable why. */
  reason: string;
}

/** Why one rule did or did not place the record (see `explainAssignment`). */
export interface RuleExplanation {
  /** The rule's id. */
  ruleId: string;
  /** Its position in `assignment.rules` (0-based). */
  index: number;
  /** Whether the rule's `when` held. */
  conditionHeld: boolean;
  /** For a condition that failed: the first failing part of an `and` (or the whole rule). */
  failedCondition?: unknown;
  /** Whether the strategy found an owner or pool. */
  resolved: boolean;
  /** Why, in words: the failed condition, the strategy's choice, or why it found nobody. */
  reason: string;
  /** Candidates considered, with why each was rejected (empty reason = eligible). */
  candidates?: Array<{
    /** The candidate rep. */
    repId: string;
    /** Whether the rep could take the record. */
    eligible: boolean;
    /** Why not (`inactive`, `at capacity (…)`, `excluded`…); empty when eligible. */
    reason: string;
    /** The rep's open records counted for capacity, when counted. */
    load?: number;
  }>;
}

/** The answer of `explainAssignment`: the decision and the trace of every rule tried. */
export interface AssignmentExplanation {
  /** What assignment would decide (computed as a dry run: no turn or capacity slot taken). */
  decision: AssignmentDecision;
  /** One entry per rule, in order. */
  rules: RuleExplanation[];
}

/** Options for one assignment run. */
export interface AssignOptions {
  /** Reps that must not receive the record (current owner on escalation, cool-down). */
  exclude?: string[];
  /** Compute without taking a turn or a capacity slot. */
  dryRun?: boolean;
  /** Collect candidate traces (explain). */
  trace?: boolean;
}

/** A compiled assignment rule set. */
export interface Assigner {
  /** The parsed assignment configuration. */
  readonly config: AssignmentConfig;
  /** Runs the rules for a record; takes the turn and capacity slot unless `dryRun`. */
  decide(store: AssignmentStore, record: RecordLike, now: string, options?: AssignOptions): Promise<AssignmentDecision & {
    /** Per rule tried, why it did or did not place the record (filled with `trace: true`). */
    trace: RuleExplanation[];
  }>;
  /** The first rule whose condition holds for the record (capacity not considered), or null. */
  matchingRule(record: RecordLike, now: string): AssignmentRule | null;
  /** Runs one strategy directly (escalation `reassign`, handover `strategy`). */
  runStrategy(store: AssignmentStore, strategy: Strategy, record: RecordLike, now: string, options?: AssignOptions & { key?: string }): Promise<AssignmentDecision>;
  /** The next active rep with capacity after `after` in the team's id order (escalation "next rep of the team"). */
  nextInTeam(store: AssignmentStore, teamId: string, after: string | null, now: string, options?: AssignOptions): Promise<AssignmentDecision>;
  /**
   * Whether a rep can take one more record now (active, under `maxOpen` and the period cap).
   * `lock`: the caller is about to give the rep a record in this transaction; concurrent callers
   * about the same rep then count one after another.
   */
  hasCapacity(store: AssignmentStore, rep: Rep, now: string, skipPeriod?: boolean, lock?: boolean): Promise<{
    /** Whether the rep can take one more record. */
    ok: boolean;
    /** Why not (`inactive`, `at capacity (3/3 open)`, `period cap reached (…)`); empty when ok. */
    reason: string;
    /** The rep's open records (0 when not counted). */
    load: number;
  }>;
}

/** Options of {@link createAssigner}. */
export interface CreateAssignerOptions {
  /** The `assignment` section as given (parsed with `assignmentConfigSchema`). */
  config: unknown;
  /** Where reps and teams come from. */
  directory: Directory;
  /** Compiles the rules' JSON-logic conditions. */
  compiler: RuleCompiler;
  /** Used for load counting when `config.openStages` is absent. */
  openStages?: string[];
  /** JSON path of the config, for error messages (default `$.assignment`). */
  path?: string;
}

/** Builds a decision as one object literal (no spread: this is the routing hot path). */
function made(base: { ruleId: string | null; ruleIndex: number | null; strategy: Strategy['strategy'] | null }, ownerId: string | null, teamId: string | null, poolId: string | null, turn: number | null, reason: string): AssignmentDecision {
  return { ruleId: base.ruleId, ruleIndex: base.ruleIndex, strategy: base.strategy, ownerId, teamId, poolId, turn, reason };
}


/**
 * Compiles assignment rules (validated with zod, conditions with `@dealflow/logic`).
 * Throws `RULE_INVALID` naming every bad rule path.
 *
 * @example
 * ```ts
 * const assigner = createAssigner({ config: { rules: [{ id: 'default', assign: { strategy: 'pool', pool: 'all' } }] }, directory, compiler });
 * ```
 */
export function createAssigner(options: CreateAssignerOptions): Assigner {
  const { config, compiled, index } = compileAssignment(options);
  const openStages = config.openStages ?? options.openStages;
  const zone = config.timeZone ?? 'UTC';
  const directory = options.directory;
  const { loadOf, quickCapacity, hasCapacity, reserve } = createCapacity(openStages, zone);
  const { pool, filterCandidates } = createCandidates(directory, options.compiler);

  const NO_EXCLUDE: ReadonlySet<string> = new Set();
  const NO_TRACE: RuleExplanation[] = Object.freeze([]) as unknown as RuleExplanation[];
  async function run(store: AssignmentStore, strategy: Strategy, compiledRule: CompiledAssignmentRule | null, record: RecordLike, now: string, opts: AssignOptions & { key?: string }, trace: RuleExplanation['candidates'], data: unknown = ruleData(record, now)): Promise<AssignmentDecision | string> {
    const exclude = opts.exclude && opts.exclude.length > 0 ? new Set(opts.exclude) : NO_EXCLUDE;
    const base = compiledRule ? compiledRule.base : { ruleId: null, ruleIndex: null, strategy: strategy.strategy };
    if (strategy.strategy === 'pool') {
      return made(base, null, strategy.pool, strategy.pool, null, `sent to pool '${strategy.pool}'`);
    }
    if (strategy.strategy === 'owner') {
      const rep = await directory.getRep(strategy.owner);
      if (!rep) return `owner '${strategy.owner}' is not in the directory`;
      if (exclude.has(rep.id)) return `owner '${rep.id}' is excluded`;
      const cap = quickCapacity(rep, !opts.dryRun && !trace) ?? (await hasCapacity(store, rep, now, !opts.dryRun && !trace, !opts.dryRun));
      trace?.push({ repId: rep.id, eligible: cap.ok, reason: cap.reason, load: cap.load });
      if (!cap.ok) return `owner '${rep.id}' is ${cap.reason}`;
      if (!opts.dryRun && !(await reserve(store, rep, now))) return `owner '${rep.id}' reached the period cap`;
      return made(base, rep.id, rep.teamIds?.[0] ?? record.teamId ?? null, null, null, `named owner '${rep.id}'`);
    }
    const drawn = pool(compiledRule, strategy);
    const reps = filterCandidates(compiledRule, strategy, isPromise(drawn) ? await drawn : drawn, data, exclude, trace, now);
    if (reps.length === 0) return 'no candidate rep (none active, matching and not excluded)';
    if (strategy.strategy === 'roundRobin') {
      const key = `assign:rr:${opts.key ?? strategy.team ?? compiledRule?.rule.id ?? 'adhoc'}`;
      const turn = opts.dryRun ? (await store.getCounter(key)) + 1 : await store.incrementCounter(key, 1);
      // stable pointer (rotation/): least recently served first, so joins, leaves and absences do not shift the others
      const weightOf = (rep: Rep): number => {
        const w = strategy.weights?.[rep.id] ?? rep.weight;
        return typeof w === 'number' && w > 0 ? w : 1;
      };
      const weighted = strategy.weights !== undefined;
      const order: Array<{ rep: Rep; lastTurn: number; pass?: number }> = weighted ? await weightedOrder(store, key, reps) : await rotationOrder(store, key, reps);
      for (let i = 0; i < order.length; i++) {
        const { rep, lastTurn, pass } = order[i]!;
        const cap = quickCapacity(rep, !opts.dryRun && !trace) ?? (await hasCapacity(store, rep, now, !opts.dryRun && !trace, !opts.dryRun));
        trace?.push({ repId: rep.id, eligible: cap.ok, reason: cap.reason, load: cap.load });
        if (!cap.ok) continue;
        if (!opts.dryRun && rep.capacity?.maxPerPeriod !== undefined && !(await reserve(store, rep, now))) continue;
        if (!opts.dryRun) {
          if (pass !== undefined) await markServedWeighted(store, key, rep.id, turn, pass, weightOf(rep));
          else await markServed(store, key, rep.id, turn);
        }
        return made(base, rep.id, strategy.team ?? rep.teamIds?.[0] ?? null, null, turn, `round robin turn ${turn} → '${rep.id}' (${pass !== undefined ? `weighted rotation, weight ${weightOf(rep)}, ` : ''}least recently served: ${lastTurn === 0 ? 'never before' : `last at turn ${lastTurn}`})${i > 0 ? ` (skipped ${i} at capacity)` : ''}`);
      }
      return `all ${reps.length} candidate reps are at capacity`;
    }
    // least loaded
    const loads = await Promise.all(reps.map(async (rep) => ({ rep, load: await loadOf(store, rep.id) })));
    const weighted = strategy.weighted === true;
    loads.sort((a, b) => {
      const la = weighted ? a.load / (a.rep.weight ?? 1) : a.load;
      const lb = weighted ? b.load / (b.rep.weight ?? 1) : b.load;
      return la - lb || (a.rep.id < b.rep.id ? -1 : a.rep.id > b.rep.id ? 1 : 0);
    });
    for (const { rep, load } of loads) {
      const cap = quickCapacity(rep, !opts.dryRun && !trace) ?? (await hasCapacity(store, rep, now, !opts.dryRun && !trace, !opts.dryRun));
      trace?.push({ repId: rep.id, eligible: cap.ok, reason: cap.reason, load });
      if (!cap.ok) continue;
      if (!opts.dryRun && rep.capacity?.maxPerPeriod !== undefined && !(await reserve(store, rep, now))) continue;
      return made(base, rep.id, strategy.team ?? rep.teamIds?.[0] ?? null, null, null, `least loaded → '${rep.id}' (${load} open${weighted ? `, weight ${rep.weight ?? 1}` : ''})`);
    }
    return `all ${reps.length} candidate reps are at capacity`;
  }

  return {
    config,
    hasCapacity,
    async nextInTeam(store, teamId, after, now, opts = {}) {
      const base = { ruleId: null, ruleIndex: null, strategy: 'roundRobin' as const, poolId: null, turn: null };
      const team = await directory.getTeam(teamId);
      if (!team) return made(base, null, teamId, null, null, `team '${teamId}' is not in the directory`);
      const ids = [...team.memberIds].sort();
      const start = after === null ? 0 : ids.filter((id) => id <= after).length;
      for (let i = 0; i < ids.length; i++) {
        const id = ids[(start + i) % ids.length]!;
        if (id === after || opts.exclude?.includes(id)) continue;
        const rep = await directory.getRep(id);
        if (!rep) continue;
        const cap = quickCapacity(rep, !opts.dryRun) ?? (await hasCapacity(store, rep, now, !opts.dryRun, !opts.dryRun));
        if (!cap.ok) continue;
        if (!opts.dryRun && rep.capacity?.maxPerPeriod !== undefined && !(await reserve(store, rep, now))) continue;
        return made(base, rep.id, teamId, null, null, `next rep of team '${teamId}' after '${after ?? '-'}' → '${rep.id}'`);
      }
      return made(base, null, teamId, null, null, `no other rep of team '${teamId}' is active with capacity`);
    },
    async runStrategy(store, strategy, record, now, opts = {}) {
      const result = await run(store, strategy, null, record, now, opts, undefined);
      if (typeof result === 'string') {
        return { ruleId: null, ruleIndex: null, strategy: strategy.strategy, ownerId: null, teamId: record.teamId ?? null, poolId: null, turn: null, reason: result };
      }
      return result;
    },
    matchingRule(record, now) {
      const data = ruleData(record, now);
      for (const c of compiled) if (!c.when || truthy(c.when(data))) return c.rule;
      return null;
    },
    async decide(store, record, now, opts = {}) {
      const data = ruleData(record, now);
      const trace: RuleExplanation[] = opts.trace ? [] : NO_TRACE;
      // explain visits every rule (to say why each did not match); routing visits only possible ones
      const visit = opts.trace ? null : index.candidates(data);
      const n = visit ? visit.length : compiled.length;
      for (let k = 0; k < n; k++) {
        const c = compiled[visit ? visit[k]! : k]!;
        const held = c.when ? truthy(c.when(data)) : true;
        if (!held) {
          if (opts.trace) {
            const failed = c.whenParts?.find((p) => !truthy(p.test(data)))?.part ?? c.rule.when;
            trace.push({ ruleId: c.rule.id, index: c.index, conditionHeld: false, failedCondition: failed, resolved: false, reason: `condition is false${c.whenParts ? `: ${JSON.stringify(failed)}` : ''}` });
          }
          continue;
        }
        const cands: RuleExplanation['candidates'] = opts.trace ? [] : undefined;
        const result = await run(store, c.rule.assign, c, record, now, opts, cands, data);
        if (typeof result === 'string') {
          if (opts.trace) trace.push({ ruleId: c.rule.id, index: c.index, conditionHeld: true, resolved: false, reason: result, candidates: cands });
          continue;
        }
        if (opts.trace) trace.push({ ruleId: c.rule.id, index: c.index, conditionHeld: true, resolved: true, reason: result.reason, candidates: cands });
        (result as AssignmentDecision & { trace: RuleExplanation[] }).trace = trace;
        return result as AssignmentDecision & { trace: RuleExplanation[] };
      }
      return { ruleId: null, ruleIndex: null, strategy: null, ownerId: null, teamId: record.teamId ?? null, poolId: null, turn: null, reason: 'no assignment rule could place the record (every matching rule had no eligible rep)', trace };
    },
  };
}
