/**
 * Sales rules operations (hooks); each runs inside the caller's store transaction.
 */
import { DealflowError } from '@dealflow/logic';
import type { HistoryEvent, StorageTx, StoredRecord } from '../storage/types.js';
import type { AssignmentDecision } from '../assignment/assigner.js';
import type { PendingApproval } from '../approvals/schema.js';
import type { ActorLike } from '../permissions/evaluator.js';
import type { Strategy } from '../assignment/schema.js';
import type { SalesKit } from './kit.js';

/** Create path (engine plugin): duplicate guard, automatic assignment, escalation timers. */
export async function onCreate(kit: SalesKit, tx: StorageTx, after: StoredRecord, events: HistoryEvent[], actor: ActorLike | undefined, now: string): Promise<AssignmentDecision | null> {
  await kit.permissions.assert('create', kit.actorOf(actor), after, now);
  if (kit.duplicates?.guards(after.type)) await kit.duplicates.enforce(tx, null, after);
  let decision: AssignmentDecision | null = null;
  const auto = kit.assigner && kit.assigner.config.onCreate !== false && (!kit.assigner.config.types || kit.assigner.config.types.includes(after.type));
  if (auto && !after.ownerId) {
    decision = await kit.assigner.decide(tx, after, now);
    const { ownerId: _o, ...rest } = decision;
    void _o;
    kit.applyDecision(after, decision, now, 'create');
    const created = events[0];
    if (created) created.data = { ...created.data, assignment: { ...rest, ownerId: decision.ownerId } };
  } else if (after.ownerId) {
    after.meta = { ...after.meta, assignment: { at: now, ruleId: null, strategy: null, via: 'create', reason: `owner '${after.ownerId}' given on create` } };
  }
  await kit.escalator.schedule(tx, after, now);
  return decision;
}

/** Update path (engine plugin): permissions, approval gate, duplicate keys, escalation timers. */
export async function onUpdate(kit: SalesKit, tx: StorageTx, before: StoredRecord, after: StoredRecord, events: HistoryEvent[], actor: ActorLike | undefined, now: string): Promise<void> {
  const who = kit.actorOf(actor);
  for (const e of events) {
    if (e.kind === 'transition' && e.event) {
      await kit.permissions.assert('transition', who, before, now, e.event);
      const pending = before.meta.pendingApproval as (PendingApproval & { status?: string }) | undefined;
      const rule = kit.approvals.required(before, { type: e.event, fields: after.fields }, who, now);
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
  for (const e of events) if (e.data.assignRequest) await assignByAction(kit, tx, after, e, now);
  const changed = Object.keys({ ...before.fields, ...after.fields }).filter((k) => JSON.stringify(before.fields[k]) !== JSON.stringify(after.fields[k]));
  if (changed.length > 0 && actor) {
    const denied = await kit.permissions.forbiddenFields(who, before, changed, now);
    if (denied.length > 0) throw new DealflowError('FORBIDDEN', `Actor '${who.id}' may not edit ${denied.map((f) => `'${f}'`).join(', ')} of record '${before.id}'`, { details: { actorId: who.id, recordId: before.id, fields: denied } });
  }
  if (changed.length > 0 && kit.duplicates?.guards(after.type)) await kit.duplicates.enforce(tx, before, after);
  if (changed.length > 0) await rerouteOnUpdate(kit, tx, before, after, events, now);
  await kit.escalator.schedule(tx, after, now);
}

/** A transition's `assign` action with a strategy: the record is routed by it on entering the stage. */
async function assignByAction(kit: SalesKit, tx: StorageTx, after: StoredRecord, e: HistoryEvent, now: string): Promise<void> {
  const req = e.data.assignRequest as { strategy: 'rules' | 'roundRobin' | 'leastLoaded' | 'pool'; team: string | null; pool: string | null; action: string };
  const strategy: Strategy | 'rules' = req.strategy === 'rules' ? 'rules' : req.strategy === 'pool' ? { strategy: 'pool', pool: req.pool! } : { strategy: req.strategy, team: req.team! };
  const decision = await kit.decideFor(tx, after, now, strategy, []);
  if (decision.ownerId === null && decision.poolId === null) {
    throw new DealflowError('REJECTED', `record '${after.id}': assign action ${req.action} found no rep: ${decision.reason}`, { details: { recordId: after.id, action: req.action } });
  }
  const previous = after.ownerId;
  kit.applyDecision(after, decision, now, 'transition');
  // tasks this transition created for the previous owner go to the new one
  const made = new Set(((e.data.tasks as Array<{ id: string }> | undefined) ?? []).map((t) => t.id));
  if (made.size > 0 && Array.isArray(after.meta.tasks)) {
    after.meta = { ...after.meta, tasks: (after.meta.tasks as Array<{ id: string; ownerId: string | null }>).map((t) => (made.has(t.id) && t.ownerId === previous ? { ...t, ownerId: after.ownerId } : t)) };
  }
  const { ownerId: _o, ...rest } = decision;
  void _o;
  e.data = { ...e.data, assignRequest: undefined, assignment: { ...rest, ownerId: decision.ownerId } };
  delete e.data.assignRequest;
}

/**
 * Assignment on update: when a change of the record's data makes another rule the first matching
 * one, and that rule routes on `update`, the record is assigned again by it (owner, team or pool,
 * `meta.assignment.via: 'update'`), noted in the change's history event.
 */
async function rerouteOnUpdate(kit: SalesKit, tx: StorageTx, before: StoredRecord, after: StoredRecord, events: HistoryEvent[], now: string): Promise<void> {
  const assigner = kit.assigner;
  if (!assigner || !assigner.config.rules.some((r) => r.on?.includes('update'))) return;
  if (assigner.config.types && !assigner.config.types.includes(after.type)) return;
  if (kit.openStages && !kit.openStages.includes(after.stage)) return;
  const rule = assigner.matchingRule(after, now);
  if (!rule || !rule.on?.includes('update') || rule.id === assigner.matchingRule(before, now)?.id) return;
  const decision = await assigner.decide(tx, after, now);
  if (decision.ruleId === null || (decision.ownerId === after.ownerId && decision.poolId === null)) return;
  kit.applyDecision(after, decision, now, 'update');
  const { ownerId: _o, ...rest } = decision;
  void _o;
  const e = events[events.length - 1];
  if (e) e.data = { ...e.data, assignment: { ...rest, ownerId: decision.ownerId } };
}
