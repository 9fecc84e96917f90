import { DateTime, Duration } from 'luxon';
import { DealflowError } from '@dealflow/logic';
import type { BusinessCalendar } from '@dealflow/logic';
import type { DeadlineSpec } from '../blueprint/schema.js';
import type { TimerRecord } from '../storage/types.js';
import { pendingTimer } from '../storage/pending-timer.js';
import type { DeadlinePolicy } from './plan.js';

/** Calendars by id, for deadlines counted in business time. */
export type CalendarLookup = ReadonlyMap<string, BusinessCalendar>;

function cal(calendars: CalendarLookup, id: string): BusinessCalendar {
  const c = calendars.get(id);
  if (!c) throw new DealflowError('NOT_FOUND', `business calendar '${id}' is not known to the migration (pass it in options.calendars)`, { details: { calendarId: id } });
  return c;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** `start + duration`, in business time on a calendar when given, else wall-clock. */
export function plus(calendars: CalendarLookup, start: string, duration: string, calendarId: string | undefined): string {
  if (calendarId) return iso(Date.parse(cal(calendars, calendarId).addBusinessTime(start, duration)));
  return iso(DateTime.fromISO(start, { zone: 'utc' }).plus(Duration.fromISO(duration)).toMillis());
}

/** `end - duration`, in business time on a calendar when given. */
export function minus(calendars: CalendarLookup, end: string, duration: string, calendarId: string | undefined): string {
  if (calendarId) return iso(Date.parse(cal(calendars, calendarId).subtractBusinessTime(end, duration)));
  return iso(DateTime.fromISO(end, { zone: 'utc' }).minus(Duration.fromISO(duration)).toMillis());
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
 * Breach and reminder timers for a record in `stage` with deadline `next` due at `dueAt`,
 * following the engine's conventions (ids `<record>:<version>:breach`, keys `deadline:<stage>`).
 * Reminders already past at `now` are not scheduled.
 */
export function deadlineTimers(
  calendars: CalendarLookup,
  base: { tenantId: string; recordId: string; stage: string; recordVersion: number },
  next: DeadlineSpec,
  dueAt: string,
  now: string,
): TimerRecord[] {
  const common = {
    tenantId: base.tenantId,
    recordId: base.recordId,
    stage: base.stage,
    recordVersion: base.recordVersion,
    ...pendingTimer(now),
  };
  const timers: TimerRecord[] = [
    {
      ...common,
      id: `${base.recordId}:${base.recordVersion}:breach`,
      kind: 'breach',
      key: `deadline:${base.stage}`,
      dueAt,
      event: next.onBreach,
      payload: { within: next.within, businessTime: next.businessTime ?? null },
    },
  ];
  (next.remindBefore ?? []).forEach((before, i) => {
    const at = minus(calendars, dueAt, before, next.businessTime);
    if (at <= now) return;
    timers.push({
      ...common,
      id: `${base.recordId}:${base.recordVersion}:reminder:${i}`,
      kind: 'reminder',
      key: `reminder:${base.stage}:${i}`,
      dueAt: at,
      event: 'reminder',
      payload: { before, deadline: dueAt },
    });
  });
  return timers;
}
