/**
 * Sales rules operations (pool); each runs inside the caller's store transaction.
 */
import { DealflowError } from '@dealflow/logic';
import type { HistoryEvent, StorageTx, StoredRecord } from '../storage/types.js';
import { periodKey } from '../assignment/period.js';
import type { ActorLike } from '../permissions/evaluator.js';
import type { SalesKit } from '../sales/kit.js';
import { cloneRecord, loadRecord } from '../sales/records.js';
import type { SalesResult } from '../sales/types.js';
import type { PoolState } from './schema.js';
import { writeOwnerChange } from '../assignment/owner-change.js';

/** What an owner change answers to the caller (the written record and its event). */
const result = ({ record, events }: SalesResult & { event: HistoryEvent }): SalesResult => ({ record, events });

/** A rep (the actor) claims a pool record: permission, cool-down, capacity and claim limit are checked. */
export async function claim(kit: SalesKit, tx: StorageTx, recordId: string, now: string, actor: ActorLike): Promise<SalesResult> {
  const before = await loadRecord(tx, recordId);
  if (before.ownerId) throw new DealflowError('CONFLICT', `Record '${recordId}' is owned by '${before.ownerId}'; only records in the public pool can be claimed`, { details: { recordId, ownerId: before.ownerId } });
  await kit.permissions.assert('claim', actor, before, now);
  const rep = await kit.directory.getRep(actor.id);
  if (!rep || rep.active === false) throw new DealflowError('FORBIDDEN', `'${actor.id}' is not an active rep and cannot claim record '${recordId}'`, { details: { recordId, repId: actor.id } });
  const state = before.meta.pool as PoolState | undefined;
  const until = state?.cooldown?.[actor.id];
  if (until && until > now) throw new DealflowError('FORBIDDEN', `Rep '${actor.id}' returned record '${recordId}' and may not re-claim it before ${until}`, { details: { recordId, repId: actor.id, cooldownUntil: until } });
  if (kit.assigner) {
    const cap = await kit.assigner.hasCapacity(tx, rep, now, false, true);
    if (!cap.ok) throw new DealflowError('REJECTED', `Rep '${actor.id}' cannot claim record '${recordId}': ${cap.reason}`, { details: { recordId, repId: actor.id } });
  }
  if (kit.pool?.claimLimit) {
    const key = `pool:claims:${actor.id}:${periodKey(now, kit.pool.claimLimit.period, kit.pool.timeZone ?? 'UTC')}`;
    const used = await tx.incrementCounter(key, 1);
    if (used > kit.pool.claimLimit.max) {
      throw new DealflowError('REJECTED', `Rep '${actor.id}' reached the claim limit (${kit.pool.claimLimit.max} per ${kit.pool.claimLimit.period}); record '${recordId}' stays in the pool`, { details: { recordId, repId: actor.id, limit: kit.pool.claimLimit.max } });
    }
  }
  const next = cloneRecord(before);
  next.ownerId = actor.id;
  next.teamId = rep.teamIds?.[0] ?? before.teamId;
  next.meta = { ...next.meta, pool: state ? { ...state, claimedBy: actor.id, claimedAt: now } : undefined, assignment: { at: now, ruleId: null, strategy: null, via: 'claim', reason: `claimed from pool '${state?.poolId ?? before.teamId ?? '?'}'` } };
  if (next.meta.pool === undefined) delete next.meta.pool;
  return result(await writeOwnerChange(kit, tx, { before, after: next, event: { kind: 'claimed', actorId: actor.id, data: { poolId: state?.poolId ?? before.teamId, ownerId: actor.id } }, reason: 'claim', now }));
}

/** A manager hands a pool record to a rep. */
export async function distribute(kit: SalesKit, tx: StorageTx, recordId: string, to: string, now: string, actor: ActorLike): Promise<SalesResult> {
  return distributeLoaded(kit, tx, await loadRecord(tx, recordId), to, now, actor);
}

/** {@link distribute} of a record already loaded in `tx`. */
async function distributeLoaded(kit: SalesKit, tx: StorageTx, before: StoredRecord, to: string, now: string, actor: ActorLike): Promise<SalesResult> {
  const recordId = before.id;
  if (before.ownerId) throw new DealflowError('CONFLICT', `Record '${recordId}' is owned by '${before.ownerId}'; only records in the public pool can be distributed`, { details: { recordId, ownerId: before.ownerId } });
  await kit.permissions.assert('distribute', actor, before, now);
  const rep = await kit.directory.getRep(to);
  if (!rep || rep.active === false) throw new DealflowError('INPUT_INVALID', `Cannot distribute record '${recordId}' to '${to}': ${rep ? 'inactive rep' : 'no such rep'}`, { details: { recordId, repId: to } });
  const next = cloneRecord(before);
  next.ownerId = rep.id;
  next.teamId = rep.teamIds?.[0] ?? before.teamId;
  next.meta = { ...next.meta, assignment: { at: now, ruleId: null, strategy: null, via: 'distribute', reason: `distributed by '${actor.id}'` } };
  return result(await writeOwnerChange(kit, tx, { before, after: next, event: { kind: 'distributed', actorId: actor.id, data: { poolId: (before.meta.pool as PoolState | undefined)?.poolId ?? before.teamId, ownerId: rep.id } }, reason: 'reassign', now }));
}

/** Sends an owned record back to its pool (cool-down for the owner when configured). */
export async function returnToPool(kit: SalesKit, tx: StorageTx, recordId: string, now: string, actor?: ActorLike, opts: { poolId?: string; reason?: string } = {}): Promise<SalesResult> {
  return returnLoaded(kit, tx, await loadRecord(tx, recordId), now, actor, opts);
}

/** {@link returnToPool} of a record already loaded in `tx`. */
async function returnLoaded(kit: SalesKit, tx: StorageTx, before: StoredRecord, now: string, actor?: ActorLike, opts: { poolId?: string; reason?: string } = {}): Promise<SalesResult> {
  const recordId = before.id;
  const who = kit.actorOf(actor);
  if (!before.ownerId) throw new DealflowError('CONFLICT', `Record '${recordId}' is already in the public pool`, { details: { recordId } });
  if (actor && who.id !== before.ownerId) await kit.permissions.assert('assign', who, before, now);
  const next = cloneRecord(before);
  const poolId = kit.poolOf(before, opts.poolId);
  kit.intoPool(next, poolId, opts.reason ?? 'returned', now);
  return result(await writeOwnerChange(kit, tx, { before, after: next, event: { kind: 'returned', actorId: who.id, data: { poolId, from: before.ownerId, reason: opts.reason ?? 'returned' } }, reason: 'pool', now }));
}

/**
 * One item of `engine.returnManyToPool`: the single {@link returnToPool} (the owner, or the `assign`
 * permission for anyone else; the pool config; the owner's cool-down) in the batch's transaction.
 * A record already in the public pool is the item's own refusal (`REJECTED`, naming the record),
 * not a store conflict: its batch goes on without it.
 */
export async function returnToPoolItem(kit: SalesKit, tx: StorageTx, recordId: string, now: string, actor?: ActorLike, opts: { poolId?: string; reason?: string } = {}): Promise<SalesResult> {
  const before = await loadRecord(tx, recordId);
  if (!before.ownerId) throw new DealflowError('REJECTED', `Record '${recordId}' is already in the public pool ('${(before.meta.pool as PoolState | undefined)?.poolId ?? before.teamId ?? '?'}')`, { details: { recordId, poolId: (before.meta.pool as PoolState | undefined)?.poolId ?? before.teamId } });
  return returnLoaded(kit, tx, before, now, actor, opts);
}

/**
 * One item of `engine.distributeMany`: the single {@link distribute} (the `distribute` permission,
 * an active target rep) in the batch's transaction. A record that already has an owner is the
 * item's own refusal (`REJECTED`, naming the record and its owner), not a store conflict: its
 * batch goes on without it.
 */
export async function distributeItem(kit: SalesKit, tx: StorageTx, recordId: string, to: string, now: string, actor: ActorLike): Promise<SalesResult> {
  const before = await loadRecord(tx, recordId);
  if (before.ownerId) throw new DealflowError('REJECTED', `Record '${recordId}' is owned by '${before.ownerId}'; only records in the public pool can be distributed`, { details: { recordId, ownerId: before.ownerId } });
  return distributeLoaded(kit, tx, before, to, now, actor);
}
