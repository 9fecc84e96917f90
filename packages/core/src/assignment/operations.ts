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

/** Moves every open record of a rep in one batch (one transaction, one audit message). */
export async function handover(kit: SalesKit, tx: StorageTx, fromRep: string, target: HandoverTarget, now: string, actor?: ActorLike): Promise<HandoverResult> {
  const who = kit.actorOf(actor);
  const rep = await kit.directory.getRep(fromRep);
  if (actor) await kit.permissions.assert('handover', who, { id: null, ownerId: fromRep, teamId: rep?.teamIds?.[0] ?? null }, now);
  if ('to' in target) {
    const to = await kit.directory.getRep(target.to);
    if (!to || to.active === false) throw new DealflowError('INPUT_INVALID', `Handover target '${target.to}' is ${to ? 'inactive' : 'not in the directory'}`, { details: { from: fromRep, to: target.to } });
    if (to.id === fromRep) throw new DealflowError('INPUT_INVALID', `Handover of '${fromRep}' to themselves`);
  }
  const openStages = kit.assigner?.config.openStages ?? kit.openStages;
  const records = await tx.queryRecords(openStages ? { ownerId: fromRep, stage: openStages } : { ownerId: fromRep });
  const batchId = kit.newId('batch');
  const result: HandoverResult = { batchId, from: fromRep, moved: [], unplaced: [] };
  for (const record of records) {
    const before = await loadRecord(tx, record.id);
    const next = cloneRecord(before);
    let decision: AssignmentDecision;
    if ('to' in target) {
      const to = (await kit.directory.getRep(target.to))!;
      decision = { ruleId: null, ruleIndex: null, strategy: 'owner', ownerId: to.id, teamId: to.teamIds?.[0] ?? before.teamId, poolId: null, turn: null, reason: `handover to '${to.id}'` };
    } else if ('pool' in target) {
      const poolId = target.pool === true ? kit.poolOf(before) : target.pool;
      decision = { ruleId: null, ruleIndex: null, strategy: 'pool', ownerId: null, teamId: poolId, poolId, turn: null, reason: `handover to pool '${poolId}'` };
    } else {
      decision = await kit.decideFor(tx, before, now, target.strategy, [fromRep]);
    }
    if (!decision.ownerId && !decision.poolId) {
      result.unplaced.push({ recordId: before.id, reason: decision.reason });
      continue;
    }
    if (decision.poolId) kit.intoPool(next, decision.poolId, 'handover', now);
    else kit.applyDecision(next, decision, now, 'handover');
    await writeOwnerChange(kit, tx, { before, after: next, event: { kind: 'handover', actorId: who.id, data: { batchId, from: fromRep, to: decision.ownerId, poolId: decision.poolId, ruleId: decision.ruleId, reason: decision.reason } }, reason: 'handover', now });
    result.moved.push({ recordId: before.id, to: decision.ownerId, poolId: decision.poolId });
  }
  await kit.effects(tx, { outbox: [{ tenantId: tx.tenantId, id: `handover:${batchId}`, recordId: null, type: 'dealflow.handover', payload: { ...result, actorId: who.id, at: now }, createdAt: now }] });
  return result;
}
