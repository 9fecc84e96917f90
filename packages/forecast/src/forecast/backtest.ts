import type { HistoryEvent, StoredRecord } from '@dealflow/core';
import { DealflowError } from '@dealflow/core';
import type { StageInfo } from '../data/options.js';
import { DAY_MS, toMs } from '../data/time.js';
import { fieldAt, num } from '../data/timeline.js';
import { accuracy, brierScore, type Accuracy } from '../stats/metrics.js';
import { wonBetween } from '../forecaster/components.js';
import { closedBy, openAt, wonValueAt, type DealIndex } from '../forecaster/deal-index.js';
import type { Forecaster } from '../forecaster/forecaster.js';
import { sharedForecaster, type ForecastBookingsOptions } from './bookings.js';

/**
 * A forecast method for {@link backtest}: given a date, predict bookings of the next `horizonDays`.
 * `history` is Dealflow's forecast; `naive` and `seasonal` are the two baselines every report
 * carries (last period; the same window one quarter earlier); `weighted` a simple weighted pipeline.
 */
export type BacktestMethod =
  | 'history'
  | 'naive'
  | 'seasonal'
  | 'weighted'
  | ((ctx: BacktestContext) => BacktestForecast);

/** What a custom {@link BacktestMethod} returns for one cutoff. */
export interface BacktestForecast {
  /** Expected bookings in the window. */
  expected: number;
  /** 10th percentile, when the method gives an interval. */
  p10?: number;
  /** 90th percentile, when the method gives an interval. */
  p90?: number;
  /** Deal id → P(won inside the window), for the Brier score. */
  dealWinProbabilities?: Map<string, number>;
}

/** What a custom method receives; read facts through `index` only as known at `asOfMs`. */
export interface BacktestContext {
  /** The forecaster over the backtest's data (fits and calibrations shared). */
  forecaster: Forecaster;
  /** The deals indexed by time. */
  index: DealIndex;
  /** The cutoff (epoch ms). */
  asOfMs: number;
  /** The window's length in days after the cutoff. */
  horizonDays: number;
  /** The field holding the amount. */
  amountField: string;
}

/** Options of {@link backtest}. */
export interface BacktestOptions extends Omit<ForecastBookingsOptions, 'asOf'> {
  /** The deals (every record of the pipeline, open and closed). */
  records: readonly StoredRecord[];
  /** Their history: only what was known at each cutoff is used. */
  history: readonly HistoryEvent[];
  /** The pipeline's stages with their kinds and order. */
  stages: readonly StageInfo[];
  /** Forecast dates. */
  asOf: readonly (string | Date)[];
  /** Period length in days (default 30). */
  horizon?: number;
  /** Default `history`. */
  method?: BacktestMethod;
}

/** One backtest row. */
export interface BacktestRow {
  /** The cutoff. */
  asOf: string;
  /** The method's expected bookings. */
  forecast: number;
  /** What was booked. */
  actual: number;
  /** 10th percentile (null when the method gives no interval). */
  p10: number | null;
  /** 90th percentile (null when the method gives no interval). */
  p90: number | null;
  /** Actual inside [p10, p90]. */
  covered: boolean | null;
  /** |forecast − actual| / actual. */
  ape: number;
}

/** Result of {@link backtest}. */
export interface BacktestResult extends Accuracy {
  /** The method's name (`custom` for a function). */
  method: string;
  /** One row per cutoff. */
  rows: BacktestRow[];
  /** Share of periods whose actual falls inside P10–P90 (null when the method gives no interval). */
  coverage: number | null;
  /** Brier score of per-deal P(won within the period) over deals open at each date (null if not given). */
  brier: number | null;
}

/**
 * Simple weighted pipeline as known at asOf: every open deal × win rate of the deals closed so far
 * × P(close within the period | open at its age) from completed sales cycles, valued at its known
 * amount or the mean won amount.
 */
function weighted(ctx: BacktestContext): { expected: number } {
  const { index: d, asOfMs, horizonDays, amountField } = ctx;
  let won = 0, closed = 0, wonSum = 0;
  const cycles: number[] = [];
  for (let i = 0; i < d.n; i++) {
    if (!closedBy(d, i, asOfMs)) continue;
    closed++;
    cycles.push((d.closed[i]! - d.created[i]!) / DAY_MS);
    if (d.won[i]) {
      won++;
      wonSum += wonValueAt(d, i, amountField, asOfMs) ?? 0;
    }
  }
  if (closed === 0) return { expected: 0 };
  const winRate = won / closed;
  const meanWon = won > 0 ? wonSum / won : 0;
  let expected = 0;
  for (let i = 0; i < d.n; i++) {
    if (!openAt(d, i, asOfMs)) continue;
    const age = (asOfMs - d.created[i]!) / DAY_MS;
    let atLeast = 0, within = 0;
    for (const cy of cycles) {
      if (cy > age) {
        atLeast++;
        if (cy <= age + horizonDays) within++;
      }
    }
    const pClose = atLeast > 0 ? within / atLeast : 0;
    const amount = num(fieldAt(d.timelines[i]!, amountField, asOfMs)) ?? meanWon;
    expected += amount * winRate * pClose;
  }
  return { expected };
}

/**
 * Backtests a forecast method: at each `asOf` date, forecast the won bookings of the next
 * `horizon` days using only what history shows up to that date, and compare with what happened.
 * Reports per-date forecast vs actual, WAPE, MAPE, bias, P10–P90 coverage and the Brier score of
 * per-deal win probabilities.
 *
 * @example
 * ```ts
 * const r = backtest({ records, history, stages, asOf: ['2017-06-30', '2017-07-31'], horizon: 30 })
 * r.wape; r.coverage; r.rows
 * ```
 */
export function backtest(options: BacktestOptions): BacktestResult {
  const { asOf: dates, horizon: h, method: m, ...rest } = options;
  const forecaster = sharedForecaster(rest);
  const index = forecaster.index;
  const horizon = h ?? options.horizonDays ?? 30;
  if (!(Number.isInteger(horizon) && horizon > 0)) throw new DealflowError('INPUT_INVALID', `backtest: horizon must be a positive integer of days, got ${horizon}`);
  if (dates.length === 0) throw new DealflowError('INPUT_INVALID', 'backtest: asOf lists no dates');
  const amountField = options.amountField ?? 'amount';
  const method = m ?? 'history';
  const rows: BacktestRow[] = [];
  const probs: number[] = [];
  const outcomes: boolean[] = [];
  const byId = new Map(index.timelines.map((t, i) => [t.record.id, i]));
  for (const [i, d] of dates.entries()) {
    const asOfMs = toMs(d, `asOf[${i}]`);
    const endMs = asOfMs + horizon * DAY_MS;
    const ctx: BacktestContext = { forecaster, index, asOfMs, horizonDays: horizon, amountField };
    let expected: number;
    let p10: number | null = null;
    let p90: number | null = null;
    let dealProbs: Map<string, number> | undefined;
    if (method === 'history') {
      const f = forecaster.forecast({ asOf: new Date(asOfMs), horizonDays: horizon });
      expected = f.value.expected;
      p10 = f.value.p10;
      p90 = f.value.p90;
      dealProbs = new Map(f.deals.map((x) => [x.id, x.pWin]));
    } else if (method === 'naive' || method === 'seasonal') {
      const b = forecaster.baselines({ asOf: new Date(asOfMs), horizonDays: horizon });
      expected = method === 'naive' ? b.naive.value : (b.seasonal ?? b.naive).value;
    } else if (method === 'weighted') expected = weighted(ctx).expected;
    else {
      const r = method(ctx);
      expected = r.expected;
      p10 = r.p10 ?? null;
      p90 = r.p90 ?? null;
      dealProbs = r.dealWinProbabilities;
    }
    // Scoring happens after the fact: the outcome is known at the end of the window.
    const actual = wonBetween(index, amountField, asOfMs, endMs, endMs).value;
    if (dealProbs) {
      for (const [id, p] of dealProbs) {
        const k = byId.get(id);
        if (k === undefined) continue;
        probs.push(p);
        outcomes.push(index.won[k] === 1 && index.closed[k]! > asOfMs && index.closed[k]! <= endMs);
      }
    }
    rows.push({
      asOf: new Date(asOfMs).toISOString(),
      forecast: expected,
      actual,
      p10,
      p90,
      covered: p10 === null || p90 === null ? null : actual >= p10 && actual <= p90,
      ape: actual !== 0 ? Math.abs(expected - actual) / actual : Number.NaN,
    });
  }
  const acc = accuracy(rows.map((r) => r.forecast), rows.map((r) => r.actual));
  const withInterval = rows.filter((r) => r.covered !== null);
  return {
    method: typeof method === 'string' ? method : 'custom',
    rows,
    ...acc,
    coverage: withInterval.length > 0 ? withInterval.filter((r) => r.covered).length / withInterval.length : null,
    brier: probs.length > 0 ? brierScore(probs, outcomes) : null,
  };
}
