/**
 * Sales rules operations (hooks); each runs inside the caller's store transaction.
 */
import { DealflowError } from '@dealflow/logic';
import type { HistoryEvent, StorageTx, StoredRecord } from '../storage/types.js';
import type { AssignmentDecision } from '../assignment/assigner.js';
import type { PendingApproval } from '../approvals/schema.js';
import type { ActorLike } from '../permissions/evaluator.js';
import type { SalesKit } from './kit.js';

/** Create path (engine plugin): duplicate guard, automatic assignment, escalation timers. */
export async function onCreate(kit: SalesKit, tx: StorageTx, after: StoredRecord, events: HistoryEvent[], actor: ActorLike | undefined, now: string): Promise<AssignmentDecision | null> {
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
  void actor;
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
  const changed = Object.keys({ ...before.fields, ...after.fields }).filter((k) => JSON.stringify(before.fields[k]) !== JSON.stringify(after.fields[k]));
  if (changed.length > 0 && actor) {
    const denied = await kit.permissions.forbiddenFields(who, before, changed, now);
    if (denied.length > 0) throw new DealflowError('FORBIDDEN', `Actor '${who.id}' may not edit ${denied.map((f) => `'${f}'`).join(', ')} of record '${before.id}'`, { details: { actorId: who.id, recordId: before.id, fields: denied } });
  }
  if (changed.length > 0 && kit.duplicates?.guards(after.type)) await kit.duplicates.enforce(tx, before, after);
  await kit.escalator.schedule(tx, after, now);
}
