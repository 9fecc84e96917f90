import { Duration } from 'luxon';
import { DealflowError } from '../errors.js';

/** A business duration: whole working days and working milliseconds. */
export interface BusinessDuration {
  days: number;
  weeks: number;
  millis: number;
}

/**
 * Reads an ISO-8601 duration (`P2D`, `PT4H`, `P1DT2H30M`, `P1W`). Years and months are refused
 * (their length in working time is undefined); days and weeks must be whole.
 */
export function parseBusinessDuration(iso: string, calendarId: string): BusinessDuration {
  const fail = (why: string): never => {
    throw new DealflowError('INPUT_INVALID', `calendar '${calendarId}': duration '${String(iso)}' ${why}`, {
      problems: [{ path: '$', message: why, value: iso }],
      details: { calendarId },
    });
  };
  if (typeof iso !== 'string') return fail('is not an ISO-8601 duration string');
  const d = Duration.fromISO(iso);
  if (!d.isValid) return fail('is not an ISO-8601 duration (e.g. P2D, PT4H)');
  const o = d.toObject();
  if ((o.years ?? 0) !== 0 || (o.months ?? 0) !== 0 || (o.quarters ?? 0) !== 0) {
    return fail('uses years or months; use days or weeks in business time');
  }
  const days = o.days ?? 0;
  const weeks = o.weeks ?? 0;
  if (!Number.isInteger(days) || !Number.isInteger(weeks)) return fail('has fractional days or weeks');
  const millis = (o.hours ?? 0) * 3_600_000 + (o.minutes ?? 0) * 60_000 + (o.seconds ?? 0) * 1000 + (o.milliseconds ?? 0);
  if (days < 0 || weeks < 0 || millis < 0) return fail('is negative');
  return { days, weeks, millis };
}
