import { z } from 'zod';
import { DateTime, Duration } from 'luxon';
import { DealflowError } from '@dealflow/core';
import { digitsOf, majorOf, minorOf } from './money.js';

/** Limits of {@link planInstalments}. */
export const INSTALMENT_LIMITS = Object.freeze({
  /** Most instalments (weights) of one plan: 30 years of monthly payments. */
  maxInstalments: 360,
});

/**
 * Splits whole minor units into parts proportional to `weights` that sum exactly to `total`
 * (largest remainder: each part is the exact share rounded down, and the units left over go one
 * each to the parts with the largest remainders, earlier parts first on ties). Exact for any
 * total up to `Number.MAX_SAFE_INTEGER` (BigInt arithmetic).
 *
 * @example
 * ```ts
 * splitMinor(10000, [1, 1, 1]) // [3334, 3333, 3333]
 * splitMinor(100, [30, 70])    // [30, 70]
 * ```
 */
export function splitMinor(total: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(total) || total < 0) throw new DealflowError('INPUT_INVALID', `splitMinor: total must be whole minor units ≥ 0, got ${total}`, { problems: [{ path: '$.total', message: 'not whole minor units', code: 'invalid_amount' }] });
  if (weights.length === 0 || weights.length > INSTALMENT_LIMITS.maxInstalments) throw new DealflowError('INPUT_INVALID', `splitMinor: between 1 and ${INSTALMENT_LIMITS.maxInstalments} weights, got ${weights.length}`, { problems: [{ path: '$.weights', message: 'bad count', code: 'invalid_count' }] });
  // weights with up to 6 decimals, as integers
  const w = weights.map((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0 || x > 1e9) throw new DealflowError('INPUT_INVALID', `splitMinor: weights[${i}] must be a number from 0 to 1e9, got ${String(x)}`, { problems: [{ path: `$.weights[${i}]`, message: 'bad weight', code: 'invalid_weight' }] });
    return BigInt(Math.round(x * 1e6));
  });
  const sum = w.reduce((a, b) => a + b, 0n);
  if (sum === 0n) throw new DealflowError('INPUT_INVALID', 'splitMinor: the weights sum to 0', { problems: [{ path: '$.weights', message: 'all weights are 0', code: 'invalid_weight' }] });
  const t = BigInt(total);
  const parts = w.map((x) => (t * x) / sum);
  const rest = w.map((x, i) => ({ i, r: (t * x) % sum }));
  let left = t - parts.reduce((a, b) => a + b, 0n);
  rest.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of rest) {
    if (left === 0n) break;
    parts[i]! += 1n;
    left -= 1n;
  }
  return parts.map(Number);
}

/** Input of {@link planInstalments}. */
export interface PaymentPlanInput {
  /** The contract amount in the currency's major unit (a whole number of minor units), number or decimal string. */
  amount: number | string;
  /** ISO-4217 currency of the amount (its decimals: JPY 0, EUR 2, KWD 3). */
  currency: string;
  /** Equal instalments (the units left over go to the first ones), or … */
  count?: number;
  /** … shares of the amount, e.g. `[30, 60, 10]` (percent or any weights). */
  shares?: number[];
  /** Due date of the first instalment (`YYYY-MM-DD`). */
  firstDue: string;
  /** ISO duration between due dates (default `P1M`); month steps keep the day (Jan 31 → Feb 28 → Mar 31). */
  every?: string;
}

const paymentPlanSchema = z
  .object({
    amount: z.union([z.number(), z.string()]),
    currency: z.string(),
    count: z.number().int().min(1).max(INSTALMENT_LIMITS.maxInstalments).optional(),
    shares: z.array(z.number().min(0).max(1e9)).min(1).max(INSTALMENT_LIMITS.maxInstalments).optional(),
    firstDue: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2026-04-01'),
    every: z.string().regex(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$/, 'a date duration such as P1M or P14D').optional(),
  })
  .strict();

/** One planned instalment, in the shape of the `instalment` template's fields. */
export interface PlannedInstalment {
  /** 1, 2, 3, … in due order. */
  number: number;
  /** Amount in the major unit (what a money field stores). */
  amount: number;
  /** The amount in whole minor units. */
  amountMinor: number;
  /** `YYYY-MM-DD`. */
  dueDate: string;
}

/**
 * A contract's payment plan as instalments whose amounts, in whole minor units of the currency
 * (0 decimals for JPY, 2 for EUR, 3 for KWD), sum exactly to the contract amount. Bad input fails
 * whole with `INPUT_INVALID` naming the path (`$.amount`, `$.shares[1]`, `$.firstDue`).
 *
 * @example
 * ```ts
 * planInstalments({ amount: 1000, currency: 'EUR', shares: [30, 70], firstDue: '2026-04-01' })
 * // [{ number: 1, amount: 300, dueDate: '2026-04-01', … }, { number: 2, amount: 700, dueDate: '2026-05-01', … }]
 * ```
 */
export function planInstalments(input: PaymentPlanInput): PlannedInstalment[] {
  const parsed = paymentPlanSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({ path: `$${i.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('')}`, message: i.message, code: i.code }));
    throw new DealflowError('INPUT_INVALID', `payment plan: ${problems[0]!.path} ${problems[0]!.message}`, { problems });
  }
  const p = parsed.data;
  if ((p.count === undefined) === (p.shares === undefined)) {
    throw new DealflowError('INPUT_INVALID', 'payment plan: give either count or shares', { problems: [{ path: '$.count', message: 'count or shares', code: 'invalid_plan' }] });
  }
  const digits = digitsOf(p.currency, '$.currency');
  const total = minorOf(p.amount, digits, '$.amount', { min: 0 });
  const weights = p.shares ?? Array.from({ length: p.count! }, () => 1);
  const parts = splitMinor(total, weights);
  const first = DateTime.fromISO(p.firstDue, { zone: 'UTC' });
  if (!first.isValid) throw new DealflowError('INPUT_INVALID', `payment plan: $.firstDue '${p.firstDue}' is not a calendar date`, { problems: [{ path: '$.firstDue', message: 'not a date', code: 'invalid_date' }] });
  const step = Duration.fromISO(p.every ?? 'P1M');
  return parts.map((minor, i) => ({
    number: i + 1,
    amount: majorOf(minor, digits),
    amountMinor: minor,
    dueDate: first.plus(step.mapUnits((x) => x * i)).toISODate()!,
  }));
}
