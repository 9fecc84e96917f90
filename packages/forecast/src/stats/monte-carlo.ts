import { DealflowError } from '@dealflow/core';
import { quantileSorted } from './quantile.js';
import { sfc32Next, sfc32State } from './rng.js';

/** Input of {@link simulateBookings}. */
export interface SimulateBookingsInput {
  /** Per-deal probability of booking in the period. */
  probabilities: Float64Array | readonly number[];
  /** Per-deal amount booked when it does. */
  amounts: Float64Array | readonly number[];
  /** Number of simulated periods (default 10 000). */
  trials?: number;
  /** RNG seed (default 1); the same seed gives the same result. */
  seed?: number;
  /**
   * Log-scale standard deviation of a period-wide shock multiplying each trial's total
   * (over-dispersion: deals are not independent; a good or bad quarter moves them together).
   * Fit it on history (see `forecastBookings`); default 0 = independent deals.
   */
  shockSigma?: number;
  /** Deals not yet in the pipeline: a Poisson number with this mean... */
  newDealsMean?: number;
  /** ...each booking a value drawn uniformly from these (past won amounts). */
  newDealValues?: Float64Array | readonly number[];
  /** Quantiles to report (default [0.1, 0.5, 0.9]). */
  quantiles?: number[];
}

/** Output of {@link simulateBookings}. */
export interface SimulateBookingsResult {
  /** Mean total over the trials. */
  mean: number;
  /** Quantile → value, e.g. `{ 0.1: …, 0.5: …, 0.9: … }`. */
  quantiles: Record<number, number>;
  /** 10th percentile of the totals. */
  p10: number;
  /** Median total. */
  p50: number;
  /** 90th percentile of the totals. */
  p90: number;
  /** Sorted totals of every trial. */
  totals: Float64Array;
}

/**
 * Monte Carlo simulation of bookings in a period: each trial draws every deal's outcome
 * (Bernoulli with its probability), adds a Poisson number of new deals, and multiplies the total by a
 * shared log-normal shock (over-dispersion). Typed arrays and a seeded sfc32 generator: 10 000
 * deals × 10 000 trials runs in about a second on one core, and the same seed gives the same result.
 *
 * @example
 * ```ts
 * const r = simulateBookings({ probabilities: [0.5, 0.2], amounts: [1000, 5000], trials: 10_000, seed: 7 })
 * r.p10; r.p50; r.p90
 * ```
 */
export function simulateBookings(input: SimulateBookingsInput): SimulateBookingsResult {
  const p = Float64Array.from(input.probabilities);
  const v = Float64Array.from(input.amounts);
  if (p.length !== v.length) {
    throw new DealflowError('INPUT_INVALID', `simulateBookings: ${p.length} probabilities but ${v.length} amounts`);
  }
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]!;
    if (!(pi >= 0 && pi <= 1)) throw new DealflowError('INPUT_INVALID', `simulateBookings: probabilities[${i}] = ${pi} is not in [0, 1]`);
    if (!Number.isFinite(v[i]!)) throw new DealflowError('INPUT_INVALID', `simulateBookings: amounts[${i}] is not a finite number`);
  }
  const trials = input.trials ?? 10_000;
  if (!Number.isInteger(trials) || trials < 1) throw new DealflowError('INPUT_INVALID', `simulateBookings: trials must be a positive integer, got ${trials}`);
  const sigma = input.shockSigma ?? 0;
  const newMean = input.newDealsMean ?? 0;
  const newValues = Float64Array.from(input.newDealValues ?? []);
  if (newMean > 0 && newValues.length === 0) throw new DealflowError('INPUT_INVALID', 'simulateBookings: newDealsMean > 0 needs newDealValues');
  const n = p.length;
  // Deals with probability 0 never book: drop them from the hot loop. Scale probabilities to
  // 32-bit integer thresholds so the loop compares integers.
  let m = 0;
  const thr = new Uint32Array(n);
  const amt = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (p[i]! <= 0) continue;
    thr[m] = p[i]! >= 1 ? 0xffffffff : Math.floor(p[i]! * 4294967296);
    amt[m] = v[i]!;
    m++;
  }
  // sfc32 state; the hot loop (dealsOnce) keeps it in locals.
  const seed = input.seed ?? 1;
  const state = sfc32State(seed);
  const uniform = (): number => (sfc32Next(state) + 0.5) / 4294967296;
  const normal = (): number => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const poisson = (mu: number): number => poissonDraw(mu, uniform);

  const totals = new Float64Array(trials);
  let sumAll = 0;
  for (let t = 0; t < trials; t++) {
    let total = dealsOnce(thr, amt, m, state);
    if (newMean > 0) {
      const k = poisson(newMean);
      for (let j = 0; j < k; j++) total += newValues[Math.floor(uniform() * newValues.length)]!;
    }
    if (sigma > 0) total *= Math.exp(sigma * normal() - (sigma * sigma) / 2);
    totals[t] = total;
    sumAll += total;
  }
  totals.sort();
  const qs = input.quantiles ?? [0.1, 0.5, 0.9];
  const quantiles: Record<number, number> = {};
  for (const q of qs) quantiles[q] = quantileSorted(totals, q);
  return {
    mean: sumAll / trials,
    quantiles,
    p10: quantileSorted(totals, 0.1),
    p50: quantileSorted(totals, 0.5),
    p90: quantileSorted(totals, 0.9),
    totals,
  };
}

/**
 * A Poisson draw with mean `mu` from uniform draws in (0, 1): Knuth's product method, or the
 * normal approximation (Box–Muller) above 40.
 *
 * @example
 * ```ts
 * poissonDraw(3, Math.random) // 0, 1, 2, … with mean 3
 * ```
 */
export function poissonDraw(mu: number, uniform: () => number): number {
  if (!(mu > 0)) return 0;
  if (mu > 40) {
    const z = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    return Math.max(0, Math.round(mu + Math.sqrt(mu) * z));
  }
  const L = Math.exp(-mu);
  let k = 0;
  let prod = uniform();
  while (prod > L) {
    k++;
    prod *= uniform();
  }
  return k;
}

/**
 * One trial over the deals: sums the amounts of those whose draw falls under their threshold.
 * The sfc32 step of `sfc32Next` is inlined here on purpose (state kept in locals in the hot loop).
 */
function dealsOnce(thr: Uint32Array, amt: Float64Array, m: number, state: Int32Array): number {
  let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!;
  let total = 0;
  for (let i = 0; i < m; i++) {
    const r = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + r) | 0;
    if (r >>> 0 < thr[i]!) total += amt[i]!;
  }
  state[0] = a;
  state[1] = b;
  state[2] = c;
  state[3] = d;
  return total;
}
