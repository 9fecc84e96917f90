import type { StoredRecord } from '@dealflow/core';
import { DealflowError } from '@dealflow/core';
import { recordAsOf } from '../features/as-of.js';
import { closedExamples, fitScoring, groupHistory, toIso } from './fit.js';
import type { FitScoringOptions } from './fit.js';
import { evaluateProbabilities } from './evaluate.js';
import type { ProbabilityEvaluation } from './evaluate.js';
import { scoreView } from './score.js';
import type { ScoringModel } from './types.js';

/**
 * When test deals are scored:
 * - `close`: once, as each deal stood just before its closing transition (features rebuilt from
 *   history; the age in stage is the age at close, so it reflects *when* the deal closed);
 * - `weekly`: every 7 days while the deal was open, from the split date (or its creation, if later)
 *   until its close: what a rep reviewing open deals each week would have seen.
 */
export type BacktestProtocol = 'close' | 'weekly';

/** Options of {@link backtestScoring}: a fit's options with `splitAt` instead of `asOf`. */
export interface BacktestScoringOptions extends Omit<FitScoringOptions, 'asOf'> {
  /** Fit on records closed up to this date, test on those closed after it. */
  splitAt: string | Date;
  /** Default `close`. */
  protocol?: BacktestProtocol;
  /** Calibration bins (default 10). */
  bins?: number;
}

/** One scored test case. */
export interface BacktestPrediction {
  /** The record scored. */
  recordId: string;
  /** When it was scored. */
  at: string;
  /** When it closed (after `splitAt`). */
  closedAt: string;
  /** Whether it was won. */
  won: boolean;
  /** The model's win probability at `at`. */
  probability: number;
  /** The stage-only baseline: the historical win rate of the training set. */
  baseline: number;
}

/** Result of {@link backtestScoring}. */
export interface BacktestResult {
  /** The model fitted as of `splitAt`. */
  model: ScoringModel;
  /** How the test cases were chosen. */
  protocol: BacktestProtocol;
  /** Historical win rate of records closed by `splitAt` (the baseline every test case gets). */
  baselineRate: number;
  /** Every test case. */
  predictions: BacktestPrediction[];
  /** The model's quality on the test cases. */
  evaluation: ProbabilityEvaluation;
  /** The baseline's quality on the same cases. */
  baselineEvaluation: ProbabilityEvaluation;
}

const WEEK_MS = 7 * 86_400_000;

/**
 * Fits a model as of `splitAt`, scores the records that closed after it and compares the learned
 * probabilities with the stage-only baseline (every case gets the historical win rate), by AUC,
 * Brier score and calibration.
 *
 * @example
 * ```ts
 * const r = backtestScoring({ records, history, stages, features, method: 'logistic', splitAt: '2017-07-01' });
 * console.log(r.evaluation.brier, r.baselineEvaluation.brier);
 * ```
 */
export function backtestScoring(options: BacktestScoringOptions): BacktestResult {
  const splitAt = toIso(options.splitAt, 'splitAt');
  const protocol = options.protocol ?? 'close';
  const model = fitScoring({ ...options, asOf: splitAt });
  const baselineRate = model.training.won / model.training.examples;
  const grouped = groupHistory(options.history);
  const all = closedExamples(options.records, grouped, model.stages, '9999-12-31T23:59:59.999Z');
  const test = all.filter((ex) => ex.outcome.closedAt > splitAt);
  if (test.length === 0) {
    throw new DealflowError('DATA_INVALID', `no record closed after ${splitAt} to test on`, { details: { splitAt } });
  }
  const predictions: BacktestPrediction[] = [];
  for (const ex of test) {
    const base = { recordId: ex.record.id, closedAt: ex.outcome.closedAt, won: ex.outcome.won, baseline: baselineRate };
    if (protocol === 'close') {
      predictions.push({ ...base, at: ex.view.at, probability: scoreView(model, ex.view).probability });
      continue;
    }
    const events = grouped.get(ex.record.id) ?? [];
    const record: StoredRecord = ex.record;
    let t = Math.max(Date.parse(splitAt), Date.parse(ex.view.record.createdAt));
    const end = Date.parse(ex.outcome.closedAt);
    for (; t < end; t += WEEK_MS) {
      const at = new Date(t).toISOString();
      const view = recordAsOf(record, events, at);
      predictions.push({ ...base, at, probability: scoreView(model, view).probability });
    }
  }
  return {
    model,
    protocol,
    baselineRate,
    predictions,
    evaluation: evaluateProbabilities(predictions, { bins: options.bins }),
    baselineEvaluation: evaluateProbabilities(
      predictions.map((p) => ({ probability: p.baseline, won: p.won })),
      { bins: options.bins },
    ),
  };
}
