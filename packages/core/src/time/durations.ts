import { DateTime, Duration } from 'luxon';
import { DealflowError } from '@dealflow/logic';

/**
 * The part of a `@dealflow/logic` business calendar that due-time maths needs. Every deadline,
 * reminder, escalation, task and pool cool-down in core computes its time through this module.
 */
export interface CalendarLike {
  addBusinessTime(start: string | Date, isoDuration: string): string;
  subtractBusinessTime(end: string | Date, isoDuration: string): string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

const parsed = new Map<string, Duration>();
const fixed = new Map<string, number | null>();

/** The duration, parsed once per text; `INPUT_INVALID` naming it when it is not ISO-8601. */
function durationOf(text: string): Duration {
  let d = parsed.get(text);
  if (d === undefined) {
    d = Duration.fromISO(text);
    if (!d.isValid) throw new DealflowError('INPUT_INVALID', `'${text}' is not an ISO-8601 duration`, { details: { duration: text } });
    if (parsed.size < 1000) parsed.set(text, d);
  }
  return d;
}

/**
 * The length in milliseconds when the duration has a fixed length in UTC (weeks, days, hours,
 * minutes, seconds: a UTC day is always 24 hours), else null (months and years vary).
 */
function fixedMillis(text: string): number | null {
  let ms = fixed.get(text);
  if (ms === undefined) {
    const d = durationOf(text);
    ms = d.years === 0 && d.quarters === 0 && d.months === 0 ? d.as('milliseconds') : null;
    if (ms !== null && !Number.isFinite(ms)) ms = null;
    if (fixed.size < 1000) fixed.set(text, ms);
  }
  return ms;
}

/**
 * `start + duration`, in business time on `calendar` when given, else in wall-clock time (UTC).
 * ISO UTC string out.
 *
 * @example
 * ```ts
 * addDuration('2026-01-05T09:00:00.000Z', 'P3D') // '2026-01-08T09:00:00.000Z'
 * ```
 */
export function addDuration(start: string, duration: string, calendar?: CalendarLike | null): string {
  if (calendar) return iso(Date.parse(calendar.addBusinessTime(start, duration)));
  const ms = fixedMillis(duration);
  if (ms !== null) return iso(Date.parse(start) + ms);
  return iso(DateTime.fromISO(start, { zone: 'utc' }).plus(durationOf(duration)).toMillis());
}

/**
 * `end - duration`, in business time on `calendar` when given, else in wall-clock time (UTC).
 *
 * @example
 * ```ts
 * subtractDuration('2026-01-08T09:00:00.000Z', 'PT4H') // '2026-01-08T05:00:00.000Z'
 * ```
 */
export function subtractDuration(end: string, duration: string, calendar?: CalendarLike | null): string {
  if (calendar) return iso(Date.parse(calendar.subtractBusinessTime(end, duration)));
  const ms = fixedMillis(duration);
  if (ms !== null) return iso(Date.parse(end) - ms);
  return iso(DateTime.fromISO(end, { zone: 'utc' }).minus(durationOf(duration)).toMillis());
}
