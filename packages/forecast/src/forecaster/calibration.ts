/** One past window: the components' forecasts made at its origin and what then happened. */
export interface PastWindow {
  pipeline: number;
  seasonal: number | null;
  actual: number;
}

/** Options of the calibration on past windows. */
export interface CalibrationOptions {
  /** Past origins every this many days before the cutoff (default 7)… */
  stepDays?: number;
  /** …at most this many (default 12)… */
  origins?: number;
  /** …each needing at least this many closes known at the origin (default 50). */
  minClosed?: number;
  /** Prior log-scale sigma of period errors (default 0.12)… */
  priorSigma?: number;
  /** …and its weight in pseudo-periods (default 1). */
  priorWeight?: number;
  /** Weight (pseudo-periods) pulling the bias toward 0 (default 3). */
  biasPriorWeight?: number;
  /** Weight (pseudo-periods) pulling the pipeline/seasonal mix toward ½ (default 1). */
  mixPriorWeight?: number;
  /** Correct the bias seen on past windows (default true). */
  biasCorrection?: boolean;
}

/** What the past windows taught: the mix of the components, the bias and the spread. */
export interface Calibration {
  /** Weight of the pipeline component (1 − weight goes to the seasonal one). */
  weight: number;
  /** Mean log error log(actual / forecast), shrunk; forecasts are multiplied by exp(bias). */
  bias: number;
  /** Log-scale spread of the errors after bias correction. */
  sigma: number;
  /** Past windows used. */
  periods: number;
  /** Their log errors after the mix and bias (for reports). */
  logErrors: number[];
}

/**
 * Learns the mix, bias and spread from past windows: the mix by least squares of relative errors
 * (shrunk toward ½), the bias as the mean log error (shrunk toward 0), the spread as the RMS log
 * error with a prior. Overlapping windows count as `overlap` (≤ 1) periods each.
 */
export function calibrate(windows: readonly PastWindow[], hasSeasonalNow: boolean, overlap: number, o: CalibrationOptions = {}): Calibration {
  const usable = windows.filter((w) => w.actual > 0 && w.pipeline + (w.seasonal ?? 0) > 0);
  let weight = 1;
  if (hasSeasonalNow) {
    const n0 = o.mixPriorWeight ?? 1;
    let sxy = 0, sxx = 0;
    for (const w of usable) {
      if (w.seasonal === null) continue;
      const x = (w.pipeline - w.seasonal) / w.actual;
      const y = (w.actual - w.seasonal) / w.actual;
      sxy += overlap * x * y;
      sxx += overlap * x * x;
    }
    weight = Math.min(1, Math.max(0, (sxy + n0 * 0.5) / (sxx + n0)));
  }
  const combined = (w: PastWindow): number => (w.seasonal === null || !hasSeasonalNow ? w.pipeline : weight * w.pipeline + (1 - weight) * w.seasonal);
  const errors: number[] = [];
  for (const w of usable) {
    const c = combined(w);
    if (c > 0) errors.push(Math.log(w.actual / c));
  }
  let sum = 0;
  for (const e of errors) sum += e;
  const bias = (o.biasCorrection ?? true) ? (overlap * sum) / ((o.biasPriorWeight ?? 3) + overlap * errors.length) : 0;
  const prior = o.priorSigma ?? 0.12;
  const pw = o.priorWeight ?? 1;
  let ss = 0;
  for (const e of errors) ss += (e - bias) * (e - bias);
  const sigma = Math.sqrt((pw * prior * prior + overlap * ss) / (pw + overlap * errors.length));
  return { weight, bias, sigma, periods: errors.length, logErrors: errors.map((e) => e - bias) };
}
