import type { Blueprint } from '../blueprint/define.js';
import type { HistoryEvent, OutboxMessage, StorageTx, StoredRecord, TimerRecord } from '../storage/types.js';
import type { TimerCancel } from '../transition/step.js';
import { hasAgendaFields, syncTaskIndex } from './task-index.js';

/**
 * What a change writes besides the record and its history: timers to cancel (applied first) and
 * to schedule, and outbox messages. Written with a record change, or alone through the writer's
 * `writeEffects` (a plugin's `change.writeEffects`) when an operation's effects follow a change in the same
 * transaction (a reminder timer for a new task, a notification, a batch's audit message).
 */
export interface ChangeEffects {
  /** Timers to cancel, applied before `scheduleTimers`. */
  cancelTimers?: readonly TimerCancel[];
  /** Timers to schedule (an active timer of the record with the same `key` is replaced). */
  scheduleTimers?: readonly TimerRecord[];
  /** Outbox messages, appended in order (ids: derive them from the change's history event id). */
  outbox?: readonly OutboxMessage[];
}

/** One change of one record, as data: what the change writer writes. */
export interface RecordChange extends ChangeEffects {
  /** The record before (null: the change inserts it). */
  before: StoredRecord | null;
  /** The record after: `version` is `before.version + 1` (1 on insert). */
  after: StoredRecord;
  /** History events to append (their `seq` follows the record's history). */
  history: HistoryEvent[];
}

/** Timers to cancel and schedule with no change of the record itself (an SLA clock stopped or moved when its timer fires). */
export type TimerChange = Pick<ChangeEffects, 'cancelTimers' | 'scheduleTimers'>;

/** Whether a change may have changed the record's rows in the task index (tasks, owner, team, agenda dates). */
function mayChangeTasks(bp: Blueprint, before: StoredRecord | null, after: StoredRecord): boolean {
  return before === null || after.meta.tasks !== before.meta.tasks || after.ownerId !== before.ownerId || after.teamId !== before.teamId || hasAgendaFields(bp);
}

/**
 * The change writer: writes one record change in the open transaction — the record (insert, or
 * update at `before.version`), its history events, its rows in the task index, the timers to cancel
 * and schedule, and the outbox messages, in that order. Every path that changes a record writes
 * through it, so each writes the same things the same way.
 *
 * @example
 * ```ts
 * await writeChange(tx, bp, { before, after, history: [event], outbox: [message] })
 * ```
 */
export async function writeChange(tx: StorageTx, bp: Blueprint, change: RecordChange): Promise<void> {
  const { before, after } = change;
  if (before === null) await tx.insertRecord(after);
  else await tx.updateRecord(after, before.version);
  if (change.history.length > 0) await tx.appendHistory(change.history);
  if (mayChangeTasks(bp, before, after)) await syncTaskIndex(tx, bp, before, after);
  if (hasTimers(change)) await writeTimerPart(tx, change);
  if (change.outbox && change.outbox.length > 0) await tx.appendOutbox([...change.outbox]);
}

/**
 * The change writer's entry point for effects alone, in the open transaction: cancels, then
 * schedules, timers, then appends outbox messages — the way {@link writeChange} writes a change's
 * own. For what an operation adds after its record change is written (the task reminder of a new
 * task, an escalation's notifications, a handover's audit message, a firing SLA timer whose clock
 * stopped); an operation that fails afterwards rolls them back with the rest of its transaction.
 *
 * @example
 * ```ts
 * await writeEffects(tx, { scheduleTimers: [reminder], outbox: [{ tenantId, id: `${event.id}:notify`, recordId, type: 'dealflow.notify', payload, createdAt: at }] })
 * ```
 */
export async function writeEffects(tx: StorageTx, effects: ChangeEffects): Promise<void> {
  if (hasTimers(effects)) await writeTimerPart(tx, effects);
  if (effects.outbox && effects.outbox.length > 0) await tx.appendOutbox([...effects.outbox]);
}

function hasTimers(effects: ChangeEffects): boolean {
  return (effects.cancelTimers !== undefined && effects.cancelTimers.length > 0) || (effects.scheduleTimers !== undefined && effects.scheduleTimers.length > 0);
}

/** Cancels, then schedules (the one place timers are written). */
async function writeTimerPart(tx: StorageTx, effects: ChangeEffects): Promise<void> {
  for (const c of effects.cancelTimers ?? []) {
    await tx.cancelTimers(c.recordId, { ...(c.kinds ? { kinds: c.kinds } : {}), ...(c.keys ? { keys: c.keys } : {}), ...(c.stage !== undefined ? { stage: c.stage } : {}) });
  }
  if (effects.scheduleTimers && effects.scheduleTimers.length > 0) await tx.scheduleTimers([...effects.scheduleTimers]);
}

/**
 * The change writer's timer part, alone: cancels, then schedules, a record's timers when the record
 * itself does not change (a firing SLA timer whose clock stopped or moved). {@link writeEffects}
 * with timers only.
 */
export function writeTimers(tx: StorageTx, change: TimerChange): Promise<void> {
  return writeEffects(tx, { ...(change.cancelTimers ? { cancelTimers: change.cancelTimers } : {}), ...(change.scheduleTimers ? { scheduleTimers: change.scheduleTimers } : {}) });
}

/** The change writer bound to an engine's blueprints and an open transaction (what plugins and links get as `write`). */
export function changeWriter(blueprintOf: (id: string, version: number) => Blueprint, tx: StorageTx): (change: RecordChange) => Promise<void> {
  return (change) => writeChange(tx, blueprintOf(change.after.blueprintId, change.after.blueprintVersion), change);
}
