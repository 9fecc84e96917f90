import type { HistoryEvent, StoredRecord } from '@dealflow/core';
import { DealflowError } from '@dealflow/core';
import type { StageInfo } from '../data/options.js';
import { fieldAt, num, stateAt } from '../data/timeline.js';
import { DAY_MS, toMs } from '../data/time.js';
import { accuracy, brierScore } from '../stats/metrics.js';
import { forecastPrepared, prepareForecastData, wonBookingsBetween, type ForecastBookingsOptions, type PreparedForecastData } from './bookings.js';

/** A forecast method for {@link backtest}: given the data and a date, predict bookings of the next `horizonDays`. */
export type BacktestMethod =
  | 'history'
  | 'naive'
  | 'weighted'
  | ((ctx: BacktestContext) => { expected: number; p10?: number; p90?: number; dealWinProbabilities?: Map<string, number> });

/** What a custom method receives. */
export interface BacktestContext {
  data: PreparedForecastData;
  asOfMs: number;
  horizonDays: number;
  amountField: string;
}

/** Options of {@link backtest}. */
export interface BacktestOptions extends Omit<ForecastBookingsOptions, 'asOf'> {
  records: readonly StoredRecord[];
  history: readonly HistoryEvent[];
  stages: readonly StageInfo[];
  /** Forecast dates. */
  asOf: readonly (string | Date)[];
  /** Period length in days (default 30). */
  horizon?: number;
  /** `history` (default): {@link forecastBookings}; `naive`: last period's bookings; `weighted`: open pipeline × historical win rate × P(close in period). */
  method?: BacktestMethod;
}

/** One backtest row. */
export interface BacktestRow {
  asOf: string;
  forecast: number;
  actual: number;
  p10: number | null;
  p90: number | null;
  /** Actual inside [p10, p90]. */
  covered: boolean | null;
  /** |forecast − actual| / actual. */
  ape: number;
}

/** Result of {@link backtest}. */
export interface BacktestResult {
  method: string;
  rows: BacktestRow[];
  wape: number;
  mape: number;
  bias: number;
  /** Share of periods whose actual falls inside P10–P90 (null when the method gives no interval). */
  coverage: number | null;
  /** Brier score of per-deal P(won within the period) over deals open at each date (null if not given). */
  brier: number | null;
}

/** Naive: bookings of the `horizonDays` before `asOf`. */
function naive(ctx: BacktestContext): { expected: number } {
  return { expected: wonBookingsBetween(ctx.data, ctx.amountField, ctx.asOfMs - ctx.horizonDays * DAY_MS, ctx.asOfMs) };
}

/**
 * Simple weighted pipeline as known at asOf: every open deal × win rate of the deals closed so far
 * × P(close within the period | open at its age) from completed sales cycles, valued at its known
 * amount or the mean won amount.
 */
function weighted(ctx: BacktestContext): { expected: number } {
  const { data, asOfMs, horizonDays, amountField } = ctx;
  let won = 0, closed = 0, wonSum = 0;
  const cycles: number[] = [];
  for (let i = 0; i < data.timelines.length; i++) {
    const c = data.closes[i];
    if (!c || c.atMs > asOfMs) continue;
    closed++;
    cycles.push((c.atMs - data.timelines[i]!.createdMs) / DAY_MS);
    if (c.won) {
      won++;
      wonSum += num(fieldAt(data.timelines[i]!, amountField, c.atMs)) ?? 0;
    }
  }
  if (closed === 0) return { expected: 0 };
  const winRate = won / closed;
  const meanWon = won > 0 ? wonSum / won : 0;
  let expected = 0;
  for (let i = 0; i < data.timelines.length; i++) {
    const t = data.timelines[i]!;
    const c = data.closes[i];
    if (t.createdMs > asOfMs || (c && c.atMs <= asOfMs)) continue;
    if (!stateAt(t, asOfMs)) continue;
    const age = (asOfMs - t.createdMs) / DAY_MS;
    // P(close within the period | still open at this age), from completed cycles.
    let atLeast = 0, within = 0;
    for (const cy of cycles) {
      if (cy > age) {
        atLeast++;
        if (cy <= age + horizonDays) within++;
      }
    }
    const pClose = atLeast > 0 ? within / atLeast : 0;
    const amount = num(fieldAt(t, amountField, asOfMs)) ?? meanWon;
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
  const data = prepareForecastData(options.records, options.history, options.stages);
  const horizon = options.horizon ?? options.horizonDays ?? 30;
  if (!(Number.isInteger(horizon) && horizon > 0)) throw new DealflowError('INPUT_INVALID', `backtest: horizon must be a positive integer of days, got ${horizon}`);
  if (options.asOf.length === 0) throw new DealflowError('INPUT_INVALID', 'backtest: asOf lists no dates');
  const amountField = options.amountField ?? 'amount';
  const method = options.method ?? 'history';
  const rows: BacktestRow[] = [];
  const probs: number[] = [];
  const outcomes: boolean[] = [];
  const kindsWon = new Set(options.stages.filter((s) => s.kind === 'won').map((s) => s.id));
  for (const [i, d] of options.asOf.entries()) {
    const asOfMs = toMs(d, `asOf[${i}]`);
    const ctx: BacktestContext = { data, asOfMs, horizonDays: horizon, amountField };
    let expected: number;
    let p10: number | null = null;
    let p90: number | null = null;
    let dealProbs: Map<string, number> | undefined;
    if (method === 'history') {
      const f = forecastPrepared(data, { ...options, asOf: new Date(asOfMs), horizonDays: horizon });
      expected = f.expected;
      p10 = f.p10;
      p90 = f.p90;
      dealProbs = new Map(f.deals.map((x) => [x.id, x.pWin]));
    } else if (method === 'naive') expected = naive(ctx).expected;
    else if (method === 'weighted') expected = weighted(ctx).expected;
    else {
      const r = method(ctx);
      expected = r.expected;
      p10 = r.p10 ?? null;
      p90 = r.p90 ?? null;
      dealProbs = r.dealWinProbabilities;
    }
    const endMs = asOfMs + horizon * DAY_MS;
    const actual = wonBookingsBetween(data, amountField, asOfMs, endMs);
    if (dealProbs) {
      for (let k = 0; k < data.timelines.length; k++) {
        const id = data.timelines[k]!.record.id;
        const p = dealProbs.get(id);
        if (p === undefined) continue;
        const c = data.closes[k];
        probs.push(p);
        outcomes.push(!!c && c.won && c.atMs > asOfMs && c.atMs <= endMs && kindsWon.size > 0);
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
