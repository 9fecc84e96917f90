/**
 * timestamptz values as the ISO strings Dealflow's records carry. The store's own pool keeps
 * timestamptz as text and converts UTC text (`2025-01-01 08:30:00.123456+00`, what a session in
 * UTC sends) straight to `2025-01-01T08:30:00.123Z`: no `Date` and no regular expression per value,
 * which made a fifth of the time of a large read (21 % of a 1 000 000-record export's profile).
 * Any other text (another session time zone, BC, years past 9999, infinity) goes to the driver's
 * own parser.
 */

const isDigitAt = (s: string, i: number): boolean => {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57; // '0'…'9'
};

const digitsAt = (s: string, positions: readonly number[]): boolean => positions.every((i) => isDigitAt(s, i));

/** Where `YYYY-MM-DD?HH:MM:SS` has digits. */
const DATE_TIME_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18] as const;
/** Where `YYYY-MM-DDTHH:MM:SS.mmmZ` has digits. */
const ISO_DIGITS = [...DATE_TIME_DIGITS, 20, 21, 22] as const;

/** `YYYY-MM-DD HH:MM:SS[.f{1,6}]+00` as `YYYY-MM-DDTHH:MM:SS.mmmZ` (fraction truncated to ms, as `Date` does), else null. */
export function isoFromUtcText(s: string): string | null {
  const n = s.length;
  if (n < 22 || n > 29 || s[4] !== '-' || s[7] !== '-' || s[10] !== ' ' || s[13] !== ':' || s[16] !== ':' || !s.endsWith('+00')) return null;
  if (!digitsAt(s, DATE_TIME_DIGITS)) return null;
  let ms = '000';
  if (n > 22) {
    if (s[19] !== '.' || n === 23) return null;
    const fraction = s.slice(20, n - 3);
    for (let i = 0; i < fraction.length; i++) if (!isDigitAt(fraction, i)) return null;
    ms = fraction.length >= 3 ? fraction.slice(0, 3) : fraction.padEnd(3, '0');
  }
  return `${s.slice(0, 10)}T${s.slice(11, 19)}.${ms}Z`;
}

/** `YYYY-MM-DDTHH:MM:SS.mmmZ`, the shape `Date#toISOString` gives for years 0…9999. */
export function isCanonicalIso(s: string): boolean {
  return s.length === 24 && s[10] === 'T' && s[19] === '.' && s[23] === 'Z' && s[4] === '-' && s[7] === '-' && s[13] === ':' && s[16] === ':' && digitsAt(s, ISO_DIGITS);
}

/** A timestamptz type parser for a pool: UTC text straight to ISO, anything else through `fallback` (the driver's parser). */
export function timestamptzParser(fallback: (text: string) => unknown): (text: string) => unknown {
  return (text) => isoFromUtcText(text) ?? fallback(text);
}
