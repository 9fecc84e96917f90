import { DealflowError, isDealflowError } from '@dealflow/logic';
import type { RecordQuery, Storage, StorageTx, StoredRecord } from '../storage/types.js';
import type { AssignmentExplanation } from '../assignment/assigner.js';
import type { RecordLike } from '../assignment/context.js';
import type { Strategy } from '../assignment/schema.js';
import type { Activity } from '../activities/activities.js';
import type { PendingApproval } from '../approvals/schema.js';
import type { ActorLike } from '../permissions/evaluator.js';
import { withRetry } from '../engine/retry.js';
import type { EnginePlugin } from '../engine/plugins.js';
import type { EngineHooks } from '../engine/hooks.js';
import type { Rejection } from '../engine/context.js';
import type { SalesRules } from './sales-rules.js';
import { assignedMessages } from '../assignment/owner-change.js';
import type { AssignResult, HandoverItemResult, HandoverOptions, HandoverResult, HandoverTarget, ReturnManyOptions, ReturnManyResult, DistributeManyItem, DistributeManyOptions, DistributeManyResult, SalesResult } from './types.js';
import { batchSizeOf, runBatches } from '../engine/batches.js';
import type { BatchItemResult, BatchOptions, BatchRun } from '../engine/batches.js';
import type { HandoverOutcome } from '../assignment/operations.js';

/** Call options of the sales methods: who acts, and the tenant. */
export interface SalesCallContext {
  /** Who acts: `{ id }` (the directory supplies roles), or `engine.system`. */
  actor?: ActorLike;
  /** Tenant of the call (default: the engine's). */
  tenantId?: string;
}

/**
 * The engine methods added by the sales rules (`createEngine({ rules, directory })`). Every method
 * is one store transaction; bad input fails whole with a `DealflowError`.
 */
export interface SalesEngineApi {
  /** Runs the assignment rules (or `{ to }` / `{ strategy }`) for a record; writes an `assigned` event naming the rule. */
  assign(recordId: string, options?: { to?: string; strategy?: Strategy }, ctx?: SalesCallContext): Promise<AssignResult>;
  /** Which rule would place this (partial) record, and why every earlier rule did not. Writes nothing. */
  explainAssignment(input: RecordLike, ctx?: SalesCallContext): Promise<AssignmentExplanation>;
  /** Logs a call, e-mail, meeting, visit or note; updates `record.lastActivityAt` and pushes inactivity timers. */
  logActivity(recordId: string, activity: { type: Activity['type']; at?: string; subject?: string; note?: string; outcome?: string; data?: Record<string, unknown> }, ctx?: SalesCallContext): Promise<
    SalesResult & {
      /** The activity as stored (id, type, time, author). */
      activity: Activity;
    }
  >;
  /** Adds a task with owner and due time; its reminder is a durable timer. */
  addTask(recordId: string, task: { title: string; dueAt: string; ownerId?: string | null; remindBefore?: string }, ctx?: SalesCallContext): Promise<
    SalesResult & {
      /** The new task's id (what `completeTask` takes). */
      taskId: string;
    }
  >;
  /** Marks a task done and cancels its reminder. */
  completeTask(recordId: string, taskId: string, ctx?: SalesCallContext): Promise<SalesResult>;
  /**
   * Creates a record, or, when the duplicate guard finds an existing one, merges the input into it
   * (empty fields filled, set fields kept) and returns it with `merged: true`.
   */
  createOrMerge(type: string, input: { id?: string; fields?: Record<string, unknown>; ownerId?: string | null; teamId?: string | null }, ctx?: SalesCallContext): Promise<
    SalesResult & {
      /** True when an existing record absorbed the input; false when a record was created. */
      merged: boolean;
      /** On a merge: the fields that were empty and took the input's values. */
      filled?: string[];
      /** On a merge: the fields that kept their own value over the input's. */
      kept?: string[];
    }
  >;
  /** A rep (the actor) claims a pool record, within the claim limit and cool-down. */
  claim(recordId: string, ctx: SalesCallContext & { actor: ActorLike }): Promise<SalesResult>;
  /** A manager hands a pool record to a rep. */
  distribute(recordId: string, to: string, ctx: SalesCallContext & { actor: ActorLike }): Promise<SalesResult>;
  /** Sends an owned record back to its pool (cool-down for the owner if the rules say so). */
  returnToPool(recordId: string, options?: { poolId?: string; reason?: string }, ctx?: SalesCallContext): Promise<SalesResult>;
  /**
   * Sends many owned records back to their pool in sized batches (one transaction each,
   * `batchSize` as `createMany`), each exactly as `returnToPool` would (the owner, or the `assign`
   * permission; pool config; the owner's cool-down; a `returned` history event and a
   * `dealflow.assigned` message), with a result per id in input order. A refused id (not the
   * actor's to return `FORBIDDEN`, already in the pool `REJECTED`, missing `NOT_FOUND`) writes
   * nothing and does not sink its batch, unless `allOrNothing`. Running it again refuses the
   * ids already returned (`REJECTED`) and writes nothing for them.
   *
   * @example
   * ```ts
   * const res = await engine.returnManyToPool(staleIds, { reason: 'stale', batchSize: 500 }, { actor: engine.system })
   * res.filter((r) => !r.ok) // [{ ok: false, index, error: { code: 'REJECTED', message: "Record 'x' is already in the public pool …" } }]
   * ```
   */
  returnManyToPool(recordIds: readonly string[], options?: ReturnManyOptions, ctx?: SalesCallContext): Promise<ReturnManyResult[]>;
  /**
   * Hands many pool records to reps in sized batches (one transaction each, `batchSize` as
   * `createMany`), each exactly as `distribute` would (the actor's `distribute` permission, an
   * active rep; a `distributed` history event and a `dealflow.assigned` message), with a result per
   * item in input order. A refused item (no permission `FORBIDDEN`, already owned `REJECTED`, an
   * inactive or unknown rep `INPUT_INVALID`, missing `NOT_FOUND`) writes nothing and does not sink
   * its batch, unless `allOrNothing`. Running it again refuses the records already distributed.
   *
   * @example
   * ```ts
   * const res = await engine.distributeMany([{ recordId: 'l1', to: 'ann' }, { recordId: 'l2', to: 'bob' }], { actor: { id: 'mia' }, batchSize: 200 })
   * res.map((r) => (r.ok ? r.record.ownerId : r.error.code)) // ['ann', 'REJECTED']
   * ```
   */
  distributeMany(items: readonly DistributeManyItem[], ctx: SalesCallContext & { actor: ActorLike } & DistributeManyOptions): Promise<DistributeManyResult[]>;
  /**
   * Moves every open record of a departing rep, in sized batches (one transaction each, `batchSize`
   * as `createMany`), with a result per record: moved, unplaced (no rep could take it) or refused
   * (e.g. it changed owner meanwhile). Each batch writes its records' `handover` history events and
   * `dealflow.assigned` messages and one `dealflow.handover` audit message, all under one `batchId`.
   * Running it again moves only what is still the rep's. A bad target or a missing `handover`
   * permission fails whole before anything is written.
   *
   * @example
   * ```ts
   * const res = await engine.handover('cat', { to: 'ann' }, { actor: { id: 'mia' }, batchSize: 500 })
   * res.items.filter((i) => i.status === 'refused') // [{ index, recordId, status: 'refused', error: { code: 'REJECTED', … } }]
   * ```
   */
  handover(fromRep: string, target: HandoverTarget, ctx?: SalesCallContext & HandoverOptions): Promise<HandoverResult>;
  /** Approves the pending transition and fires it through the normal send path. */
  approve(recordId: string, ctx: SalesCallContext & { actor: ActorLike; note?: string }): Promise<
    SalesResult & {
      /** The approval that was pending (who asked, for which event). */
      approval: PendingApproval;
      /** The result of the held event, sent now (an `engine.send` result). */
      transition: unknown;
    }
  >;
  /** Rejects the pending transition: the record stays in its stage. */
  reject(recordId: string, ctx: SalesCallContext & { actor: ActorLike; note?: string }): Promise<
    SalesResult & {
      /** The approval that was pending and is now rejected. */
      approval: PendingApproval;
    }
  >;
  /** The record if the actor may read it (`permissions.read`), else null. */
  getFor(recordId: string, ctx: SalesCallContext & { actor: ActorLike }): Promise<StoredRecord | null>;
  /** Records matching the filter that the actor may read. */
  queryFor(filter: RecordQuery, ctx: SalesCallContext & { actor: ActorLike }): Promise<StoredRecord[]>;
  /** Whether the actor may do an action on a record (for UIs). */
  can(action: 'read' | 'edit' | 'claim' | 'distribute' | 'assign' | 'approve' | 'handover' | 'activity' | 'transition', recordId: string, ctx: SalesCallContext & { actor: ActorLike; event?: string }): Promise<boolean>;
  /** The compiled sales rules (null when the engine has none). */
  readonly sales: SalesRules | null;
}

/** What the sales methods need from the engine. */
export interface SalesEngineDeps {
  storage: Storage;
  tenantId: string;
  now(): string;
  maxRetries: number;
  /** The engine's create (used by `createOrMerge`). */
  create(type: string, input: { id?: string; fields?: Record<string, unknown>; ownerId?: string | null; teamId?: string | null }, ctx: { actor?: ActorLike; tenantId?: string }): Promise<SalesResult>;
  /** Fires an event through the engine's send path (used by `approve`); `ctx.actor` is resolved already. */
  send(recordId: string, event: { type: string; fields?: Record<string, unknown>; data?: Record<string, unknown> }, ctx: { actor?: ActorLike; tenantId?: string }): Promise<unknown>;
  /** An actor id as the engine sees it (roles and team from the directory), for a call in `tenantId`. */
  resolveActor(actorId: string, tenantId: string | undefined): Promise<ActorLike>;
}

function noSales(): never {
  throw new DealflowError('INPUT_INVALID', 'This engine has no sales rules: pass createEngine({ rules, directory })');
}

/**
 * Runs a sales batch call (`returnManyToPool`, `distributeMany`, `handover`) on the engine's batch
 * runner: one transaction of the call's tenant per batch, each item through the single
 * operation's own code. Sales operations announce through the outbox, so no typed events.
 */
function runSalesBatches<I, R>(
  deps: SalesEngineDeps,
  tenantId: string | undefined,
  items: readonly I[],
  call: Pick<BatchRun<I, R>, 'what' | 'prefetch' | 'succeeded' | 'onBatch'> & { runItem(tx: StorageTx, item: I): Promise<R> },
  options: BatchOptions<R>,
): Promise<BatchItemResult<R>[]> {
  const { runItem, ...rest } = call;
  return runBatches<I, R>({
    ...rest,
    storage: deps.storage,
    tenantId: tenantId ?? deps.tenantId,
    maxRetries: deps.maxRetries,
    runItem: async (tx, item) => ({ result: await runItem(tx, item), emits: [] }),
    emit: () => {},
  }, items, options);
}

/**
 * The engine plugin of the sales rules: duplicate guard, automatic assignment and escalation
 * timers on create; permissions, approval gate, duplicate keys and timers on every change; a
 * `dealflow.assigned` message when the change gives the record an owner or another one (routed on
 * create, an `assign` action, re-routing on update), written with the change.
 */
export function salesPlugin(sales: SalesRules): EnginePlugin {
  return {
    name: 'dealflow.sales',
    async beforeCommit({ before, after, events, tx, ctx, writeEffects }) {
      const now = after.updatedAt;
      if (before === null) await sales.onCreate(tx, after, events, ctx.actor, now);
      else await sales.onUpdate(tx, before, after, events, ctx.actor, now);
      const event = events[0];
      if (event) {
        const outbox = assignedMessages(before, after, event, before === null ? 'create' : 'reassign');
        if (outbox.length > 0) await writeEffects({ outbox });
      }
    },
  };
}

/**
 * The sales rules as engine hooks: approvals hold sends, escalation and task-reminder timers fire
 * here, and the sales plugin runs on every change.
 */
export function salesHooks(sales: SalesRules): EngineHooks {
  return {
    async holdSend(tx, record, input, at, actor) {
      const held = await sales.requestApproval(tx, record, input, at, actor);
      if (!held) return null;
      const { approval } = held;
      const rejection: Rejection = {
        reason: 'approval_pending', recordId: record.id, event: input.type, stage: record.stage, missingFields: [],
        rule: `$.approvals[${sales.approvals.rules.findIndex((r) => r.id === approval.ruleId)}]`, actorId: actor.id,
        message: `'${input.type}' on record '${record.id}' waits for approval (rule '${approval.ruleId}', approvers: ${approval.approverIds.join(', ') || `role ${approval.approverRole}`})`,
      };
      return { rejection, record: held.record };
    },
    timerKinds: sales.timerKinds,
    fireTimer: (tx, timer, at) => sales.fireTimer(tx, timer, at),
    plugins: [salesPlugin(sales)],
  };
}

/** Builds the sales methods of an engine. */
export function salesEngineApi(sales: SalesRules | null, deps: SalesEngineDeps): SalesEngineApi {
  async function run<T>(ctx: SalesCallContext | undefined, fn: (tx: StorageTx, s: SalesRules, now: string) => Promise<T>): Promise<T> {
    const s = sales ?? noSales();
    return withRetry(deps.storage, ctx?.tenantId ?? deps.tenantId, { maxRetries: deps.maxRetries, what: () => 'sales operation', wrap: false }, (tx) => fn(tx, s, deps.now()));
  }
  const needActor = (ctx: SalesCallContext | undefined, what: string): ActorLike => {
    if (!ctx?.actor || typeof ctx.actor.id !== 'string' || ctx.actor.id.length === 0) throw new DealflowError('INPUT_INVALID', `${what} needs ctx.actor { id }`);
    return ctx.actor;
  };
  return {
    sales,
    assign: (id, opts, ctx) => run(ctx, (tx, s, now) => s.assign(tx, id, now, ctx?.actor, opts)),
    explainAssignment: (input, ctx) => run(ctx, (tx, s, now) => s.explain(tx, input, now)),
    logActivity: (id, activity, ctx) => run(ctx, (tx, s, now) => s.logActivity(tx, id, activity, now, ctx?.actor)),
    addTask: (id, task, ctx) => run(ctx, (tx, s, now) => s.addTask(tx, id, task, now, ctx?.actor)),
    completeTask: (id, taskId, ctx) => run(ctx, (tx, s, now) => s.completeTask(tx, id, taskId, now, ctx?.actor)),
    async createOrMerge(type, input, ctx = {}) {
      try {
        const made = await deps.create(type, input, ctx);
        return { record: made.record, events: made.events, merged: false };
      } catch (e) {
        const existing = isDealflowError(e, 'DUPLICATE') ? (e.details.existingRecordId as string | undefined) : undefined;
        if (!existing) throw e;
        const merged = await run(ctx, (tx, s, now) => s.merge(tx, existing, input.fields ?? {}, now, ctx.actor));
        return { ...merged, merged: true };
      }
    },
    claim: (id, ctx) => { const a = needActor(ctx, `claim of record '${id}'`); return run(ctx, (tx, s, now) => s.claim(tx, id, now, a)); },
    distribute: (id, to, ctx) => { const a = needActor(ctx, `distribute of record '${id}'`); return run(ctx, (tx, s, now) => s.distribute(tx, id, to, now, a)); },
    returnToPool: (id, opts, ctx) => run(ctx, (tx, s, now) => s.returnToPool(tx, id, now, ctx?.actor, opts)),
    async returnManyToPool(recordIds, options = {}, ctx = {}) {
      const s = sales ?? noSales();
      const what = 'returnManyToPool';
      if (!Array.isArray(recordIds)) throw new DealflowError('INPUT_INVALID', `${what}: recordIds must be an array`);
      const { onBatch, batchSize, targetMs, allOrNothing, poolId, reason } = options;
      const opts = { ...(poolId !== undefined ? { poolId } : {}), ...(reason !== undefined ? { reason } : {}) };
      const now = deps.now();
      const results = await runSalesBatches<string, { ok: true } & SalesResult>(deps, ctx.tenantId, recordIds, {
        what,
        prefetch: (ids) => [...ids],
        runItem: async (tx, recordId) => ({ ok: true, ...(await s.returnToPoolItem(tx, recordId, now, ctx.actor, opts)) }),
        ...(onBatch ? { onBatch: (b) => onBatch({ from: b.from, to: b.to, ms: b.ms, returned: b.ok, refused: b.refused }) } : {}),
      }, { batchSize, targetMs, allOrNothing });
      return results as ReturnManyResult[];
    },
    async distributeMany(items, ctx) {
      const s = sales ?? noSales();
      const what = 'distributeMany';
      const a = needActor(ctx, what);
      if (!Array.isArray(items)) throw new DealflowError('INPUT_INVALID', `${what}: items must be an array`);
      const { onBatch, batchSize, targetMs, allOrNothing } = ctx;
      const now = deps.now();
      const results = await runSalesBatches<DistributeManyItem, { ok: true } & SalesResult>(deps, ctx.tenantId, items, {
        what,
        prefetch: (batch) => batch.map((it) => it.recordId),
        runItem: async (tx, it) => ({ ok: true, ...(await s.distributeItem(tx, it.recordId, it.to, now, a)) }),
        ...(onBatch ? { onBatch: (b) => onBatch({ from: b.from, to: b.to, ms: b.ms, distributed: b.ok, refused: b.refused }) } : {}),
      }, { batchSize, targetMs, allOrNothing });
      return results as DistributeManyResult[];
    },
    async handover(from, target, ctx = {}) {
      const s = sales ?? noSales();
      const now = deps.now();
      // checked before the plan's transaction: a bad size writes nothing
      batchSizeOf(`handover of '${from}'`, ctx.batchSize);
      const { plan, recordIds } = await run(ctx, (tx) => s.planHandover(tx, from, target, now, ctx.actor));
      const result: HandoverResult = { batchId: plan.batchId, from, moved: [], unplaced: [], refused: [], items: [] };
      const itemOf = (r: BatchItemResult<HandoverOutcome>): HandoverItemResult => ('error' in r
        ? { index: r.index, status: 'refused', recordId: recordIds[r.index]!, error: r.error }
        : r);
      const audit = (items: readonly HandoverItemResult[]): Omit<HandoverResult, 'items'> => ({
        batchId: plan.batchId,
        from,
        moved: items.flatMap((i) => (i.status === 'moved' ? [{ recordId: i.recordId, to: i.to, poolId: i.poolId }] : [])),
        unplaced: items.flatMap((i) => (i.status === 'unplaced' ? [{ recordId: i.recordId, reason: i.reason }] : [])),
        refused: items.flatMap((i) => (i.status === 'refused' ? [{ recordId: i.recordId, error: i.error }] : [])),
      });
      if (recordIds.length === 0) {
        await run(ctx, (tx) => s.writeHandoverAudit(tx, plan, 0, audit([]), now));
        return result;
      }
      const { onBatch } = ctx;
      const results = await runSalesBatches<string, HandoverOutcome>(deps, ctx.tenantId, recordIds, {
        what: `handover of '${from}'`,
        prefetch: (ids) => [...ids],
        runItem: (tx, recordId) => s.handoverRecord(tx, plan, recordId, now),
        succeeded: (r) => r.status === 'moved',
        ...(onBatch ? { onBatch: (b) => onBatch({ from: b.from, to: b.to, ms: b.ms, moved: b.ok, notMoved: b.refused }) } : {}),
      }, {
        batchSize: ctx.batchSize,
        targetMs: ctx.targetMs,
        allOrNothing: ctx.allOrNothing,
        // the batch's audit message commits with its records (a refused item is in it too)
        withinBatch: (tx, b) => s.writeHandoverAudit(tx, plan, b.from, audit(b.results.map(itemOf)), now),
      });
      const items = results.map(itemOf);
      return { ...audit(items), items };
    },
    async approve(id, ctx) {
      const a = needActor(ctx, `approve of record '${id}'`);
      const decided = await run(ctx, (tx, s, now) => s.decideApproval(tx, id, 'approve', now, a, ctx.note));
      const held = decided.approval;
      // the held event fires as the rep who asked for it, resolved from the directory like any caller
      const requester = await deps.resolveActor(held.requestedBy, ctx.tenantId);
      const transition = await deps.send(id, { type: held.event, ...(held.fields ? { fields: held.fields } : {}), ...(held.data ? { data: held.data } : {}) }, { actor: requester, tenantId: ctx.tenantId });
      return { ...decided, transition };
    },
    reject: (id, ctx) => { const a = needActor(ctx, `reject of record '${id}'`); return run(ctx, (tx, s, now) => s.decideApproval(tx, id, 'reject', now, a, ctx.note)); },
    async getFor(id, ctx) {
      const s = sales ?? noSales();
      const a = needActor(ctx, 'getFor');
      const r = await deps.storage.getRecord(ctx.tenantId ?? deps.tenantId, id);
      return r && (await s.permissions.can('read', a, r, deps.now())) ? r : null;
    },
    async queryFor(filter, ctx) {
      const s = sales ?? noSales();
      const a = needActor(ctx, 'queryFor');
      const now = deps.now();
      const all = await deps.storage.queryRecords(ctx.tenantId ?? deps.tenantId, filter);
      const keep = await Promise.all(all.map((r) => s.permissions.can('read', a, r, now)));
      return all.filter((_, i) => keep[i]);
    },
    async can(action, id, ctx) {
      const s = sales ?? noSales();
      const a = needActor(ctx, 'can');
      const r = await deps.storage.getRecord(ctx.tenantId ?? deps.tenantId, id);
      if (!r) throw new DealflowError('NOT_FOUND', `Record '${id}' does not exist`, { details: { recordId: id } });
      return s.permissions.can(action, a, r, deps.now(), ctx.event);
    },
  };
}
