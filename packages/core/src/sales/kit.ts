import { DealflowError } from '@dealflow/logic';
import type { HistoryEvent, OutboxMessage, StorageTx, StoredRecord } from '../storage/types.js';
import type { Directory } from '../directory/types.js';
import { managerChain } from '../directory/memory.js';
import { createAssigner } from '../assignment/assigner.js';
import type { Assigner, AssignmentDecision } from '../assignment/assigner.js';
import type { Strategy } from '../assignment/schema.js';
import type { RuleCompiler } from '../assignment/rules.js';
import { throwProblems, zodProblems } from '../assignment/rules.js';
import type { RecordLike } from '../assignment/context.js';
import { addDuration } from '../time/durations.js';
import type { StageKind } from '../blueprint/schema.js';
import type { CalendarLike } from '../time/durations.js';
import { salesChange } from '../assignment/write.js';
import { SYSTEM } from '../identity/identity.js';
import { writeEffects } from '../engine/writer.js';
import type { ChangeEffects, RecordChange } from '../engine/writer.js';
import type { PendingEvent } from '../assignment/write.js';
import { createDuplicateGuard } from '../duplicates/guard.js';
import type { DuplicateGuard } from '../duplicates/guard.js';
import { createEscalator } from '../escalation/escalator.js';
import type { Escalator } from '../escalation/escalator.js';
import type { EscalationRule, EscalationTarget } from '../escalation/schema.js';
import { poolConfigSchema } from '../pool/schema.js';
import type { PoolConfig, PoolState } from '../pool/schema.js';
import { createPermissions } from '../permissions/evaluator.js';
import type { ActorLike, Permissions } from '../permissions/evaluator.js';
import { createApprovals } from '../approvals/approvals.js';
import type { Approvals } from '../approvals/approvals.js';
import type { SalesResult, SalesRulesInput } from './types.js';
import { checkReferences } from './references.js';
import type { KnownNames } from './references.js';

import { POOL_RETURN_ESCALATION } from './records.js';

export { POOL_RETURN_ESCALATION, loadRecord, cloneRecord } from './records.js';

/** Options of {@link createSalesRules}. */
export interface CreateSalesRulesOptions {
  rules: SalesRulesInput;
  directory: Directory;
  compiler: RuleCompiler;
  /** Business calendars by id (for escalation `calendar` and pool `calendar`). */
  calendars?: Record<string, CalendarLike>;
  /** The kind of a record's stage (for the duplicate keys' release policy). */
  stageKindOf?: (record: StoredRecord) => StageKind | null;
  /** Open stages for load counting, when the assignment section gives none. */
  openStages?: string[];
  /** Stage ids and event names of the engine's blueprints: references to others are `RULE_INVALID`. */
  known?: KnownNames;
  /**
   * The engine's change writer: every change a sales operation makes (assign, claim, handover,
   * tasks, activities, escalations) is written through it, in its transaction.
   */
  write: (tx: StorageTx, change: RecordChange) => Promise<void>;
  /** The engine's id generator (history events, timers, activities, tasks, approvals). */
  newId: (prefix: string) => string;
}

/** The compiled parts of the sales rules, shared by the kit and the engine's `SalesRules`. */
export interface SalesRuleParts {
  readonly directory: Directory;
  readonly assigner: Assigner | null;
  readonly duplicates: DuplicateGuard | null;
  readonly escalator: Escalator;
  readonly permissions: Permissions;
  readonly approvals: Approvals;
  readonly pool: PoolConfig | null;
}

/**
 * The compiled sales rules and the helpers every operation shares (load, commit with timer
 * re-planning, notifications, pool moves, assignment decisions). Operations live with their
 * feature (`pool/operations.ts`, `activities/operations.ts`, …) and take the kit first.
 */
export interface SalesKit extends SalesRuleParts {
  readonly compiler: RuleCompiler;
  readonly poolCalendar: CalendarLike | null;
  readonly openStages: string[] | undefined;
  actorOf(actor?: ActorLike): ActorLike;
  /** The engine's id generator. */
  newId(prefix: string): string;
  /**
   * Writes one change (version + 1, one history event) through the engine's change writer, with
   * the effects `effects` derives from the written event and record (outbox messages whose ids
   * follow the event's, timers at the new version) in the same write.
   */
  write(tx: StorageTx, before: StoredRecord, after: StoredRecord, event: PendingEvent, now: string, effects?: EffectsOf): Promise<SalesResult & { event: HistoryEvent }>;
  /** Writes one change as {@link SalesKit.write} does, then re-plans escalation timers. */
  commit(tx: StorageTx, before: StoredRecord, after: StoredRecord, event: PendingEvent, now: string, effects?: EffectsOf): Promise<SalesResult>;
  /** Writes effects alone through the engine's change writer (`writeEffects`), in the open transaction. */
  effects(tx: StorageTx, effects: ChangeEffects): Promise<void>;
  /** A `dealflow.notify` outbox message (none when `to` is empty), id `<sourceId>:notify`. */
  notification(tx: StorageTx, record: StoredRecord, to: string[], message: string, data: Record<string, unknown>, sourceId: string): OutboxMessage[];
  /** Writes a `dealflow.notify` outbox message through the engine's change writer. */
  notify(tx: StorageTx, record: StoredRecord, to: string[], message: string, data: Record<string, unknown>, sourceId: string): Promise<void>;
  /** Rep ids an escalation/approval target names, relative to an owner. */
  resolveTargets(target: EscalationTarget, record: StoredRecord, owner: string | null): Promise<string[]>;
  /** The pool a record returns to. */
  poolOf(record: StoredRecord, explicit?: string): string;
  /** Moves a record copy into a pool (owner cleared, cool-down for the previous owner). */
  intoPool(next: StoredRecord, poolId: string, reason: string, now: string): void;
  /** Runs the rules (`'rules'`) or one strategy, excluding reps. */
  decideFor(tx: StorageTx, record: RecordLike, now: string, strategy: Strategy | 'rules' | undefined, exclude: string[]): Promise<AssignmentDecision>;
  /** Applies a decision to a record copy (owner/team or pool, `meta.assignment`). */
  applyDecision(next: StoredRecord, decision: AssignmentDecision, now: string, via: string): void;
  /** The assignment rules' assigner, or one without rules (for `nextInTeam` and strategies). */
  anyAssigner(): Assigner;
}

/** Effects of a sales change that follow from its written history event and record. */
export type EffectsOf = (event: HistoryEvent, record: StoredRecord) => ChangeEffects;

function assignmentMeta(decision: AssignmentDecision, now: string, via: string): Record<string, unknown> {
  return { at: now, ruleId: decision.ruleId, strategy: decision.strategy, via, reason: decision.reason };
}

/** Compiles every section (zod + `@dealflow/logic`); throws `RULE_INVALID` listing the bad paths. */
export function createSalesKit(options: CreateSalesRulesOptions): SalesKit {
  const { directory, compiler } = options;
  const rules = options.rules ?? {};
  const known = new Set(['assignment', 'escalations', 'pool', 'duplicates', 'permissions', 'approvals']);
  const unknownKeys = Object.keys(rules).filter((k) => !known.has(k));
  throwProblems('sales rules', unknownKeys.map((k) => ({ path: `$.${k}`, message: `unknown rules section '${k}'`, code: 'unknown_key', hint: `known: ${[...known].join(', ')}` })));

  const assigner = rules.assignment === undefined ? null : createAssigner({ config: rules.assignment, directory, compiler, openStages: options.openStages });
  const duplicates = rules.duplicates === undefined ? null : createDuplicateGuard(rules.duplicates, '$.duplicates', options.stageKindOf ? { stageKindOf: options.stageKindOf } : {});
  let pool: PoolConfig | null = null;
  if (rules.pool !== undefined) {
    const parsed = poolConfigSchema.safeParse(rules.pool);
    if (!parsed.success) throwProblems('pool rules', zodProblems(parsed.error, '$.pool'));
    pool = parsed.data as PoolConfig;
    if (pool.calendar && !options.calendars?.[pool.calendar]) {
      throwProblems('pool rules', [{ path: '$.pool.calendar', message: `pool names calendar '${pool.calendar}', which the engine does not have`, code: 'unknown_calendar' }]);
    }
  }
  const extra: EscalationRule[] = pool?.returnAfter
    ? [{ id: POOL_RETURN_ESCALATION, on: 'inactivity', types: pool.types, calendar: pool.calendar, levels: [{ after: pool.returnAfter, actions: [{ returnToPool: true }] }] }]
    : [];
  const escalator = createEscalator({ config: rules.escalations, compiler, calendars: options.calendars, extra, newId: options.newId });
  const permissions = createPermissions(rules.permissions, compiler, directory, '$.permissions', { denyByDefault: rules.permissions !== undefined });
  const approvals = createApprovals(rules.approvals, compiler, directory);
  if (options.known) {
    throwProblems('sales rules', checkReferences(options.known, { escalations: escalator.rules, approvals: approvals.rules, permissions: permissions.config, assignment: assigner?.config ?? null }));
  }
  const poolCalendar = pool?.calendar ? options.calendars?.[pool.calendar] ?? null : null;
  const actorOf = (a?: ActorLike): ActorLike => a ?? SYSTEM;

  async function write(tx: StorageTx, before: StoredRecord, after: StoredRecord, event: PendingEvent, now: string, effects?: EffectsOf): Promise<SalesResult & { event: HistoryEvent }> {
    const change: RecordChange = salesChange(before, after, event, now, options.newId);
    const hist = change.history[0]!;
    await options.write(tx, effects ? { ...effects(hist, change.after), ...change } : change);
    return { record: change.after, events: change.history, event: hist };
  }

  async function commit(tx: StorageTx, before: StoredRecord, after: StoredRecord, event: PendingEvent, now: string, effects?: EffectsOf): Promise<SalesResult> {
    const { record, events } = await write(tx, before, after, event, now, effects);
    await escalator.schedule(tx, record, now);
    return { record, events };
  }

  function notification(tx: StorageTx, record: StoredRecord, to: string[], message: string, data: Record<string, unknown>, sourceId: string): OutboxMessage[] {
    if (to.length === 0) return [];
    return [{ tenantId: tx.tenantId, id: `${sourceId}:notify`, recordId: record.id, type: 'dealflow.notify', payload: { recordId: record.id, to, message, ...data }, createdAt: data.at as string }];
  }

  async function notify(tx: StorageTx, record: StoredRecord, to: string[], message: string, data: Record<string, unknown>, sourceId: string): Promise<void> {
    const outbox = notification(tx, record, to, message, data, sourceId);
    if (outbox.length > 0) await writeEffects(tx, { outbox });
  }

  async function resolveTargets(target: EscalationTarget, record: StoredRecord, ownerAtFiring: string | null): Promise<string[]> {
    if (typeof target === 'object') return [target.rep];
    if (target === 'owner') return ownerAtFiring ? [ownerAtFiring] : [];
    if (target === 'teamManager') {
      const team = record.teamId ? await directory.getTeam(record.teamId) : null;
      return team?.managerId ? [team.managerId] : [];
    }
    const chain = await managerChain(directory, ownerAtFiring);
    const id = target === 'manager' ? chain[0] : chain[1];
    if (id) return [id];
    // no owner (pool) or short chain: fall back to the team manager
    const team = record.teamId ? await directory.getTeam(record.teamId) : null;
    return target === 'manager' && team?.managerId ? [team.managerId] : [];
  }

  function poolOf(record: StoredRecord, explicit?: string): string {
    const state = record.meta.pool as PoolState | undefined;
    return explicit ?? state?.poolId ?? pool?.defaultPool ?? record.teamId ?? 'general';
  }

  /** Puts a record (copy) into a pool: owner cleared, cool-down for the previous owner. */
  function intoPool(next: StoredRecord, poolId: string, reason: string, now: string): void {
    const prevOwner = next.ownerId;
    const prev = next.meta.pool as PoolState | undefined;
    const cooldown: Record<string, string> = { ...(prev?.cooldown ?? {}) };
    for (const [rep, until] of Object.entries(cooldown)) if (until <= now) delete cooldown[rep];
    if (prevOwner && pool?.cooldown) cooldown[prevOwner] = addDuration(now, pool.cooldown, poolCalendar);
    const state: PoolState = { poolId, since: now, reason, returnedFrom: prevOwner, cooldown };
    next.meta = { ...next.meta, pool: state };
    next.ownerId = null;
    next.teamId = poolId;
  }

  async function decideFor(tx: StorageTx, record: RecordLike, now: string, strategy: Strategy | 'rules' | undefined, exclude: string[]): Promise<AssignmentDecision> {
    if (strategy && strategy !== 'rules') {
      return anyAssigner().runStrategy(tx, strategy, record, now, { exclude });
    }
    if (!assigner) throw new DealflowError('INPUT_INVALID', `No assignment rules are configured; pass { to } or { strategy } (record '${record.id ?? '(new)'}')`);
    return assigner.decide(tx, record, now, { exclude });
  }

  function applyDecision(next: StoredRecord, decision: AssignmentDecision, now: string, via: string): void {
    if (decision.poolId) {
      intoPool(next, decision.poolId, via === 'create' || via === 'rules' ? 'assignment' : via, now);
    } else if (decision.ownerId) {
      // from one owner to another: a reassignment (rules read it as `record.reassignments`)
      if (next.ownerId !== null && next.ownerId !== decision.ownerId) next.meta = { ...next.meta, reassignments: ((next.meta.reassignments as number | undefined) ?? 0) + 1 };
      next.ownerId = decision.ownerId;
      next.teamId = decision.teamId ?? next.teamId;
    }
    next.meta = { ...next.meta, assignment: assignmentMeta(decision, now, via) };
  }

  let fallback: Assigner | null = null;
  const anyAssigner = (): Assigner =>
    assigner ?? (fallback ??= createAssigner({ config: { rules: [{ id: 'none', assign: { strategy: 'pool', pool: 'none' } }] }, directory, compiler, openStages: options.openStages }));

  return {
    directory, compiler, assigner, duplicates, escalator, permissions, approvals, pool, poolCalendar,
    openStages: options.openStages, actorOf, newId: options.newId, write, commit, effects: writeEffects, notification, notify, resolveTargets, poolOf, intoPool, decideFor, applyDecision, anyAssigner,
  };
}
