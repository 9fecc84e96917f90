import { DateTime } from 'luxon';

/**
 * Milliseconds since the epoch of an ISO-8601 string (an offset-less one is read as UTC) or a
 * `Date`; `NaN` for anything else.
 */
export function toMillis(value: unknown): number {
  if (typeof value === 'string') {
    const dt = DateTime.fromISO(value, { zone: 'utc' });
    return dt.isValid ? dt.toMillis() : NaN;
  }
  if (value instanceof Date) return value.getTime();
  return NaN;
}
