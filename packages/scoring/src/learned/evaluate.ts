import { DealflowError } from '@dealflow/core';

/** One prediction and what happened. */
export interface ScoredOutcome {
  /** The predicted win probability (0–1). */
  probability: number;
  /** What happened. */
  won: boolean;
}

/** One bin of a calibration table. */
export interface CalibrationBin {
  /** Bin bounds: `[from, to)` (the last bin includes 1). */
  from: number;
  /** Upper bound of the bin. */
  to: number;
  /** Predictions in the bin. */
  count: number;
  /** Mean predicted probability in the bin (null when empty). */
  meanPredicted: number | null;
  /** Share actually won in the bin (null when empty). */
  observedRate: number | null;
}

/** Quality of a set of probabilities. */
export interface ProbabilityEvaluation {
  /** Predictions evaluated. */
  count: number;
  /** Share won. */
  winRate: number;
  /** Area under the ROC curve (0.5 = no ranking skill; ties count half). NaN when one class is absent. */
  auc: number;
  /** Mean squared error of the probability against 0/1 (lower is better). */
  brier: number;
  /** Mean negative log-likelihood (probabilities clipped to [1e-15, 1-1e-15]). */
  logLoss: number;
  /** Predicted against observed, in equal-width bins of probability (default 10). */
  calibration: CalibrationBin[];
}

/** AUC by the rank-sum (Mann–Whitney) formula, with tied scores given their average rank. */
export function auc(items: readonly ScoredOutcome[]): number {
  const sorted = [...items].sort((a, b) => a.probability - b.probability);
  let rankSumWon = 0;
  let won = 0;
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as ScoredOutcome).probability === (sorted[i] as ScoredOutcome).probability) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if ((sorted[k] as ScoredOutcome).won) {
        rankSumWon += avgRank;
        won++;
      }
    }
    i = j + 1;
  }
  const lost = sorted.length - won;
  if (won === 0 || lost === 0) return Number.NaN;
  return (rankSumWon - (won * (won + 1)) / 2) / (won * lost);
}

/**
 * AUC, Brier score, log-loss and an equal-width calibration table (default 10 bins) for
 * predicted win probabilities against outcomes. Throws `DealflowError('INPUT_INVALID')` for an
 * empty list or a probability outside [0, 1].
 *
 * @example
 * ```ts
 * const ev = evaluateProbabilities([{ probability: 0.8, won: true }, { probability: 0.3, won: false }]);
 * ev.auc; // 1
 * ```
 */
export function evaluateProbabilities(items: readonly ScoredOutcome[], options: { bins?: number } = {}): ProbabilityEvaluation {
  const binCount = options.bins ?? 10;
  if (items.length === 0) {
    throw new DealflowError('INPUT_INVALID', 'cannot evaluate an empty list of predictions', { problems: [{ path: '$', message: 'empty' }] });
  }
  items.forEach((it, i) => {
    if (!(it.probability >= 0 && it.probability <= 1)) {
      throw new DealflowError('INPUT_INVALID', `prediction ${i} has probability ${String(it.probability)}, outside [0, 1]`, {
        problems: [{ path: `$[${i}].probability`, message: 'outside [0, 1]', value: it.probability }],
      });
    }
  });
  let brier = 0;
  let logLoss = 0;
  let won = 0;
  const sums = Array.from({ length: binCount }, () => ({ count: 0, p: 0, won: 0 }));
  for (const it of items) {
    const y = it.won ? 1 : 0;
    won += y;
    brier += (it.probability - y) ** 2;
    const p = Math.min(Math.max(it.probability, 1e-15), 1 - 1e-15);
    logLoss -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
    const bin = sums[Math.min(Math.floor(it.probability * binCount), binCount - 1)] as { count: number; p: number; won: number };
    bin.count++;
    bin.p += it.probability;
    bin.won += y;
  }
  const n = items.length;
  return {
    count: n,
    winRate: won / n,
    auc: auc(items),
    brier: brier / n,
    logLoss: logLoss / n,
    calibration: sums.map((s, i) => ({
      from: i / binCount,
      to: (i + 1) / binCount,
      count: s.count,
      meanPredicted: s.count ? s.p / s.count : null,
      observedRate: s.count ? s.won / s.count : null,
    })),
  };
}

/**
 * Renders a calibration table as Markdown (bin, count, mean predicted, observed).
 *
 * @example
 * ```ts
 * console.log(formatCalibration(evaluateProbabilities(predictions).calibration));
 * ```
 */
export function formatCalibration(bins: readonly CalibrationBin[]): string {
  const fmt = (v: number | null) => (v === null ? '–' : v.toFixed(3));
  const lines = ['| bin | deals | mean predicted | observed win rate |', '|---|---:|---:|---:|'];
  for (const b of bins) lines.push(`| ${b.from.toFixed(1)}–${b.to.toFixed(1)} | ${b.count} | ${fmt(b.meanPredicted)} | ${fmt(b.observedRate)} |`);
  return lines.join('\n');
}
