import { Duration } from 'luxon';
import { DealflowError } from '@dealflow/logic';
import type { BusinessCalendar } from '@dealflow/logic';
import type { DeadlineSpec } from '../blueprint/schema.js';
import type { TimerRecord } from '../storage/types.js';
import { deadlineTimers as engineDeadlineTimers } from '../engine/deadlines.js';
import type { DeadlineTimerBase } from '../engine/deadlines.js';
import { addDuration } from '../time/durations.js';
import type { DeadlinePolicy } from './plan.js';

/** Calendars by id, for deadlines counted in business time. */
export type CalendarLookup = ReadonlyMap<string, BusinessCalendar>;

function cal(calendars: CalendarLookup, id: string): BusinessCalendar {
  const c = calendars.get(id);
  if (!c) throw new DealflowError('NOT_FOUND', `business calendar '${id}' is not known to the migration (pass it in options.calendars)`, { details: { calendarId: id } });
  return c;
}

/** `start + duration`, in business time on a calendar when given, else wall-clock. */
export function plus(calendars: CalendarLookup, start: string, duration: string, calendarId: string | undefined): string {
  return addDuration(start, duration, calendarId ? cal(calendars, calendarId) : null);
}

/**
 * The new breach time of a record moving into a stage with deadline `next`, under a policy.
 * `old` is the pending breach timer of its old stage (if any).
 */
export function newDueAt(
  calendars: CalendarLookup,
  policy: DeadlinePolicy,
  next: DeadlineSpec,
  old: TimerRecord | undefined,
  stageEnteredAt: string,
  now: string,
): string {
  if (policy === 'restart') return plus(calendars, now, next.within, next.businessTime);
  if (policy === 'recompute' || !old) return plus(calendars, stageEnteredAt, next.within, next.businessTime);
  if (policy === 'keepDueTime') return old.dueAt;
  // keepRemaining: the time left on the old clock, counted on the new stage's clock from now
  const oldCalendar = typeof old.payload.businessTime === 'string' ? old.payload.businessTime : undefined;
  const leftMs = oldCalendar
    ? Date.parse(old.dueAt) <= Date.parse(now)
      ? 0
      : cal(calendars, oldCalendar).businessMillisBetween(now, old.dueAt)
    : Math.max(0, Date.parse(old.dueAt) - Date.parse(now));
  if (leftMs === 0) return now;
  return plus(calendars, now, Duration.fromMillis(leftMs).toISO() ?? 'PT0S', next.businessTime);
}

/**
 * Breach and reminder timers for a record in `stage` with deadline `next` due at `dueAt`, scheduled
 * by the engine's own `deadlineTimers` with this migration's calendars. Reminders already past at
 * `now` are not scheduled.
 */
export function deadlineTimers(
  calendars: CalendarLookup,
  base: DeadlineTimerBase,
  next: DeadlineSpec,
  dueAt: string,
  now: string,
): TimerRecord[] {
  return engineDeadlineTimers((id) => cal(calendars, id), base, next, dueAt, now);
}
