import { randomUUID } from 'node:crypto';
import { DealflowError } from '@dealflow/logic';
import type { HistoryEvent, StorageTx, StoredRecord, TimerRecord } from '../storage/types.js';
import type { Directory } from '../directory/types.js';
import { managerChain } from '../directory/memory.js';
import { createAssigner } from '../assignment/assigner.js';
import type { Assigner, AssignmentDecision, AssignmentExplanation } from '../assignment/assigner.js';
import type { Strategy } from '../assignment/schema.js';
import type { RuleCompiler } from '../assignment/rules.js';
import { throwProblems, zodProblems } from '../assignment/rules.js';
import type { RecordLike } from '../assignment/context.js';
import { addDuration, subtractDuration } from '../assignment/durations.js';
import type { CalendarLike } from '../assignment/durations.js';
import { periodKey } from '../assignment/period.js';
import { newTimer, writeChange } from '../assignment/write.js';
import type { PendingEvent } from '../assignment/write.js';
import { createDuplicateGuard } from '../duplicates/guard.js';
import type { DuplicateGuard } from '../duplicates/guard.js';
import { createEscalator, ESCALATION_TIMER } from '../escalation/escalator.js';
import type { EscalationState, Escalator } from '../escalation/escalator.js';
import type { EscalationAction, EscalationRule, EscalationTarget } from '../escalation/schema.js';
import { poolConfigSchema } from '../pool/schema.js';
import type { PoolConfig, PoolState } from '../pool/schema.js';
import { createPermissions } from '../permissions/evaluator.js';
import type { ActorLike, Permissions } from '../permissions/evaluator.js';
import { createApprovals } from '../approvals/approvals.js';
import type { Approvals } from '../approvals/approvals.js';
import type { PendingApproval } from '../approvals/schema.js';
import { activityInputSchema, taskInputSchema, TASK_EVENT, TASK_TIMER } from '../activities/activities.js';
import type { Activity } from '../activities/activities.js';
import type { AssignResult, HandoverResult, HandoverTarget, SalesResult, SalesRulesInput, SalesTimerOutcome } from './types.js';

/** The system actor used when a call names none. */
const SYSTEM: ActorLike = { id: 'system', roles: ['system'] };
/** Id of the engine-made escalation that returns idle records to the pool. */
export const POOL_RETURN_ESCALATION = 'pool.return';

/** Options of {@link createSalesRules}. */
export interface CreateSalesRulesOptions {
  rules: SalesRulesInput;
  directory: Directory;
  compiler: RuleCompiler;
  /** Business calendars by id (for escalation `calendar` and pool `calendar`). */
  calendars?: Record<string, CalendarLike>;
  /** Open stages for load counting, when the assignment section gives none. */
  openStages?: string[];
}

/** A task kept in `record.meta.tasks` (same shape as the engine's `task` actions). */
interface TaskEntry {
  id: string;
  title: string;
  ownerId: string | null;
  dueAt: string | null;
  createdAt: string;
  status: 'open' | 'done';
  event: string;
  completedAt?: string;
  completedBy?: string;
}

/** The sales rules of one engine: every operation runs inside a store transaction given to it. */
export interface SalesRules {
  readonly directory: Directory;
  readonly assigner: Assigner | null;
  readonly duplicates: DuplicateGuard | null;
  readonly escalator: Escalator;
  readonly permissions: Permissions;
  readonly approvals: Approvals;
  readonly pool: PoolConfig | null;
  /** Create path (engine plugin): duplicate guard, automatic assignment, escalation timers. */
  onCreate(tx: StorageTx, after: StoredRecord, events: HistoryEvent[], actor: ActorLike | undefined, now: string): Promise<AssignmentDecision | null>;
  /** Update path (engine plugin): permissions, approvals gate, duplicate keys, escalation timers. */
  onUpdate(tx: StorageTx, before: StoredRecord, after: StoredRecord, events: HistoryEvent[], actor: ActorLike | undefined, now: string): Promise<void>;
  assign(tx: StorageTx, recordId: string, now: string, actor?: ActorLike, options?: { to?: string; strategy?: Strategy }): Promise<AssignResult>;
  explain(tx: StorageTx, input: RecordLike, now: string): Promise<AssignmentExplanation>;
  logActivity(tx: StorageTx, recordId: string, input: unknown, now: string, actor?: ActorLike): Promise<SalesResult & { activity: Activity }>;
  addTask(tx: StorageTx, recordId: string, input: unknown, now: string, actor?: ActorLike): Promise<SalesResult & { taskId: string }>;
  completeTask(tx: StorageTx, recordId: string, taskId: string, now: string, actor?: ActorLike): Promise<SalesResult>;
  /** Merges a duplicate's field values into the existing record: empty fields are filled, set ones kept. */
  merge(tx: StorageTx, recordId: string, fields: Record<string, unknown>, now: string, actor?: ActorLike): Promise<SalesResult & { filled: string[]; kept: string[] }>;
  claim(tx: StorageTx, recordId: string, now: string, actor: ActorLike): Promise<SalesResult>;
  distribute(tx: StorageTx, recordId: string, to: string, now: string, actor: ActorLike): Promise<SalesResult>;
  returnToPool(tx: StorageTx, recordId: string, now: string, actor?: ActorLike, options?: { poolId?: string; reason?: string }): Promise<SalesResult>;
  handover(tx: StorageTx, fromRep: string, target: HandoverTarget, now: string, actor?: ActorLike): Promise<HandoverResult>;
  requestApproval(tx: StorageTx, record: StoredRecord, event: { type: string; fields?: Record<string, unknown>; data?: Record<string, unknown> }, now: string, actor?: ActorLike): Promise<(SalesResult & { approval: PendingApproval }) | null>;
  decideApproval(tx: StorageTx, recordId: string, decision: 'approve' | 'reject', now: string, actor: ActorLike, note?: string): Promise<SalesResult & { approval: PendingApproval }>;
  fireTimer(tx: StorageTx, timer: TimerRecord, now: string): Promise<SalesTimerOutcome | null>;
  /** Timer kinds handled by {@link SalesRules.fireTimer}. */
  readonly timerKinds: readonly string[];
}

function cloneRecord(r: StoredRecord): StoredRecord {
  return structuredClone(r);
}

async function load(tx: StorageTx, id: string): Promise<StoredRecord> {
  const r = await tx.getRecord(id, { forUpdate: true });
  if (!r) throw new DealflowError('NOT_FOUND', `Record '${id}' does not exist`, { details: { recordId: id } });
  return r;
}

function assignmentMeta(decision: AssignmentDecision, now: string, via: string): Record<string, unknown> {
  return { at: now, ruleId: decision.ruleId, strategy: decision.strategy, via, reason: decision.reason };
}

/**
 * Compiles every sales-rule section once (zod + `@dealflow/logic`); throws `RULE_INVALID` listing the
 * bad paths. The engine calls the returned operations inside its transactions.
 *
 * @example
 * ```ts
 * const sales = createSalesRules({ rules: { assignment: { rules: [{ id: 'default', assign: { strategy: 'pool', pool: 'general' } }] } }, directory, compiler });
 * ```
 */
export function createSalesRules(options: CreateSalesRulesOptions): SalesRules {
  const { directory, compiler } = options;
  const rules = options.rules ?? {};
  const known = new Set(['assignment', 'escalations', 'pool', 'duplicates', 'permissions', 'approvals']);
  const unknownKeys = Object.keys(rules).filter((k) => !known.has(k));
  throwProblems('sales rules', unknownKeys.map((k) => ({ path: `$.${k}`, message: `unknown rules section '${k}'`, code: 'unknown_key', hint: `known: ${[...known].join(', ')}` })));

  const assigner = rules.assignment === undefined ? null : createAssigner({ config: rules.assignment, directory, compiler, openStages: options.openStages });
  const duplicates = rules.duplicates === undefined ? null : createDuplicateGuard(rules.duplicates);
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
  const escalator = createEscalator({ config: rules.escalations, compiler, calendars: options.calendars, extra });
  const permissions = createPermissions(rules.permissions, compiler, directory);
  const approvals = createApprovals(rules.approvals, compiler, directory);
  const poolCalendar = pool?.calendar ? options.calendars?.[pool.calendar] ?? null : null;
  const poolApplies = (r: StoredRecord): boolean => pool !== null && (!pool.types || pool.types.includes(r.type));
  const actorOf = (a?: ActorLike): ActorLike => a ?? SYSTEM;

  /** Writes one change and re-plans escalation timers. */
  async function commit(tx: StorageTx, before: StoredRecord, after: StoredRecord, event: PendingEvent, now: string): Promise<SalesResult> {
    const { record, event: history } = await writeChange(tx, before, after, event, now);
    await escalator.schedule(tx, record, now);
    return { record, events: [history] };
  }

  async function notify(tx: StorageTx, record: StoredRecord, to: string[], message: string, data: Record<string, unknown>, sourceId: string): Promise<void> {
    if (to.length === 0) return;
    await tx.appendOutbox([{ tenantId: tx.tenantId, id: `${sourceId}:notify`, recordId: record.id, type: 'dealflow.notify', payload: { recordId: record.id, to, message, ...data }, createdAt: data.at as string }]);
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
      if (!assigner) {
        // strategies work without rules: build a throwaway assigner
        const a = createAssigner({ config: { rules: [{ id: 'adhoc', assign: strategy }] }, directory, compiler, openStages: options.openStages });
        return a.runStrategy(tx, strategy, record, now, { exclude });
      }
      return assigner.runStrategy(tx, strategy, record, now, { exclude });
    }
    if (!assigner) throw new DealflowError('INPUT_INVALID', `No assignment rules are configured; pass { to } or { strategy } (record '${record.id ?? '(new)'}')`);
    return assigner.decide(tx, record, now, { exclude });
  }

  function applyDecision(next: StoredRecord, decision: AssignmentDecision, now: string, via: string): void {
    if (decision.poolId) {
      intoPool(next, decision.poolId, via === 'create' || via === 'rules' ? 'assignment' : via, now);
    } else if (decision.ownerId) {
      next.ownerId = decision.ownerId;
      next.teamId = decision.teamId ?? next.teamId;
    }
    next.meta = { ...next.meta, assignment: assignmentMeta(decision, now, via) };
  }

  const api: SalesRules = {
    directory,
    assigner,
    duplicates,
    escalator,
    permissions,
    approvals,
    pool,
    timerKinds: [ESCALATION_TIMER, TASK_TIMER],

    async onCreate(tx, after, events, actor, now) {
      if (duplicates?.guards(after.type)) await duplicates.enforce(tx, null, after);
      let decision: AssignmentDecision | null = null;
      const auto = assigner && assigner.config.onCreate !== false && (!assigner.config.types || assigner.config.types.includes(after.type));
      if (auto && !after.ownerId) {
        decision = await assigner.decide(tx, after, now);
        const { ownerId: _o, ...rest } = decision;
        void _o;
        applyDecision(after, decision, now, 'create');
        const created = events[0];
        if (created) created.data = { ...created.data, assignment: { ...rest, ownerId: decision.ownerId } };
      } else if (after.ownerId) {
        after.meta = { ...after.meta, assignment: { at: now, ruleId: null, strategy: null, via: 'create', reason: `owner '${after.ownerId}' given on create` } };
      }
      void actor;
      await escalator.schedule(tx, after, now);
      return decision;
    },

    async onUpdate(tx, before, after, events, actor, now) {
      const who = actorOf(actor);
      for (const e of events) {
        if (e.kind === 'transition' && e.event) {
          await permissions.assert('transition', who, before, now, e.event);
          const pending = before.meta.pendingApproval as (PendingApproval & { status?: string }) | undefined;
          const rule = approvals.required(before, { type: e.event, fields: after.fields }, who, now);
          if (rule) {
            if (!pending || pending.event !== e.event || pending.status !== 'approved') {
              throw new DealflowError('REJECTED', `Transition '${e.event}' on record '${before.id}' needs approval (rule '${rule.id}'); request it with engine.send, then engine.approve`, { details: { recordId: before.id, event: e.event, approvalRule: rule.id } });
            }
          }
          if (pending && pending.event === e.event && pending.status === 'approved') {
            const meta = { ...after.meta };
            delete meta.pendingApproval;
            after.meta = meta;
          } else if (pending && pending.status !== 'approved') {
            throw new DealflowError('REJECTED', `Record '${before.id}' waits for approval of '${pending.event}' (rule '${pending.ruleId}'); approve or reject it first`, { details: { recordId: before.id, pendingApproval: pending.id } });
          }
        }
      }
      const changed = Object.keys({ ...before.fields, ...after.fields }).filter((k) => JSON.stringify(before.fields[k]) !== JSON.stringify(after.fields[k]));
      if (changed.length > 0 && actor) {
        const denied = await permissions.forbiddenFields(who, before, changed, now);
        if (denied.length > 0) throw new DealflowError('FORBIDDEN', `Actor '${who.id}' may not edit ${denied.map((f) => `'${f}'`).join(', ')} of record '${before.id}'`, { details: { actorId: who.id, recordId: before.id, fields: denied } });
      }
      if (changed.length > 0 && duplicates?.guards(after.type)) await duplicates.enforce(tx, before, after);
      await escalator.schedule(tx, after, now);
    },

    async assign(tx, recordId, now, actor, opts = {}) {
      const before = await load(tx, recordId);
      if (actor) await permissions.assert('assign', actor, before, now);
      let decision: AssignmentDecision;
      if (opts.to) {
        const rep = await directory.getRep(opts.to);
        if (!rep || rep.active === false) throw new DealflowError('INPUT_INVALID', `Cannot assign record '${recordId}' to '${opts.to}': ${rep ? 'the rep is inactive' : 'no such rep in the directory'}`, { details: { recordId, repId: opts.to } });
        decision = { ruleId: null, ruleIndex: null, strategy: 'owner', ownerId: rep.id, teamId: rep.teamIds?.[0] ?? before.teamId, poolId: null, turn: null, reason: `assigned by hand to '${rep.id}'` };
      } else {
        decision = await decideFor(tx, before, now, opts.strategy ?? 'rules', []);
      }
      const next = cloneRecord(before);
      applyDecision(next, decision, now, opts.to ? 'manual' : opts.strategy ? 'strategy' : 'rules');
      const res = await commit(tx, before, next, { kind: 'assigned', actorId: actorOf(actor).id, data: { ...decision, from: before.ownerId } }, now);
      return { ...res, decision };
    },

    async explain(tx, input, now) {
      if (!assigner) throw new DealflowError('INPUT_INVALID', 'No assignment rules are configured (createEngine({ rules: { assignment } }))');
      const result = await assigner.decide(tx, input, now, { dryRun: true, trace: true });
      const { trace, ...decision } = result;
      return { decision, rules: trace };
    },

    async logActivity(tx, recordId, input, now, actor) {
      const parsed = activityInputSchema.safeParse(input);
      if (!parsed.success) throw new DealflowError('INPUT_INVALID', `Invalid activity for record '${recordId}': ${zodProblems(parsed.error, '$')[0]!.message}`, { problems: zodProblems(parsed.error, '$') });
      const before = await load(tx, recordId);
      const who = actorOf(actor);
      await permissions.assert('activity', who, before, now);
      const at = parsed.data.at ? new Date(parsed.data.at).toISOString() : now;
      if (at > now) throw new DealflowError('INPUT_INVALID', `Activity on record '${recordId}' is dated in the future (${at})`, { problems: [{ path: '$.at', message: 'must not be in the future', value: at }] });
      const activity: Activity = { ...parsed.data, id: randomUUID(), at, authorId: who.id };
      const next = cloneRecord(before);
      const last = typeof before.meta.lastActivityAt === 'string' && before.meta.lastActivityAt > at ? before.meta.lastActivityAt : at;
      next.meta = { ...next.meta, lastActivityAt: last, lastActivityType: last === at ? activity.type : before.meta.lastActivityType, activityCount: ((before.meta.activityCount as number | undefined) ?? 0) + 1 };
      const res = await commit(tx, before, next, { kind: 'activity', actorId: who.id, data: { activity: { ...activity } } }, now);
      return { ...res, activity };
    },

    async addTask(tx, recordId, input, now, actor) {
      const parsed = taskInputSchema.safeParse(input);
      if (!parsed.success) throw new DealflowError('INPUT_INVALID', `Invalid task for record '${recordId}': ${zodProblems(parsed.error, '$')[0]!.message}`, { problems: zodProblems(parsed.error, '$') });
      const before = await load(tx, recordId);
      const who = actorOf(actor);
      await permissions.assert('activity', who, before, now);
      const dueAt = new Date(parsed.data.dueAt).toISOString();
      const task: TaskEntry = { id: randomUUID(), title: parsed.data.title, ownerId: parsed.data.ownerId ?? before.ownerId, dueAt, createdAt: now, status: 'open', event: 'addTask' };
      const next = cloneRecord(before);
      next.meta = { ...next.meta, tasks: [...((before.meta.tasks as TaskEntry[] | undefined) ?? []), task] };
      const res = await commit(tx, before, next, { kind: 'task', actorId: who.id, data: { task: { ...task } } }, now);
      const due = parsed.data.remindBefore ? subtractDuration(dueAt, parsed.data.remindBefore) : dueAt;
      await tx.scheduleTimers([newTimer(tx.tenantId, res.record, { kind: TASK_TIMER, key: `task:${task.id}`, dueAt: due, event: TASK_EVENT, payload: { taskId: task.id }, stage: null }, now)]);
      return { ...res, taskId: task.id };
    },

    async completeTask(tx, recordId, taskId, now, actor) {
      const before = await load(tx, recordId);
      const who = actorOf(actor);
      await permissions.assert('activity', who, before, now);
      const tasks = ((before.meta.tasks as TaskEntry[] | undefined) ?? []).map((t) => ({ ...t }));
      const task = tasks.find((t) => t.id === taskId);
      if (!task) throw new DealflowError('NOT_FOUND', `Record '${recordId}' has no task '${taskId}'`, { details: { recordId, taskId } });
      if (task.status === 'done') throw new DealflowError('CONFLICT', `Task '${taskId}' of record '${recordId}' is already done`, { details: { recordId, taskId } });
      task.status = 'done';
      task.completedAt = now;
      task.completedBy = who.id;
      const next = cloneRecord(before);
      next.meta = { ...next.meta, tasks };
      const res = await commit(tx, before, next, { kind: 'task_done', actorId: who.id, data: { taskId } }, now);
      await tx.cancelTimers(recordId, { keys: [`task:${taskId}`] });
      return res;
    },

    async merge(tx, recordId, fields, now, actor) {
      const before = await load(tx, recordId);
      const who = actorOf(actor);
      if (actor) await permissions.assert('edit', who, before, now);
      const next = cloneRecord(before);
      const filled: string[] = [];
      const kept: string[] = [];
      for (const [k, v] of Object.entries(fields)) {
        if (v === undefined || v === null || v === '') continue;
        const cur = before.fields[k];
        if (cur === undefined || cur === null || cur === '') { next.fields[k] = structuredClone(v); filled.push(k); }
        else if (JSON.stringify(cur) !== JSON.stringify(v)) kept.push(k);
      }
      if (duplicates?.guards(next.type)) await duplicates.enforce(tx, before, next);
      const res = await commit(tx, before, next, { kind: 'merged', actorId: who.id, data: { filled, kept, values: Object.fromEntries(filled.map((k) => [k, next.fields[k]])) } }, now);
      return { ...res, filled, kept };
    },

    async claim(tx, recordId, now, actor) {
      const before = await load(tx, recordId);
      if (before.ownerId) throw new DealflowError('CONFLICT', `Record '${recordId}' is owned by '${before.ownerId}'; only pool records can be claimed`, { details: { recordId, ownerId: before.ownerId } });
      await permissions.assert('claim', actor, before, now);
      const rep = await directory.getRep(actor.id);
      if (!rep || rep.active === false) throw new DealflowError('FORBIDDEN', `'${actor.id}' is not an active rep and cannot claim record '${recordId}'`, { details: { recordId, repId: actor.id } });
      const state = before.meta.pool as PoolState | undefined;
      const until = state?.cooldown?.[actor.id];
      if (until && until > now) throw new DealflowError('FORBIDDEN', `Rep '${actor.id}' returned record '${recordId}' and may not re-claim it before ${until}`, { details: { recordId, repId: actor.id, cooldownUntil: until } });
      if (assigner) {
        const cap = await assigner.hasCapacity(tx, rep, now);
        if (!cap.ok) throw new DealflowError('REJECTED', `Rep '${actor.id}' cannot claim record '${recordId}': ${cap.reason}`, { details: { recordId, repId: actor.id } });
      }
      if (pool?.claimLimit) {
        const key = `pool:claims:${actor.id}:${periodKey(now, pool.claimLimit.period, pool.timeZone ?? 'UTC')}`;
        const used = await tx.incrementCounter(key, 1);
        if (used > pool.claimLimit.max) {
          throw new DealflowError('REJECTED', `Rep '${actor.id}' reached the claim limit (${pool.claimLimit.max} per ${pool.claimLimit.period}); record '${recordId}' stays in the pool`, { details: { recordId, repId: actor.id, limit: pool.claimLimit.max } });
        }
      }
      const next = cloneRecord(before);
      next.ownerId = actor.id;
      next.teamId = rep.teamIds?.[0] ?? before.teamId;
      next.meta = { ...next.meta, pool: state ? { ...state, claimedBy: actor.id, claimedAt: now } : undefined, assignment: { at: now, ruleId: null, strategy: null, via: 'claim', reason: `claimed from pool '${state?.poolId ?? before.teamId ?? '?'}'` } };
      if (next.meta.pool === undefined) delete next.meta.pool;
      return commit(tx, before, next, { kind: 'claimed', actorId: actor.id, data: { poolId: state?.poolId ?? before.teamId, ownerId: actor.id } }, now);
    },

    async distribute(tx, recordId, to, now, actor) {
      const before = await load(tx, recordId);
      if (before.ownerId) throw new DealflowError('CONFLICT', `Record '${recordId}' is owned by '${before.ownerId}'; only pool records can be distributed`, { details: { recordId, ownerId: before.ownerId } });
      await permissions.assert('distribute', actor, before, now);
      const rep = await directory.getRep(to);
      if (!rep || rep.active === false) throw new DealflowError('INPUT_INVALID', `Cannot distribute record '${recordId}' to '${to}': ${rep ? 'inactive rep' : 'no such rep'}`, { details: { recordId, repId: to } });
      const next = cloneRecord(before);
      next.ownerId = rep.id;
      next.teamId = rep.teamIds?.[0] ?? before.teamId;
      next.meta = { ...next.meta, assignment: { at: now, ruleId: null, strategy: null, via: 'distribute', reason: `distributed by '${actor.id}'` } };
      return commit(tx, before, next, { kind: 'distributed', actorId: actor.id, data: { poolId: (before.meta.pool as PoolState | undefined)?.poolId ?? before.teamId, ownerId: rep.id } }, now);
    },

    async returnToPool(tx, recordId, now, actor, opts = {}) {
      const before = await load(tx, recordId);
      const who = actorOf(actor);
      if (!before.ownerId) throw new DealflowError('CONFLICT', `Record '${recordId}' is already in the pool`, { details: { recordId } });
      if (actor && who.id !== before.ownerId) await permissions.assert('assign', who, before, now);
      const next = cloneRecord(before);
      const poolId = poolOf(before, opts.poolId);
      intoPool(next, poolId, opts.reason ?? 'returned', now);
      return commit(tx, before, next, { kind: 'returned', actorId: who.id, data: { poolId, from: before.ownerId, reason: opts.reason ?? 'returned' } }, now);
    },

    async handover(tx, fromRep, target, now, actor) {
      const who = actorOf(actor);
      const rep = await directory.getRep(fromRep);
      if (actor) await permissions.assert('handover', who, { id: null, ownerId: fromRep, teamId: rep?.teamIds?.[0] ?? null }, now);
      if ('to' in target) {
        const to = await directory.getRep(target.to);
        if (!to || to.active === false) throw new DealflowError('INPUT_INVALID', `Handover target '${target.to}' is ${to ? 'inactive' : 'not in the directory'}`, { details: { from: fromRep, to: target.to } });
        if (to.id === fromRep) throw new DealflowError('INPUT_INVALID', `Handover of '${fromRep}' to themselves`);
      }
      const openStages = assigner?.config.openStages ?? options.openStages;
      const records = await tx.queryRecords(openStages ? { ownerId: fromRep, stage: openStages } : { ownerId: fromRep });
      const batchId = randomUUID();
      const result: HandoverResult = { batchId, from: fromRep, moved: [], unplaced: [] };
      for (const record of records) {
        const before = await load(tx, record.id);
        const next = cloneRecord(before);
        let decision: AssignmentDecision;
        if ('to' in target) {
          const to = (await directory.getRep(target.to))!;
          decision = { ruleId: null, ruleIndex: null, strategy: 'owner', ownerId: to.id, teamId: to.teamIds?.[0] ?? before.teamId, poolId: null, turn: null, reason: `handover to '${to.id}'` };
        } else if ('pool' in target) {
          const poolId = target.pool === true ? poolOf(before) : target.pool;
          decision = { ruleId: null, ruleIndex: null, strategy: 'pool', ownerId: null, teamId: poolId, poolId, turn: null, reason: `handover to pool '${poolId}'` };
        } else {
          decision = await decideFor(tx, before, now, target.strategy, [fromRep]);
        }
        if (!decision.ownerId && !decision.poolId) {
          result.unplaced.push({ recordId: before.id, reason: decision.reason });
          continue;
        }
        if (decision.poolId) intoPool(next, decision.poolId, 'handover', now);
        else applyDecision(next, decision, now, 'handover');
        await commit(tx, before, next, { kind: 'handover', actorId: who.id, data: { batchId, from: fromRep, to: decision.ownerId, poolId: decision.poolId, ruleId: decision.ruleId, reason: decision.reason } }, now);
        result.moved.push({ recordId: before.id, to: decision.ownerId, poolId: decision.poolId });
      }
      await tx.appendOutbox([{ tenantId: tx.tenantId, id: `handover:${batchId}`, recordId: null, type: 'dealflow.handover', payload: { ...result, actorId: who.id, at: now }, createdAt: now }]);
      return result;
    },

    async requestApproval(tx, record, event, now, actor) {
      const who = actorOf(actor);
      const pending = record.meta.pendingApproval as (PendingApproval & { status?: string }) | undefined;
      if (pending && pending.status === 'approved' && pending.event === event.type) return null; // approved: let it through
      const rule = approvals.required(record, event, who, now);
      if (!rule) return null;
      if (pending) throw new DealflowError('REJECTED', `Record '${record.id}' already waits for approval of '${pending.event}' (rule '${pending.ruleId}')`, { details: { recordId: record.id, pendingApproval: pending.id } });
      await permissions.assert('transition', who, record, now, event.type);
      const approvers = await approvals.approversFor(rule, record);
      if (approvers.ids.length === 0 && !approvers.role) throw new DealflowError('REJECTED', `Approval rule '${rule.id}' for '${event.type}' on record '${record.id}' names no approver (owner '${record.ownerId ?? 'none'}' has no ${JSON.stringify(rule.approver)})`, { details: { recordId: record.id, approvalRule: rule.id } });
      const approval: PendingApproval & { status: string } = { id: randomUUID(), ruleId: rule.id, event: event.type, fields: event.fields, data: event.data, requestedBy: who.id, requestedAt: now, approverIds: approvers.ids, approverRole: approvers.role, status: 'pending' };
      const before = await load(tx, record.id);
      const next = cloneRecord(before);
      next.meta = { ...next.meta, pendingApproval: approval };
      const res = await commit(tx, before, next, { kind: 'approval_requested', actorId: who.id, event: event.type, data: { approval: { ...approval } } }, now);
      await notify(tx, res.record, approvers.ids, `Approval needed: '${event.type}' on ${record.type} '${record.id}' (rule '${rule.id}')`, { at: now, approvalId: approval.id, ruleId: rule.id, role: approvers.role }, res.events[0]!.id);
      return { ...res, approval };
    },

    async decideApproval(tx, recordId, decision, now, actor, note) {
      const before = await load(tx, recordId);
      const pending = before.meta.pendingApproval as (PendingApproval & { status?: string }) | undefined;
      if (!pending || pending.status !== 'pending') throw new DealflowError('CONFLICT', `Record '${recordId}' has no pending approval`, { details: { recordId } });
      const rep = await directory.getRep(actor.id);
      const isApprover = pending.approverIds.includes(actor.id) || (pending.approverRole !== null && ((rep?.roles ?? []).includes(pending.approverRole) || (actor.roles ?? []).includes(pending.approverRole)));
      const byRule = permissions.config.approve !== undefined && (await permissions.can('approve', actor, before, now));
      if (!isApprover && !byRule) throw new DealflowError('FORBIDDEN', `Actor '${actor.id}' may not decide approval '${pending.ruleId}' of record '${recordId}' (approvers: ${pending.approverIds.join(', ') || `role ${pending.approverRole}`})`, { details: { recordId, actorId: actor.id } });
      const next = cloneRecord(before);
      const decided = { ...pending, status: decision === 'approve' ? 'approved' : 'rejected', decidedBy: actor.id, decidedAt: now, note: note ?? null };
      if (decision === 'approve') next.meta = { ...next.meta, pendingApproval: decided };
      else {
        const meta = { ...next.meta };
        delete meta.pendingApproval;
        next.meta = meta;
      }
      const res = await commit(tx, before, next, { kind: 'approval', actorId: actor.id, event: pending.event, data: { decision: decision === 'approve' ? 'approved' : 'rejected', approverId: actor.id, ruleId: pending.ruleId, approvalId: pending.id, note: note ?? null } }, now);
      await notify(tx, res.record, [pending.requestedBy], `Approval of '${pending.event}' on record '${recordId}' ${decision === 'approve' ? 'approved' : 'rejected'} by '${actor.id}'`, { at: now, approvalId: pending.id }, res.events[0]!.id);
      return { ...res, approval: pending };
    },

    async fireTimer(tx, timer, now) {
      if (timer.kind === TASK_TIMER) {
        const record = await tx.getRecord(timer.recordId, { forUpdate: true });
        if (!record) return { outcome: 'noop:record_gone', record: null, events: [], transitions: [] };
        const task = ((record.meta.tasks as TaskEntry[] | undefined) ?? []).find((t) => t.id === timer.payload.taskId);
        if (!task || task.status !== 'open') return { outcome: 'noop:task_closed', record, events: [], transitions: [] };
        const next = cloneRecord(record);
        const { record: saved, event } = await writeChange(tx, record, next, { kind: 'task_reminder', actorId: 'system', data: { taskId: task.id, title: task.title, dueAt: task.dueAt } }, now);
        await notify(tx, saved, task.ownerId ? [task.ownerId] : [], `Task due: ${task.title} (record '${record.id}')`, { at: now, taskId: task.id, dueAt: task.dueAt }, event.id);
        return { outcome: 'fired', record: saved, events: [event], transitions: [] };
      }
      if (timer.kind !== ESCALATION_TIMER) return null;
      const record = await tx.getRecord(timer.recordId, { forUpdate: true });
      if (!record) return { outcome: 'noop:record_gone', record: null, events: [], transitions: [] };
      const checked = escalator.check(record, timer, now);
      if (typeof checked === 'string') return { outcome: checked, record, events: [], transitions: [] };
      const { rule, level, levelIndex } = checked;
      const owner = record.ownerId;
      const next = cloneRecord(record);
      const done: Array<Record<string, unknown>> = [];
      const notes: Array<{ to: string[]; message: string }> = [];
      const transitions: string[] = [];
      for (const action of level.actions as EscalationAction[]) {
        if ('reassign' in action) {
          let decision: AssignmentDecision;
          if (action.reassign === 'nextInTeam') {
            if (!next.teamId) { done.push({ reassign: null, reason: 'record has no team' }); continue; }
            const a = assigner ?? createAssigner({ config: { rules: [{ id: 'adhoc', assign: { strategy: 'pool', pool: 'none' } }] }, directory, compiler, openStages: options.openStages });
            decision = await a.nextInTeam(tx, next.teamId, owner, now);
          } else {
            decision = await decideFor(tx, next, now, action.reassign, owner ? [owner] : []);
          }
          if (decision.ownerId || decision.poolId) applyDecision(next, decision, now, 'escalation');
          done.push({ reassign: decision.ownerId, poolId: decision.poolId, reason: decision.reason });
        } else if ('notify' in action) {
          const targets = Array.isArray(action.notify) ? action.notify : [action.notify];
          const to = [...new Set((await Promise.all(targets.map((t) => resolveTargets(t, record, owner)))).flat())];
          notes.push({ to, message: action.message ?? `Escalation '${rule.id}' (level ${levelIndex + 1}) on ${record.type} '${record.id}'${owner ? ` owned by '${owner}'` : ''}` });
          done.push({ notify: to });
        } else if ('priority' in action) {
          next.meta = { ...next.meta, priority: action.priority };
          done.push({ priority: action.priority });
        } else if ('addFollower' in action) {
          const ids = await resolveTargets(action.addFollower, record, owner);
          const followers = [...new Set([...((next.meta.followers as string[] | undefined) ?? []), ...ids])];
          next.meta = { ...next.meta, followers };
          done.push({ addFollower: ids });
        } else if ('returnToPool' in action) {
          if (next.ownerId) {
            const poolId = poolOf(next, action.returnToPool === true ? undefined : action.returnToPool);
            intoPool(next, poolId, rule.id === POOL_RETURN_ESCALATION ? 'no_follow_up' : 'escalation', now);
            done.push({ returnToPool: poolId });
          }
        } else if ('transition' in action) {
          transitions.push(action.transition);
          done.push({ transition: action.transition });
        }
      }
      const basis = (timer.payload as { basis: string }).basis;
      // The chain goes on from this firing: when another level follows, it counts from now on the
      // record's new basis (a reassignment changes it); after the last level a new basis restarts at 0.
      const newBasis = escalator.basisOf(rule, next);
      const more = levelIndex + 1 < rule.levels.length && newBasis !== null;
      const state: EscalationState = { basis: more ? newBasis! : basis, level: levelIndex, at: now };
      next.meta = { ...next.meta, escalations: { ...((next.meta.escalations as Record<string, EscalationState> | undefined) ?? {}), [rule.id]: state } };
      const kind = rule.id === POOL_RETURN_ESCALATION ? 'returned' : 'escalated';
      const { record: saved, event } = await writeChange(tx, record, next, {
        kind,
        actorId: 'system',
        data: { escalationId: rule.id, level: levelIndex, from: owner, to: next.ownerId, actions: done, ...(kind === 'returned' ? { poolId: (next.meta.pool as PoolState | undefined)?.poolId ?? null, reason: 'no_follow_up' } : {}) },
      }, now);
      await escalator.schedule(tx, saved, now, timer.id);
      let n = 0;
      for (const note of notes) {
        if (note.to.length === 0) continue;
        await tx.appendOutbox([{ tenantId: tx.tenantId, id: `${event.id}:${n++}`, recordId: record.id, type: 'dealflow.notify', payload: { recordId: record.id, to: note.to, message: note.message, escalationId: rule.id, level: levelIndex, at: now }, createdAt: now }]);
      }
      return { outcome: 'fired', record: saved, events: [event], transitions };
    },
  };
  return api;
}
