import { DealflowError, fromMinorUnits, minorUnitsOf, toMinorUnits } from '@dealflow/core';

const KNOWN: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** The currency's minor-unit decimals, or `INPUT_INVALID` naming `path` when it is not an ISO-4217 code this runtime knows. */
export function digitsOf(currency: unknown, path: string): number {
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency) || !KNOWN.has(currency)) {
    throw new DealflowError('INPUT_INVALID', `${path}: '${String(currency).slice(0, 20)}' is not an ISO-4217 currency code`, {
      problems: [{ path, message: 'unknown currency', code: 'invalid_currency', value: currency }],
    });
  }
  return minorUnitsOf(currency);
}

/** An amount in the currency's major unit as whole minor units; `INPUT_INVALID` naming `path` when it has more decimals than the currency. */
export function minorOf(amount: unknown, digits: number, path: string, options: { min?: number } = {}): number {
  const minor = toMinorUnits(amount, digits);
  if (typeof minor === 'string') throw new DealflowError('INPUT_INVALID', `${path}: ${minor}`, { problems: [{ path, message: minor, code: 'invalid_amount', value: amount }] });
  if (options.min !== undefined && minor < options.min) {
    throw new DealflowError('INPUT_INVALID', `${path}: must be at least ${fromMinorUnits(options.min, digits)}, got ${String(amount)}`, { problems: [{ path, message: 'too small', code: 'too_small', value: amount }] });
  }
  return minor;
}

/** Whole minor units back as the major-unit amount a money field stores. */
export function majorOf(minor: number, digits: number): number {
  return fromMinorUnits(minor, digits);
}
