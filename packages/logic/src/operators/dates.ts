import { DateTime } from 'luxon';

/** An ISO-8601 text that names a date (calendar, ordinal or week form), never a bare time. */
const HAS_DATE = /^(?:\d{4}|[+-]\d{6})(?:-?\d|-?W\d|$)/;

/**
 * Milliseconds since the epoch of an ISO-8601 string (an offset-less one is read as UTC) or a
 * `Date`; `NaN` for anything else. A time without a date (`"10:30"`) is `NaN`: luxon would fill
 * in today's date from the system clock, and rules read time only from the engine's clock.
 */
export function toMillis(value: unknown): number {
  if (typeof value === 'string') {
    if (!HAS_DATE.test(value)) return NaN;
    const dt = DateTime.fromISO(value, { zone: 'utc' });
    return dt.isValid ? dt.toMillis() : NaN;
  }
  if (value instanceof Date) return value.getTime();
  return NaN;
}
