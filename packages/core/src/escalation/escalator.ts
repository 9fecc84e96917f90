import type { Problem } from '@dealflow/logic';
import type { StorageTx, StoredRecord, TimerRecord } from '../storage/types.js';
import { compileInto, throwProblems, truthy, zodProblems } from '../assignment/rules.js';
import type { CompiledRule, RuleCompiler } from '../assignment/rules.js';
import { ruleData } from '../assignment/context.js';
import { addDuration } from '../time/durations.js';
import type { CalendarLike } from '../time/durations.js';
import { newTimer } from '../assignment/write.js';
import { defaultNewId } from '../engine/core.js';
import { writeEffects } from '../engine/writer.js';
import { escalationsConfigSchema } from './schema.js';
import type { EscalationLevel, EscalationRule } from './schema.js';

/** Timer kind of escalation timers. */
export const ESCALATION_TIMER = 'escalation';
/** Event name carried by escalation timers. */
export const ESCALATION_EVENT = 'dealflow.escalate';

/** What `record.meta.escalations[id]` holds: the last level fired for a basis. */
export interface EscalationState {
  /** The instant the chain counts from (last activity, assignment or stage entry). */
  basis: string;
  /** The last level that fired (0 = the first). */
  level: number;
  /** When it fired. */
  at: string;
}

/** Payload of an escalation timer. */
export interface EscalationTimerPayload {
  escalationId: string;
  level: number;
  basis: string;
}

/** A compiled set of escalation rules. */
export interface Escalator {
  /** The validated rules, the engine's own (pool return) included. */
  readonly rules: readonly EscalationRule[];
  /** The rule with this id, or `undefined`. */
  rule(id: string): EscalationRule | undefined;
  /** The basis time an escalation counts from for this record, or null when it does not apply. */
  basisOf(rule: EscalationRule, record: StoredRecord): string | null;
  /**
   * Brings the record's escalation timers in line with its state: schedules the next level for the
   * current basis (activity, assignment or stage entry), cancels timers of rules that no longer
   * apply. Idempotent.
   */
  schedule(tx: StorageTx, record: StoredRecord, now: string, firingTimerId?: string): Promise<void>;
  /**
   * Checks a firing: the level to run, or a `noop:` reason (stale basis, rule gone, `when` false).
   */
  check(
    record: StoredRecord,
    timer: TimerRecord,
    now: string,
  ):
    | {
        /** The rule whose timer fired. */
        rule: EscalationRule;
        /** The level to run now. */
        level: EscalationLevel;
        /** Its index in `rule.levels`. */
        levelIndex: number;
      }
    | string;
  /** Schedules level `levelIndex` of a rule from `from`. */
  scheduleLevel(tx: StorageTx, record: StoredRecord, rule: EscalationRule, levelIndex: number, basis: string, from: string, now: string): Promise<void>;
}

/** Options of {@link createEscalator}. */
export interface CreateEscalatorOptions {
  config: unknown;
  compiler: RuleCompiler;
  calendars?: Record<string, CalendarLike>;
  path?: string;
  /** Extra, engine-made rules (the pool's automatic return), already valid. */
  extra?: EscalationRule[];
  /** Id generator for the timers it schedules (default: the engine's default). */
  newId?: (prefix: string) => string;
}

/**
 * Compiles escalation rules (deadline/stage and inactivity, multi-level).
 *
 * @example
 * ```ts
 * const escalator = createEscalator({ compiler, config: [{ id: 'no-call', on: 'inactivity', levels: [{ after: 'P3D', actions: [{ reassign: 'nextInTeam' }, { notify: 'manager' }] }] }] });
 * ```
 */
export function createEscalator(options: CreateEscalatorOptions): Escalator {
  const root = options.path ?? '$.escalations';
  const newId = options.newId ?? defaultNewId;
  const parsed = escalationsConfigSchema.safeParse(options.config ?? []);
  if (!parsed.success) throwProblems('escalation rules', zodProblems(parsed.error, root));
  const rules = [...(parsed.data as EscalationRule[]), ...(options.extra ?? [])];
  const problems: Problem[] = [];
  const whens = new Map<string, CompiledRule>();
  const ids = new Set<string>();
  rules.forEach((rule, i) => {
    if (ids.has(rule.id)) problems.push({ path: `${root}[${i}].id`, message: `duplicate escalation id '${rule.id}'`, code: 'duplicate_id' });
    ids.add(rule.id);
    if (rule.when !== undefined) whens.set(rule.id, compileInto(options.compiler, rule.when, `${root}[${i}].when`, problems));
    if (rule.calendar && !options.calendars?.[rule.calendar]) {
      problems.push({ path: `${root}[${i}].calendar`, message: `escalation '${rule.id}' names calendar '${rule.calendar}', which the engine does not have`, code: 'unknown_calendar', hint: `known: ${Object.keys(options.calendars ?? {}).join(', ') || 'none'}` });
    }
  });
  throwProblems('escalation rules', problems);
  const byId = new Map(rules.map((r) => [r.id, r]));

  function basisOf(rule: EscalationRule, record: StoredRecord): string | null {
    if (rule.types && !rule.types.includes(record.type)) return null;
    if (rule.stages && !rule.stages.includes(record.stage)) return null;
    if (rule.on === 'stage') return record.stage === rule.stage ? `stage:${record.stage}@${record.stageEnteredAt}` : null;
    if (!record.ownerId) return null;
    const meta = record.meta as { lastActivityAt?: string; activityCount?: number; assignment?: { at?: string } };
    const candidates = [meta.lastActivityAt, meta.assignment?.at].filter((x): x is string => typeof x === 'string');
    const latest = candidates.sort().pop() ?? record.createdAt;
    // the activity count is part of the basis: an activity in the same millisecond as a
    // reassignment still restarts the chain (the time alone would not change)
    return `idle:${record.ownerId}:${meta.activityCount ?? 0}@${latest}`;
  }
  const basisTime = (basis: string): string => basis.slice(basis.lastIndexOf('@') + 1);
  /** The owner an inactivity basis counts for (`idle:<owner>:<activities>@<time>`): one chain per owner. */
  const chainOf = (basis: string): string => {
    const head = basis.slice(0, basis.lastIndexOf('@'));
    return head.slice(0, head.lastIndexOf(':'));
  };
  // One key per (rule, level, basis): a timer being fired is never replaced by its own re-planning.
  const prefix = (rule: EscalationRule): string => `esc:${rule.id}:`;
  const key = (rule: EscalationRule, level: number, basis: string): string => `${prefix(rule)}${level}:${basis}`;
  const calendarOf = (rule: EscalationRule): CalendarLike | null => (rule.calendar ? options.calendars?.[rule.calendar] ?? null : null);

  async function scheduleLevel(tx: StorageTx, record: StoredRecord, rule: EscalationRule, levelIndex: number, basis: string, from: string, now: string): Promise<void> {
    const level = rule.levels[levelIndex]!;
    const payload: EscalationTimerPayload = { escalationId: rule.id, level: levelIndex, basis };
    const dueAt = addDuration(from, level.after, calendarOf(rule));
    await writeEffects(tx, { scheduleTimers: [newTimer(tx.tenantId, record, { kind: ESCALATION_TIMER, key: key(rule, levelIndex, basis), dueAt, event: ESCALATION_EVENT, payload: { ...payload }, stage: rule.on === 'stage' ? record.stage : null }, now, newId)] });
  }

  return {
    rules,
    rule: (id) => byId.get(id),
    basisOf,
    scheduleLevel,
    async schedule(tx, record, now, firingTimerId) {
      if (rules.length === 0) return;
      const pending = (await tx.listTimers(record.id, { status: ['pending', 'claimed'] })).filter((t) => t.kind === ESCALATION_TIMER && t.id !== firingTimerId);
      const states = ((record.meta as { escalations?: Record<string, EscalationState> }).escalations ?? {});
      const cancel: string[] = [];
      for (const rule of rules) {
        const mine = pending.filter((t) => t.key?.startsWith(prefix(rule)));
        const basis = basisOf(rule, record);
        const state = states[rule.id];
        // an activity restarts the chain, unless the rule says it only postpones the next level
        const goesOn = state !== undefined && basis !== null && (state.basis === basis || (rule.activityResets === false && rule.on === 'inactivity' && chainOf(state.basis) === chainOf(basis)));
        const next = basis === null ? -1 : goesOn ? state.level + 1 : 0;
        const wanted = basis !== null && next < rule.levels.length ? key(rule, next, basis) : null;
        // claimed timers are being fired right now; they check their basis and no-op when stale
        for (const t of mine) if (t.key !== wanted && t.key && t.status === 'pending') cancel.push(t.key);
        if (wanted === null || mine.some((t) => t.key === wanted)) continue;
        const from = next === 0 ? basisTime(basis!) : [state!.at, basisTime(basis!)].sort().pop()!;
        await scheduleLevel(tx, record, rule, next, basis!, from, now);
      }
      if (cancel.length > 0) await writeEffects(tx, { cancelTimers: [{ recordId: record.id, keys: cancel }] });
    },
    check(record, timer, now) {
      const p = timer.payload as Partial<EscalationTimerPayload>;
      const rule = p.escalationId ? byId.get(p.escalationId) : undefined;
      if (!rule) return `noop:unknown_escalation:${String(p.escalationId)}`;
      const basis = basisOf(rule, record);
      if (basis === null || basis !== p.basis) return 'noop:stale';
      const level = rule.levels[p.level ?? -1];
      if (!level) return 'noop:unknown_level';
      const when = whens.get(rule.id);
      if (when && !truthy(when({ ...ruleData(record, now), escalation: { id: rule.id, level: p.level } }))) return 'noop:condition_false';
      return { rule, level, levelIndex: p.level! };
    },
  };
}
