/**
 * Money in exact minor units. A `money` field keeps amounts as JSON numbers in the currency's
 * major unit (12.5 = EUR 12.50) that are always a whole number of minor units: input with more
 * decimals than the currency has is rejected, and computed amounts are rounded to the minor unit
 * (half away from zero), so sums of line items never carry floating-point residue.
 */

const KNOWN: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** Whether `code` is an ISO-4217 currency this runtime knows. */
export function isCurrency(code: string): boolean {
  return KNOWN.has(code);
}

/**
 * Decimals of a currency's minor unit: 2 for EUR and USD, 0 for JPY and KRW, 3 for BHD and KWD.
 *
 * @example
 * ```ts
 * minorUnitsOf('JPY') // 0
 * ```
 */
export function minorUnitsOf(currency: string): number {
  // (a NumberFormat costs microseconds to build: answered once per currency, it is off the create path's profile)
  let digits = DIGITS.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    if (KNOWN.has(currency)) DIGITS.set(currency, digits);
  }
  return digits;
}
const DIGITS = new Map<string, number>();

const DECIMAL = /^-?\d{1,16}(\.\d{1,8})?$/;

/**
 * An amount (number, or decimal string like `"1234.50"`) as whole minor units, or an error text.
 * `exact: true` refuses amounts with more decimals than `digits`; otherwise they are rounded.
 *
 * @example
 * ```ts
 * toMinorUnits(19.99, 2) // 1999
 * toMinorUnits('0.1', 2) // 10
 * toMinorUnits(0.1 + 0.2, 2, { exact: false }) // 30
 * ```
 */
export function toMinorUnits(amount: unknown, digits: number, options: { exact?: boolean } = {}): number | string {
  const exact = options.exact !== false;
  const scale = 10 ** digits;
  let minor: number;
  if (typeof amount === 'string') {
    const s = amount.trim();
    if (!DECIMAL.test(s)) return `an amount like 1234.50, got '${amount.slice(0, 40)}'`;
    const [whole, frac = ''] = s.replace('-', '').split('.');
    if (exact && frac.replace(/0+$/, '').length > digits) return `at most ${digits} decimal(s), got '${s}'`;
    const units = Number(whole) * scale + Math.round(Number(`0.${frac || '0'}`) * scale);
    minor = s.startsWith('-') ? -units : units;
  } else if (typeof amount === 'number' && Number.isFinite(amount)) {
    const scaled = amount * scale;
    minor = Math.sign(scaled) * Math.round(Math.abs(scaled));
    // a float like 19.99 scales to 1998.9999999999998: exact enough; 12.345 EUR is not
    if (exact && Math.abs(scaled - minor) > 1e-6 * Math.max(1, Math.abs(scaled))) return `at most ${digits} decimal(s), got ${amount}`;
  } else {
    return `an amount (number or decimal string), got ${JSON.stringify(amount)?.slice(0, 40)}`;
  }
  if (!Number.isSafeInteger(minor)) return `an amount below ${Number.MAX_SAFE_INTEGER / scale}, got ${String(amount).slice(0, 40)}`;
  return minor === 0 ? 0 : minor; // (no -0)
}

/**
 * Whole minor units back as the amount a money field stores.
 *
 * @example
 * ```ts
 * fromMinorUnits(1999, 2) // 19.99
 * ```
 */
export function fromMinorUnits(minor: number, digits: number): number {
  return digits === 0 ? minor : Number((minor / 10 ** digits).toFixed(digits));
}
