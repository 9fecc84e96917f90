import { DAY_MS } from '../data/time.js';

/**
 * Calendar cells of the forecast models: each UTC month falls in one cell, its position in the
 * fiscal year (quarter of year × month of quarter, 12 cells). Helpers walk exact time across
 * month boundaries, so exposure and probabilities use fractions of days, never whole days.
 */

/** Month number (year × 12 + month) of epoch ms, UTC (integer civil-from-days arithmetic, no Date object). */
export function monthOf(ms: number): number {
  const z = Math.floor(ms / DAY_MS) + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 2 : mp - 10; // 0-based
  const year = yoe + era * 400 + (month <= 1 ? 1 : 0);
  return year * 12 + month;
}

const BASE_MONTH = 1970 * 12;
const starts = new Float64Array(200 * 12).fill(Number.NaN);

/** Epoch ms of the start of month number `m` (memoized for 1970–2169). */
export function monthStart(m: number): number {
  const k = m - BASE_MONTH;
  if (k < 0 || k >= starts.length) return Date.UTC(Math.floor(m / 12), m % 12, 1);
  const v = starts[k]!;
  return v === v ? v : (starts[k] = Date.UTC(Math.floor(m / 12), m % 12, 1));
}

/** Cell 0–11 of month number `m`: months since the fiscal year start (quarter = cell / 3 | 0, month of quarter = cell % 3). */
export function cellOfMonth(m: number, fiscalYearStartMonth: number): number {
  return (((m - (fiscalYearStartMonth - 1)) % 12) + 12) % 12;
}

/** Shifts epoch ms by whole calendar months (clamping the day, e.g. May 31 − 3 months = Feb 28). */
export function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear(), mo = d.getUTCMonth() + months;
  const last = new Date(Date.UTC(y, mo + 1, 0)).getUTCDate();
  return Date.UTC(y, mo, Math.min(d.getUTCDate(), last), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}
