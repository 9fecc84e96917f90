/**
 * Sales rules operations (assign); each runs inside the caller's store transaction.
 */
import { DealflowError } from '@dealflow/logic';
import type { StorageTx } from '../storage/types.js';
import type { ActorLike } from '../permissions/evaluator.js';
import type { SalesKit } from '../sales/kit.js';
import { cloneRecord, loadRecord } from '../sales/records.js';
import type { AssignResult, HandoverResult, HandoverTarget } from '../sales/types.js';
import type { AssignmentDecision } from './assigner.js';
import type { Strategy } from './schema.js';
import { writeOwnerChange } from './owner-change.js';

/** Assigns a record by the rules, a strategy or by hand; writes an `assigned` event naming the rule. */
export async function assignRecord(kit: SalesKit, tx: StorageTx, recordId: string, now: string, actor?: ActorLike, opts: { to?: string; strategy?: Strategy } = {}): Promise<AssignResult> {
  const before = await loadRecord(tx, recordId);
  if (actor) await kit.permissions.assert('assign', actor, before, now);
  let decision: AssignmentDecision;
  if (opts.to) {
    const rep = await kit.directory.getRep(opts.to);
    if (!rep || rep.active === false) throw new DealflowError('INPUT_INVALID', `Cannot assign record '${recordId}' to '${opts.to}': ${rep ? 'the rep is inactive' : 'no such rep in the directory'}`, { details: { recordId, repId: opts.to } });
    decision = { ruleId: null, ruleIndex: null, strategy: 'owner', ownerId: rep.id, teamId: rep.teamIds?.[0] ?? before.teamId, poolId: null, turn: null, reason: `assigned by hand to '${rep.id}'` };
  } else {
    decision = await kit.decideFor(tx, before, now, opts.strategy ?? 'rules', []);
  }
  const next = cloneRecord(before);
  kit.applyDecision(next, decision, now, opts.to ? 'manual' : opts.strategy ? 'strategy' : 'rules');
  const { record, events } = await writeOwnerChange(kit, tx, { before, after: next, event: { kind: 'assigned', actorId: kit.actorOf(actor).id, data: { ...decision, from: before.ownerId } }, reason: 'reassign', now });
  return { record, events, decision };
}

/**
 * A handover about to run: the departing rep, the checked target, the batch id of its audit, who
 * acts and which stages count as open. {@link planHandover} makes it (permission and target checked
 * once); {@link handoverRecord} moves one record by it.
 */
export interface HandoverPlan {
  /** Id of the handover, in every `handover` history event and `dealflow.handover` message. */
  batchId: string;
  /** The departing rep. */
  from: string;
  /** Where the records go (checked). */
  target: HandoverTarget;
  /** Who acts (its id goes into the history and the audit). */
  actorId: string;
  /** The stages a record must be in to move (null: every stage). */
  openStages: readonly string[] | null;
}

/** What {@link handoverRecord} did with one record: moved (to an owner or a pool) or left unplaced. */
export type HandoverOutcome =
  | { status: 'moved'; recordId: string; to: string | null; poolId: string | null }
  | { status: 'unplaced'; recordId: string; reason: string };

/**
 * Checks a handover once (the `handover` permission of the actor on the departing rep's records, an
 * active target rep that is not the departing one) and lists the departing rep's open records as
 * they are now. Fails whole (`FORBIDDEN`, `INPUT_INVALID`) before anything is written.
 */
export async function planHandover(kit: SalesKit, tx: StorageTx, fromRep: string, target: HandoverTarget, now: string, actor?: ActorLike): Promise<{ plan: HandoverPlan; recordIds: string[] }> {
  const who = kit.actorOf(actor);
  const rep = await kit.directory.getRep(fromRep);
  if (actor) await kit.permissions.assert('handover', who, { id: null, ownerId: fromRep, teamId: rep?.teamIds?.[0] ?? null }, now);
  if ('to' in target) {
    const to = await kit.directory.getRep(target.to);
    if (!to || to.active === false) throw new DealflowError('INPUT_INVALID', `Handover target '${target.to}' is ${to ? 'inactive' : 'not in the directory'}`, { details: { from: fromRep, to: target.to } });
    if (to.id === fromRep) throw new DealflowError('INPUT_INVALID', `Handover of '${fromRep}' to themselves`);
  }
  const openStages = kit.assigner?.config.openStages ?? kit.openStages ?? null;
  const records = await tx.queryRecords(openStages ? { ownerId: fromRep, stage: [...openStages] } : { ownerId: fromRep });
  const plan: HandoverPlan = { batchId: kit.newId('batch'), from: fromRep, target, actorId: who.id, openStages };
  return { plan, recordIds: records.map((r) => r.id) };
}

/**
 * Moves one record of a handover in the open transaction: the record must still be the departing
 * rep's and open (else it is refused with `REJECTED`, naming the record and its owner or stage now:
 * the item fails, its batch goes on), then it is placed by the plan's target and written through {@link writeOwnerChange} (a `handover`
 * history event, a `dealflow.assigned` message). A record no rep can take stays where it is
 * (`status: 'unplaced'` with the reason).
 */
export async function handoverRecord(kit: SalesKit, tx: StorageTx, plan: HandoverPlan, recordId: string, now: string): Promise<HandoverOutcome> {
  const before = await loadRecord(tx, recordId);
  if (before.ownerId !== plan.from) {
    throw new DealflowError('REJECTED', `Handover of '${plan.from}': record '${recordId}' is now owned by ${before.ownerId === null ? 'nobody (pool)' : `'${before.ownerId}'`}`, { details: { recordId, from: plan.from, ownerId: before.ownerId } });
  }
  if (plan.openStages && !plan.openStages.includes(before.stage)) {
    throw new DealflowError('REJECTED', `Handover of '${plan.from}': record '${recordId}' is no longer open (stage '${before.stage}')`, { details: { recordId, from: plan.from, stage: before.stage } });
  }
  const { target } = plan;
  const next = cloneRecord(before);
  let decision: AssignmentDecision;
  if ('to' in target) {
    const to = await kit.directory.getRep(target.to);
    if (!to || to.active === false) throw new DealflowError('REJECTED', `Handover of record '${recordId}': target '${target.to}' is no longer active`, { details: { recordId, to: target.to } });
    decision = { ruleId: null, ruleIndex: null, strategy: 'owner', ownerId: to.id, teamId: to.teamIds?.[0] ?? before.teamId, poolId: null, turn: null, reason: `handover to '${to.id}'` };
  } else if ('pool' in target) {
    const poolId = target.pool === true ? kit.poolOf(before) : target.pool;
    decision = { ruleId: null, ruleIndex: null, strategy: 'pool', ownerId: null, teamId: poolId, poolId, turn: null, reason: `handover to pool '${poolId}'` };
  } else {
    decision = await kit.decideFor(tx, before, now, target.strategy, [plan.from]);
  }
  if (!decision.ownerId && !decision.poolId) return { status: 'unplaced', recordId, reason: decision.reason };
  if (decision.poolId) kit.intoPool(next, decision.poolId, 'handover', now);
  else kit.applyDecision(next, decision, now, 'handover');
  await writeOwnerChange(kit, tx, { before, after: next, event: { kind: 'handover', actorId: plan.actorId, data: { batchId: plan.batchId, from: plan.from, to: decision.ownerId, poolId: decision.poolId, ruleId: decision.ruleId, reason: decision.reason } }, reason: 'handover', now });
  return { status: 'moved', recordId, to: decision.ownerId, poolId: decision.poolId };
}

/**
 * Writes the `dealflow.handover` audit message of the records one transaction of a handover moved,
 * left unplaced or refused, in that transaction. `offset` is the position of the transaction's first
 * record in the handover's list: the message id is `handover:<batchId>` for the first transaction and
 * `handover:<batchId>:<offset>` for the next ones (the same id when a batch is retried).
 */
export async function writeHandoverAudit(kit: SalesKit, tx: StorageTx, plan: HandoverPlan, offset: number, result: Omit<HandoverResult, 'items'>, now: string): Promise<void> {
  const id = offset === 0 ? `handover:${plan.batchId}` : `handover:${plan.batchId}:${offset}`;
  await kit.effects(tx, { outbox: [{ tenantId: tx.tenantId, id, recordId: null, type: 'dealflow.handover', payload: { ...result, offset, actorId: plan.actorId, at: now }, createdAt: now }] });
}

/** Moves every open record of a rep in the given transaction (one audit message); `engine.handover` runs it in sized batches instead. */
export async function handover(kit: SalesKit, tx: StorageTx, fromRep: string, target: HandoverTarget, now: string, actor?: ActorLike): Promise<HandoverResult> {
  const { plan, recordIds } = await planHandover(kit, tx, fromRep, target, now, actor);
  const result: HandoverResult = { batchId: plan.batchId, from: fromRep, moved: [], unplaced: [], refused: [], items: [] };
  for (const [index, recordId] of recordIds.entries()) {
    const out = await handoverRecord(kit, tx, plan, recordId, now);
    if (out.status === 'moved') result.moved.push({ recordId, to: out.to, poolId: out.poolId });
    else result.unplaced.push({ recordId, reason: out.reason });
    result.items.push({ index, ...out });
  }
  const { items: _items, ...audit } = result;
  await writeHandoverAudit(kit, tx, plan, 0, audit, now);
  return result;
}
