/**
 * The one way a sales operation writes a change of a record's owner: the record change (version + 1,
 * one history event) and, when the owner changed, a `dealflow.assigned` outbox message, written
 * together through the engine's change writer; then the escalation timers re-planned for the new
 * owner. Live views (other browsers) learn of claims, assignments, handovers and returns to the pool
 * from that message.
 */
import type { ChangeEffects } from '../engine/writer.js';
import type { HistoryEvent, OutboxMessage, StorageTx, StoredRecord } from '../storage/types.js';
import type { SalesKit } from '../sales/kit.js';
import type { SalesResult } from '../sales/types.js';
import type { PendingEvent } from './write.js';

/**
 * Why a record's owner changed (the `reason` of a `dealflow.assigned` message):
 * `create` (owner given or routed on create), `reassign` (`engine.assign`, `distribute`, an
 * `assign` action or re-routing on update), `claim` (a rep claimed it from the pool), `pool` (it
 * went back to the pool: `returnToPool`, the pool's `returnAfter`), `handover` (a departing rep's
 * records), `escalation` (an escalation level reassigned it or returned it to the pool).
 */
export type OwnerChangeReason = 'create' | 'reassign' | 'claim' | 'pool' | 'handover' | 'escalation';

/** The outbox type of an owner change. */
export const ASSIGNED_MESSAGE = 'dealflow.assigned';

/** The payload of a `dealflow.assigned` outbox message. */
export interface AssignedPayload {
  recordId: string;
  /** The new owner (null: the record is in the pool). */
  ownerId: string | null;
  previousOwnerId: string | null;
  reason: OwnerChangeReason;
  actorId: string | null;
  at: string;
}

/**
 * The `dealflow.assigned` message of a change written with history event `event`, or none when the
 * owner did not change. Its id is the event's id + `:assigned`: a replay of the same change writes
 * the same id, and ids follow `createEngine({ newId })`.
 *
 * @example
 * ```ts
 * assignedMessages(before, after, event, 'claim') // [{ type: 'dealflow.assigned', id: 'evt_…:assigned', payload: { ownerId: 'ann', previousOwnerId: null, reason: 'claim', … } }]
 * ```
 */
export function assignedMessages(before: StoredRecord | null, after: StoredRecord, event: HistoryEvent, reason: OwnerChangeReason): OutboxMessage[] {
  const previousOwnerId = before?.ownerId ?? null;
  if (after.ownerId === previousOwnerId) return [];
  const payload: AssignedPayload = { recordId: after.id, ownerId: after.ownerId, previousOwnerId, reason, actorId: event.actorId ?? null, at: event.at };
  return [{ tenantId: after.tenantId, id: `${event.id}:assigned`, recordId: after.id, type: ASSIGNED_MESSAGE, payload: { ...payload }, createdAt: event.at }];
}

/** What {@link writeOwnerChange} writes. */
export interface OwnerChange {
  before: StoredRecord;
  /** The record with its new owner (a copy of `before`; version and `updatedAt` are set by the writer). */
  after: StoredRecord;
  /** The history event (kind, actor, data). */
  event: PendingEvent;
  reason: OwnerChangeReason;
  now: string;
  /** Other effects of the same change, derived from its event and record (e.g. notifications). */
  effects?: (event: HistoryEvent, record: StoredRecord) => ChangeEffects;
  /** The escalation timer being fired, when an escalation makes the change (its re-planning leaves it to the worker). */
  firingTimerId?: string;
}

/**
 * Writes one owner change of one record in the open transaction (see the module comment): the
 * change and its `dealflow.assigned` message in one write through the engine's change writer, then
 * the escalation timers re-planned. Claims, assignments, distributions, returns to the pool,
 * handovers and escalations all write owner changes through it; batch paths call it per record.
 *
 * @example
 * ```ts
 * const next = cloneRecord(before)
 * next.ownerId = 'ann'
 * await writeOwnerChange(kit, tx, { before, after: next, event: { kind: 'claimed', actorId: 'ann', data: {} }, reason: 'claim', now })
 * ```
 */
export async function writeOwnerChange(kit: SalesKit, tx: StorageTx, change: OwnerChange): Promise<SalesResult & { event: HistoryEvent }> {
  const { before, reason, effects } = change;
  const written = await kit.write(tx, before, change.after, change.event, change.now, (event, record) => {
    const extra = effects ? effects(event, record) : {};
    return { ...extra, outbox: [...assignedMessages(before, record, event, reason), ...(extra.outbox ?? [])] };
  });
  await kit.escalator.schedule(tx, written.record, change.now, change.firingTimerId);
  return written;
}
