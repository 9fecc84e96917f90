import { DealflowError } from '@dealflow/core';

/** Milliseconds in one day. */
export const DAY_MS = 86_400_000;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number written by `n` decimal digits of `s` from `i`, or -1 if one is not a digit. */
function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Fast path for the store's canonical form `YYYY-MM-DDTHH:mm:ss.sssZ` (every history event's
 * `at`): digit arithmetic instead of `Date.parse`. Returns undefined when the string is not in
 * that form, NaN when it is but names no real instant (2017-02-29, month 13…).
 */
function canonicalIsoMs(s: string): number | undefined {
  if (s.length !== 24 || s.charCodeAt(23) !== 90 /* Z */ || s.charCodeAt(10) !== 84 /* T */) return undefined;
  const y = digits(s, 0, 4), mo = digits(s, 5, 2), da = digits(s, 8, 2), h = digits(s, 11, 2), mi = digits(s, 14, 2), se = digits(s, 17, 2), ms = digits(s, 20, 3);
  if ((y | mo | da | h | mi | se | ms) < 0 || s[4] !== '-' || s[7] !== '-' || s[13] !== ':' || s[16] !== ':' || s[19] !== '.') return undefined;
  if (mo < 1 || mo > 12 || da < 1 || h > 23 || mi > 59 || se > 59) return Number.NaN;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (da > (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]!)) return Number.NaN;
  return Date.UTC(y, mo - 1, da, h, mi, se, ms);
}

/** Epoch ms of an ISO string, NaN when invalid (impossible calendar dates included). */
export function parseIsoMs(s: string): number {
  return canonicalIsoMs(s) ?? Date.parse(s);
}

/** Epoch milliseconds of an ISO string / Date; throws `DATA_INVALID` naming `what` when invalid. */
export function toMs(value: string | Date | number, what: string): number {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (value instanceof Date) ms = value.getTime();
  else {
    ms = canonicalIsoMs(value) ?? Date.parse(value);
  }
  if (!Number.isFinite(ms)) {
    throw new DealflowError('DATA_INVALID', `${what} is not a valid date: ${JSON.stringify(String(value))}`, {
      problems: [{ path: what, message: 'not a valid date', value: String(value) }],
    });
  }
  return ms;
}

/** ISO string of epoch milliseconds. */
export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Adds days to an ISO date/time, returning ISO. */
export function addDays(value: string | Date, days: number): string {
  return toIso(toMs(value, 'date') + days * DAY_MS);
}
