import { DateTime, Duration } from 'luxon';
import { DealflowError } from '@dealflow/logic';

/** The part of a `@dealflow/logic` business calendar used for timer due times. */
export interface CalendarLike {
  addBusinessTime(start: string | Date, isoDuration: string): string;
}

/** Whether `value` is a valid ISO-8601 duration (`P3D`, `PT4H`). */
export function isIsoDuration(value: string): boolean {
  return Duration.fromISO(value).isValid;
}

/** `start + duration`, in business time on `calendar` when given, else wall-clock time. ISO UTC out. */
export function addDuration(start: string, duration: string, calendar?: CalendarLike | null): string {
  if (calendar) return calendar.addBusinessTime(start, duration);
  const d = Duration.fromISO(duration);
  if (!d.isValid) throw new DealflowError('INPUT_INVALID', `'${duration}' is not an ISO-8601 duration`);
  return DateTime.fromISO(start, { zone: 'utc' }).plus(d).toUTC().toISO()!;
}

/** `end - duration` in wall-clock time (task reminders before a due time). ISO UTC out. */
export function subtractDuration(end: string, duration: string): string {
  const d = Duration.fromISO(duration);
  if (!d.isValid) throw new DealflowError('INPUT_INVALID', `'${duration}' is not an ISO-8601 duration`);
  return DateTime.fromISO(end, { zone: 'utc' }).minus(d).toUTC().toISO()!;
}
