/**
 * Sales rules operations (approvals); each runs inside the caller's store transaction.
 */
import { DealflowError } from '@dealflow/logic';
import type { StorageTx, StoredRecord } from '../storage/types.js';
import type { ActorLike } from '../permissions/evaluator.js';
import type { SalesKit } from '../sales/kit.js';
import { cloneRecord, loadRecord } from '../sales/records.js';
import type { SalesResult } from '../sales/types.js';
import type { PendingApproval } from './schema.js';

/** Holds a transition that needs approval: writes `meta.pendingApproval` and notifies the approvers; null when none is needed. */
export async function requestApproval(kit: SalesKit, tx: StorageTx, record: StoredRecord, event: { type: string; fields?: Record<string, unknown>; data?: Record<string, unknown> }, now: string, actor?: ActorLike): Promise<(SalesResult & { approval: PendingApproval }) | null> {
  const who = kit.actorOf(actor);
  const pending = record.meta.pendingApproval as (PendingApproval & { status?: string }) | undefined;
  if (pending && pending.status === 'approved' && pending.event === event.type) return null; // approved: let it through
  const rule = kit.approvals.required(record, event, who, now);
  if (!rule) return null;
  if (pending) throw new DealflowError('REJECTED', `Record '${record.id}' already waits for approval of '${pending.event}' (rule '${pending.ruleId}')`, { details: { recordId: record.id, pendingApproval: pending.id } });
  await kit.permissions.assert('transition', who, record, now, event.type);
  const approvers = await kit.approvals.approversFor(rule, record);
  if (approvers.ids.length === 0 && !approvers.role) throw new DealflowError('REJECTED', `Approval rule '${rule.id}' for '${event.type}' on record '${record.id}' names no approver (owner '${record.ownerId ?? 'none'}' has no ${JSON.stringify(rule.approver)})`, { details: { recordId: record.id, approvalRule: rule.id } });
  const approval: PendingApproval & { status: string } = { id: kit.newId('apr'), ruleId: rule.id, event: event.type, fields: event.fields, data: event.data, requestedBy: who.id, requestedAt: now, approverIds: approvers.ids, approverRole: approvers.role, status: 'pending' };
  const before = await loadRecord(tx, record.id);
  const next = cloneRecord(before);
  next.meta = { ...next.meta, pendingApproval: approval };
  const res = await kit.commit(tx, before, next, { kind: 'approval_requested', actorId: who.id, event: event.type, data: { approval: { ...approval } } }, now);
  await kit.notify(tx, res.record, approvers.ids, `Approval needed: '${event.type}' on ${record.type} '${record.id}' (rule '${rule.id}')`, { at: now, approvalId: approval.id, ruleId: rule.id, role: approvers.role }, res.events[0]!.id);
  return { ...res, approval };
}

/** Records the approver's decision; an approved event is then fired by the engine. */
export async function decideApproval(kit: SalesKit, tx: StorageTx, recordId: string, decision: 'approve' | 'reject', now: string, actor: ActorLike, note?: string): Promise<SalesResult & { approval: PendingApproval }> {
  const before = await loadRecord(tx, recordId);
  const pending = before.meta.pendingApproval as (PendingApproval & { status?: string }) | undefined;
  if (!pending || pending.status !== 'pending') throw new DealflowError('CONFLICT', `Record '${recordId}' has no pending approval`, { details: { recordId } });
  const rep = await kit.directory.getRep(actor.id);
  const isApprover = pending.approverIds.includes(actor.id) || (pending.approverRole !== null && ((rep?.roles ?? []).includes(pending.approverRole) || (actor.roles ?? []).includes(pending.approverRole)));
  const byRule = kit.permissions.config.approve !== undefined && (await kit.permissions.can('approve', actor, before, now));
  if (!isApprover && !byRule) throw new DealflowError('FORBIDDEN', `Actor '${actor.id}' may not decide approval '${pending.ruleId}' of record '${recordId}' (approvers: ${pending.approverIds.join(', ') || `role ${pending.approverRole}`})`, { details: { recordId, actorId: actor.id } });
  const next = cloneRecord(before);
  const decided = { ...pending, status: decision === 'approve' ? 'approved' : 'rejected', decidedBy: actor.id, decidedAt: now, note: note ?? null };
  if (decision === 'approve') next.meta = { ...next.meta, pendingApproval: decided };
  else {
    const meta = { ...next.meta };
    delete meta.pendingApproval;
    next.meta = meta;
  }
  const res = await kit.commit(tx, before, next, { kind: 'approval', actorId: actor.id, event: pending.event, data: { decision: decision === 'approve' ? 'approved' : 'rejected', approverId: actor.id, ruleId: pending.ruleId, approvalId: pending.id, note: note ?? null } }, now);
  await kit.notify(tx, res.record, [pending.requestedBy], `Approval of '${pending.event}' on record '${recordId}' ${decision === 'approve' ? 'approved' : 'rejected'} by '${actor.id}'`, { at: now, approvalId: pending.id }, res.events[0]!.id);
  return { ...res, approval: pending };
}
