import { DealflowError } from '@dealflow/logic';
import type { Directory, Rep } from '../directory/types.js';
import type { Strategy } from './schema.js';
import type { CompiledRule, RuleCompiler } from './rules.js';
import { isAvailable } from '../rotation/stable.js';
import type { CompiledAssignmentRule } from './compile.js';
import type { RuleExplanation } from './assigner.js';

/** Reads a rep attribute: top-level `region`/`role`/`id`, else `attributes[name]`. */
function repAttribute(rep: Rep, name: string): unknown {
  if (name === 'region') return rep.region ?? rep.attributes?.region;
  if (name === 'roles' || name === 'role') return rep.roles ?? rep.attributes?.[name];
  if (name === 'id') return rep.id;
  if (name === 'teamIds' || name === 'team') return rep.teamIds ?? [];
  return rep.attributes?.[name];
}

function norm(v: unknown): unknown {
  return typeof v === 'string' ? v.trim().toLowerCase() : v;
}

function hasValue(repValue: unknown, w: unknown): boolean {
  if (repValue === w) return true;
  if (Array.isArray(repValue)) {
    for (const x of repValue) if (x === w || norm(x) === w) return true;
    return false;
  }
  return norm(repValue) === w;
}

/** Attribute match: equal, or lists that share a value (case-insensitive for strings). */
export function attributeMatches(repValue: unknown, wanted: unknown): boolean {
  if (wanted === null || wanted === undefined) return true; // nothing asked
  if (Array.isArray(wanted)) {
    for (const w of wanted) if (hasValue(repValue, norm(w))) return true;
    return false;
  }
  return hasValue(repValue, norm(wanted));
}

function byRepId(a: Rep, b: Rep): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Whether a directory answered with a promise (the in-memory one answers at once). */
export function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

/** A strategy that draws from reps (a team, a list, or everyone matching). */
export type RepStrategy = Strategy & { strategy: 'roundRobin' | 'leastLoaded' };

/** Who a strategy may pick: the reps it draws from and the filter (active, availability, `match`). */
export interface Candidates {
  /** The reps a strategy draws from: synchronous when the directory is (the in-memory one is). */
  pool(compiledRule: CompiledAssignmentRule | null, strategy: RepStrategy): Rep[] | Promise<Rep[]>;
  /** The eligible reps, sorted by id; the others are noted in `trace` with the reason. */
  filterCandidates(compiledRule: CompiledAssignmentRule | null, strategy: RepStrategy, reps: Rep[], data: unknown, exclude: ReadonlySet<string>, trace: RuleExplanation['candidates'], now?: string): Rep[];
}

/**
 * The candidate reps of assignment strategies, over a directory.
 *
 * @example
 * ```ts
 * const c = createCandidates(directory, compiler)
 * const eligible = c.filterCandidates(null, strategy, await c.pool(null, strategy), data, new Set(), undefined, now)
 * ```
 */
export function createCandidates(directory: Directory, compiler: RuleCompiler): Candidates {
  function noTeam(compiledRule: CompiledAssignmentRule | null, teamId: string): never {
    throw new DealflowError('NOT_FOUND', `Assignment${compiledRule ? ` rule '${compiledRule.rule.id}'` : ''} names team '${teamId}', which is not in the directory`, { details: { teamId, ruleId: compiledRule?.rule.id } });
  }
  function keepReps(all: Array<Rep | null>): Rep[] {
    const out: Rep[] = [];
    for (const r of all) if (r) out.push(r);
    return out;
  }
  function fromIds(ids: readonly string[]): Rep[] | Promise<Rep[]> {
    const out: Rep[] = [];
    for (let i = 0; i < ids.length; i++) {
      const r = directory.getRep(ids[i]!);
      if (isPromise(r)) return Promise.all(ids.map((id) => directory.getRep(id))).then(keepReps);
      if (r) out.push(r);
    }
    return out;
  }
  /** The reps a strategy draws from: synchronous when the directory is (the in-memory one is). */
  function pool(compiledRule: CompiledAssignmentRule | null, strategy: RepStrategy): Rep[] | Promise<Rep[]> {
    if (strategy.reps) return fromIds(strategy.reps);
    if (strategy.team) {
      const t = directory.getTeam(strategy.team);
      if (isPromise(t)) return t.then((team) => (team ? fromIds(team.memberIds) : noTeam(compiledRule, strategy.team!)));
      return t ? fromIds(t.memberIds) : noTeam(compiledRule, strategy.team);
    }
    const all = directory.listReps();
    return isPromise(all) ? all.then((a) => Array.from(a)) : Array.from(all);
  }

  function filterCandidates(compiledRule: CompiledAssignmentRule | null, strategy: RepStrategy, reps: Rep[], data: unknown, exclude: ReadonlySet<string>, trace: RuleExplanation['candidates'], now?: string): Rep[] {
    reps.sort(byRepId);
    const match = compiledRule?.match ?? adhocMatch(strategy);
    const values: unknown[] = new Array(match.length);
    for (let i = 0; i < match.length; i++) values[i] = match[i]!.value(data);
    const out: Rep[] = [];
    for (const rep of reps) {
      let reason = '';
      if (rep.active === false) reason = 'inactive';
      else if (exclude.has(rep.id)) reason = 'excluded';
      else if (rep.availability && now !== undefined && !isAvailable(rep, now)) reason = 'outside availability window';
      else {
        for (let i = 0; i < match.length; i++) {
          if (!attributeMatches(repAttribute(rep, match[i]!.attribute), values[i])) {
            reason = `${match[i]!.attribute} does not match ${JSON.stringify(values[i])}`;
            break;
          }
        }
      }
      if (reason) trace?.push({ repId: rep.id, eligible: false, reason });
      else out.push(rep);
    }
    return out;
  }

  const adhoc = new WeakMap<object, Array<{ attribute: string; value: CompiledRule }>>();
  /** Compiled `match` of a strategy given at run time (escalation, handover), compiled once. */
  function adhocMatch(strategy: RepStrategy): Array<{ attribute: string; value: CompiledRule }> {
    let m = adhoc.get(strategy);
    if (!m) {
      m = Object.entries(strategy.match ?? {}).map(([attribute, value]) => ({ attribute, value: compiler.compile(value, `$.match.${attribute}`) }));
      adhoc.set(strategy, m);
    }
    return m;
  }
  return { pool, filterCandidates };
}
