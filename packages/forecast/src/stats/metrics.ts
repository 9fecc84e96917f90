/** Accuracy of forecasts against actuals (fractions: 0.1 = 10 %). */
export interface Accuracy {
  /** Σ|f − a| / Σa: weighted absolute percentage error (robust to small periods). */
  wape: number;
  /** mean(|f − a| / a) over periods with a ≠ 0. */
  mape: number;
  /** Σ(f − a) / Σa: positive = over-forecast. */
  bias: number;
}

/**
 * Forecast accuracy metrics over periods. `forecasts[i]` is compared with `actuals[i]`.
 *
 * - WAPE = Σ|f − a| / Σa (weighted absolute percentage error; robust to small periods)
 * - MAPE = mean(|f − a| / a) over periods with a ≠ 0
 * - bias = Σ(f − a) / Σa (positive = over-forecast)
 *
 * @example
 * ```ts
 * accuracy([110, 90], [100, 100]) // { wape: 0.1, mape: 0.1, bias: 0 }
 * ```
 */
export function accuracy(forecasts: readonly number[], actuals: readonly number[]): Accuracy {
  let absErr = 0, err = 0, sumA = 0, mapeSum = 0, mapeN = 0;
  for (let i = 0; i < actuals.length; i++) {
    const f = forecasts[i] ?? 0;
    const a = actuals[i] ?? 0;
    absErr += Math.abs(f - a);
    err += f - a;
    sumA += Math.abs(a);
    if (a !== 0) {
      mapeSum += Math.abs(f - a) / Math.abs(a);
      mapeN++;
    }
  }
  return { wape: sumA > 0 ? absErr / sumA : Number.NaN, mape: mapeN > 0 ? mapeSum / mapeN : Number.NaN, bias: sumA > 0 ? err / sumA : Number.NaN };
}

/**
 * Brier score of probability forecasts: mean of (p − outcome)², outcome 1 or 0. 0 is perfect;
 * always saying 0.5 scores 0.25.
 *
 * @example
 * ```ts
 * brierScore([0.8, 0.3], [true, false]) // ((0.2)² + (0.3)²) / 2 = 0.065
 * ```
 */
export function brierScore(probabilities: readonly number[], outcomes: readonly boolean[]): number {
  if (probabilities.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const d = (probabilities[i] ?? 0) - (outcomes[i] ? 1 : 0);
    s += d * d;
  }
  return s / probabilities.length;
}
