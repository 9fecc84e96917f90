import { DealflowError } from '@dealflow/logic';
import type { Blueprint } from '../blueprint/define.js';
import type { DeadlineSpec } from '../blueprint/schema.js';
import type { StoredRecord, TimerRecord } from '../storage/types.js';
import { newTimer } from '../storage/pending-timer.js';
import { addDuration as addIsoDuration, subtractDuration as subtractIsoDuration } from '../time/durations.js';
import type { CalendarLike } from '../time/durations.js';

/** Timer kinds the engine schedules for stage deadlines. */
export const STAGE_TIMER_KINDS = ['breach', 'reminder'];

/** Where the engine's business calendars are found. */
export interface HasCalendars {
  calendars: ReadonlyMap<string, CalendarLike>;
}

/** `start + duration`, in business time on the engine's calendar `calendarId` when given, else in wall-clock time (UTC). */
export function addDuration(env: HasCalendars, start: string, duration: string, calendarId?: string): string {
  return addIsoDuration(start, duration, calendarId ? calendar(env, calendarId) : null);
}

function calendar(env: HasCalendars, id: string) {
  const c = env.calendars.get(id);
  if (!c) throw new DealflowError('NOT_FOUND', `business calendar '${id}' is not known to the engine`, { details: { calendarId: id } });
  return c;
}

/** What a stage's deadline timers are scheduled for. */
export interface DeadlineTimerBase {
  tenantId: string;
  recordId: string;
  stage: string;
  recordVersion: number;
}

/**
 * Breach and reminder timers for a record in `base.stage` whose deadline `spec` is due at `dueAt`:
 * ids `<record>:<version>:breach` / `:reminder:<i>`, keys `deadline:<stage>` / `reminder:<stage>:<i>`.
 * Reminders already past at `now` are not scheduled. The engine (stage entry), SLA clocks and record
 * migrations all schedule deadlines through this one function.
 */
export function deadlineTimers(
  calendarOf: (id: string) => CalendarLike,
  base: DeadlineTimerBase,
  spec: DeadlineSpec,
  dueAt: string,
  now: string,
): TimerRecord[] {
  const { tenantId, recordId, stage, recordVersion } = base;
  const timers: TimerRecord[] = [
    newTimer({
      tenantId, id: `${recordId}:${recordVersion}:breach`, recordId, kind: 'breach', key: `deadline:${stage}`, dueAt, event: spec.onBreach,
      payload: { within: spec.within, businessTime: spec.businessTime ?? null }, stage, recordVersion,
    }, now),
  ];
  if (spec.remindBefore && spec.remindBefore.length > 0) {
    const cal = spec.businessTime ? calendarOf(spec.businessTime) : null;
    spec.remindBefore.forEach((before, i) => {
      const at = subtractIsoDuration(dueAt, before, cal);
      if (at <= now) return;
      timers.push(newTimer({
        tenantId, id: `${recordId}:${recordVersion}:reminder:${i}`, recordId, kind: 'reminder', key: `reminder:${stage}:${i}`, dueAt: at, event: 'reminder',
        payload: { before, deadline: dueAt }, stage, recordVersion,
      }, now));
    });
  }
  return timers;
}

/**
 * The timers for a record that just entered its stage: a breach at `stageEnteredAt + within`
 * (business time when `businessTime` names a calendar) and one reminder per `remindBefore`.
 * Reminders already due at entry are skipped.
 */
export function stageTimers(env: HasCalendars, bp: Blueprint, record: StoredRecord): TimerRecord[] {
  const deadline = bp.stages.get(record.stage)?.deadline;
  if (!deadline) return [];
  const entered = record.stageEnteredAt;
  const dueAt = addDuration(env, entered, deadline.within, deadline.businessTime);
  const base = { tenantId: record.tenantId, recordId: record.id, stage: record.stage, recordVersion: record.version };
  return deadlineTimers((id) => calendar(env, id), base, deadline, dueAt, entered);
}
