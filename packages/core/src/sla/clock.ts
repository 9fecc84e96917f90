import type { BusinessCalendar } from '@dealflow/logic';
import type { Blueprint } from '../blueprint/define.js';
import type { StorageTx, StoredRecord, TimerRecord } from '../storage/types.js';
import { deadlineTimers, plus } from '../migration/deadlines.js';

/**
 * SLA clocks beyond "from stage entry":
 * - pause stages (`"pause": true`, e.g. "waiting for customer"): when a record enters one, the
 *   deadline running in the stage it left stops and its remaining time is kept; when it returns
 *   to that stage, the clock resumes with the remaining time instead of starting over;
 * - `deadline.clockStart: "lastModified"`: the deadline counts from the record's last change in
 *   the stage (an event that kept the stage, or a logged activity), checked when it falls due;
 * - `deadline.stopAt: "firstActivity"`: the deadline (and its reminders) stop once an activity
 *   is logged in the stage, like a first-response SLA.
 */

/** Meta key of the clocks stopped by pause stages: stage → what is left of its deadline. */
export const PAUSED_CLOCKS_META = 'pausedClocks';

/**
 * Meta key of the last in-stage change by an actor (an event that kept the stage), written by the
 * send path only for stages whose deadline has `clockStart: 'lastModified'`. Timer firings
 * (reminders) do not count as modifications; logged activities do (`meta.lastActivityAt`).
 */
export const LAST_MODIFIED_META = 'lastModifiedAt';

/** A deadline stopped while the record waits in a pause stage. */
export interface PausedClock {
  /** Time left before the breach when it stopped (business ms on `businessTime`, else wall ms). */
  remainingMs: number;
  businessTime: string | null;
  pausedAt: string;
}

type Calendars = ReadonlyMap<string, BusinessCalendar>;

function leftMs(calendars: Calendars, businessTime: string | null, now: string, due: string): number {
  if (due <= now) return 0;
  const cal = businessTime ? calendars.get(businessTime) : undefined;
  return cal ? cal.businessMillisBetween(now, due) : Date.parse(due) - Date.parse(now);
}

/**
 * Called by the send path when a record changes stage, before it is written. Entering a pause
 * stage stores the remaining time of the stage left (in `after.meta.pausedClocks`); leaving a
 * pause stage back to a stage with a stored clock returns that stage's timers, due after the
 * remaining time (the caller schedules them instead of the usual ones). `after.meta` must be the
 * new record's own object.
 */
export async function pauseOnStageChange(calendars: Calendars, tx: StorageTx, bp: Blueprint, record: StoredRecord, after: StoredRecord, at: string): Promise<TimerRecord[] | undefined> {
  const from = record.stage;
  const to = after.stage;
  const paused = (record.meta[PAUSED_CLOCKS_META] as Record<string, PausedClock> | undefined) ?? undefined;
  const toPause = bp.stages.get(to)?.pause === true;
  const fromPause = bp.stages.get(from)?.pause === true;
  if (toPause && !fromPause) {
    const breach = (await tx.listTimers(record.id, { status: ['pending', 'claimed'] })).find((t) => t.kind === 'breach' && t.stage === from);
    if (!breach) return undefined;
    const businessTime = typeof breach.payload.businessTime === 'string' ? breach.payload.businessTime : null;
    after.meta[PAUSED_CLOCKS_META] = { [from]: { remainingMs: leftMs(calendars, businessTime, at, breach.dueAt), businessTime, pausedAt: at } satisfies PausedClock };
    return undefined;
  }
  if (fromPause && !toPause) {
    if (paused === undefined) return undefined;
    delete after.meta[PAUSED_CLOCKS_META]; // a clock resumes only in the stage it was stopped in
    const clock = paused[to];
    const deadline = bp.stages.get(to)?.deadline;
    if (!clock || !deadline) return undefined;
    const due = clock.remainingMs === 0 ? at : plus(calendars, at, `PT${clock.remainingMs / 1000}S`, clock.businessTime ?? undefined);
    return deadlineTimers(calendars, { tenantId: after.tenantId, recordId: after.id, stage: to, recordVersion: after.version }, deadline, due, at);
  }
  return undefined;
}

/** What to do with a deadline timer that fell due. */
export type ClockCheck =
  | { action: 'fire' }
  | { action: 'stop'; reason: string }
  | { action: 'reschedule'; timers: TimerRecord[] };

/**
 * Called when a stage's breach or reminder timer falls due, before it fires: a deadline with
 * `stopAt: 'firstActivity'` is stopped when an activity was logged since stage entry; one with
 * `clockStart: 'lastModified'` is moved (breach and reminders) when the record was updated after
 * the timer was set.
 */
export function checkClockAtFiring(calendars: Calendars, bp: Blueprint, record: StoredRecord, timer: TimerRecord, now: string): ClockCheck {
  const deadline = bp.stages.get(record.stage)?.deadline;
  if (!deadline || timer.stage !== record.stage || (timer.kind !== 'breach' && timer.kind !== 'reminder')) return { action: 'fire' };
  const lastActivity = typeof record.meta.lastActivityAt === 'string' ? record.meta.lastActivityAt : null;
  if (deadline.stopAt === 'firstActivity' && lastActivity !== null && lastActivity >= record.stageEnteredAt) {
    return { action: 'stop', reason: `clock stopped by the first activity at ${lastActivity}` };
  }
  if (deadline.clockStart === 'lastModified') {
    let from = record.stageEnteredAt;
    const modified = typeof record.meta[LAST_MODIFIED_META] === 'string' ? (record.meta[LAST_MODIFIED_META] as string) : null;
    if (modified !== null && modified > from) from = modified;
    if (lastActivity !== null && lastActivity > from) from = lastActivity;
    const due = plus(calendars, from, deadline.within, deadline.businessTime);
    if (due > now) {
      const timers = deadlineTimers(calendars, { tenantId: record.tenantId, recordId: record.id, stage: record.stage, recordVersion: record.version }, deadline, due, now);
      return { action: 'reschedule', timers: timers.map((t) => ({ ...t, id: `${t.id}:from:${Date.parse(now).toString(36)}` })) };
    }
  }
  return { action: 'fire' };
}
