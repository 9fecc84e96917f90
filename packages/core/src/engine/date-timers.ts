import { DateTime } from 'luxon';
import type { BusinessCalendar } from '@dealflow/logic';
import type { Blueprint } from '../blueprint/define.js';
import type { DateTimerSpec } from '../blueprint/schema.js';
import type { StoredRecord, TimerRecord } from '../storage/types.js';
import { newTimer } from '../storage/pending-timer.js';
import { addDuration, subtractDuration } from '../time/durations.js';

/** Timer kind of date-field timers. */
export const DATE_TIMER_KIND = 'field';

/** The timer key of a date timer: one pending timer per record and date timer. */
export const dateTimerKey = (id: string): string => `field:${id}`;

/** Whether the date timer runs while a record is in `stage`. */
export function dateTimerActive(bp: Blueprint, spec: DateTimerSpec, stage: string): boolean {
  return spec.stages ? spec.stages.includes(stage) : !bp.isFinal(stage);
}

/**
 * When a date timer fires for a field value, or null for an unset or unreadable value. A date
 * (`YYYY-MM-DD`) starts at 00:00 in the calendar's time zone (UTC without a calendar); `before`
 * and `after` count in the calendar's working hours when `businessTime` names one.
 */
export function dateTimerDue(spec: DateTimerSpec, value: unknown, calendar: BusinessCalendar | null): string | null {
  if (typeof value !== 'string' || value.length === 0) return null;
  const zone = calendar?.definition.timeZone ?? 'utc';
  const t = value.length === 10 ? DateTime.fromISO(value, { zone }) : DateTime.fromISO(value, { setZone: true });
  if (!t.isValid) return null;
  const anchor = t.toUTC().toISO()!;
  if (spec.before) return subtractDuration(anchor, spec.before, calendar);
  if (spec.after) return addDuration(anchor, spec.after, calendar);
  return anchor;
}

/** The plan of a blueprint without date timers (shared: never changed). */
const NO_DATE_TIMERS: DateTimerPlan = Object.freeze({ kinds: Object.freeze([DATE_TIMER_KIND]) as string[], cancel: Object.freeze([]) as unknown as string[], schedule: Object.freeze([]) as unknown as TimerRecord[] });

/** The date-field timers a change asks for: keys to cancel (kind {@link DATE_TIMER_KIND}) and timers to schedule. */
export interface DateTimerPlan {
  kinds: string[];
  cancel: string[];
  schedule: TimerRecord[];
}

/**
 * The date-field timers of a change from `before` (null on create) to `after`: a timer per date
 * timer whose field or stage activity changed, due on the field's date (business time on its
 * calendar); one already past is not scheduled unless it fires an event (then it fires on the
 * worker's next turn: an instalment entered overdue is still escalated), and a timer whose field
 * was cleared or whose stage no longer runs it is cancelled — except `firing`, the key of the date
 * timer whose own event makes this change: the worker completes that one in the same transaction
 * (cancelled, its completion would fail and the worker would fire it again and again). Pure.
 */
export function dateTimerPlan(
  bp: Blueprint,
  calendars: ReadonlyMap<string, BusinessCalendar>,
  before: StoredRecord | null,
  after: StoredRecord,
  now: string,
  firing?: string | null,
): DateTimerPlan {
  const specs = bp.spec.dateTimers;
  if (!specs || specs.length === 0) return NO_DATE_TIMERS;
  const plan: DateTimerPlan = { kinds: [DATE_TIMER_KIND], cancel: [], schedule: [] };
  for (const spec of specs) {
    const value = after.fields[spec.field];
    const active = dateTimerActive(bp, spec, after.stage);
    if (before !== null && before.fields[spec.field] === value && dateTimerActive(bp, spec, before.stage) === active) continue;
    const cal = spec.businessTime ? calendars.get(spec.businessTime) ?? null : null;
    const due = active ? dateTimerDue(spec, value, cal) : null;
    if (due === null || (spec.send === undefined && due <= now)) {
      const key = dateTimerKey(spec.id);
      if (before !== null && key !== firing) plan.cancel.push(key);
      continue;
    }
    plan.schedule.push(newTimer({
      tenantId: after.tenantId, id: `${after.id}:${after.version}:field:${spec.id}`, recordId: after.id, kind: DATE_TIMER_KIND, key: dateTimerKey(spec.id),
      dueAt: due, event: spec.send ?? 'reminder', payload: { dateTimer: spec.id, field: spec.field, value: value as string }, stage: null, recordVersion: after.version,
    }, now));
  }
  return plan;
}

/**
 * Whether a claimed date timer still applies to the record: its date timer exists, the field
 * still holds the value it was planned for, and the record is in a stage where it runs.
 */
export function dateTimerApplies(bp: Blueprint, record: StoredRecord, timer: TimerRecord): DateTimerSpec | null {
  const spec = bp.spec.dateTimers?.find((t) => t.id === timer.payload.dateTimer);
  if (!spec) return null;
  if (record.fields[spec.field] !== timer.payload.value || !dateTimerActive(bp, spec, record.stage)) return null;
  return spec;
}
