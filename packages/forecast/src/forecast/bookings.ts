import type { HistoryEvent, StoredRecord } from '@dealflow/core';
import type { StageInfo } from '../data/options.js';
import type { CalibrationOptions } from '../forecaster/calibration.js';
import type { ComponentOptions } from '../forecaster/components.js';
import { createForecaster, type Forecaster } from '../forecaster/forecaster.js';

/** Options of {@link forecastBookings}. */
export interface ForecastBookingsOptions extends ComponentOptions {
  /** The deals (every record of the pipeline, open and closed). */
  records: readonly StoredRecord[];
  /** Their history: only what was known at each cutoff is used. */
  history: readonly HistoryEvent[];
  /** The pipeline's stages with their kinds and order. */
  stages: readonly StageInfo[];
  /** The forecast is made with what was known at this instant. */
  asOf: string | Date;
  /** Period length in days after `asOf` (default 30). */
  horizonDays?: number;
  /** Calibration on past windows (see {@link CalibrationOptions}). */
  calibration?: CalibrationOptions;
  /** `calibrated` (default) or `independent` (no period shock: deals simulated as independent; for comparison). */
  intervals?: 'calibrated' | 'independent';
  /** Monte Carlo trials (default 1000) and seed (default 1). */
  trials?: number;
  /** Seed of the trials (default 1): the same data and seed give the same forecast. */
  seed?: number;
}

/** One open deal's share of the forecast. */
export interface DealForecast {
  /** The deal. */
  id: string;
  /** P(closes won inside the period). */
  pWin: number;
  /** P(closes at all inside the period). */
  pClose: number;
  /** Amount it would book (known amount, else the segment's mean won amount). */
  value: number;
}

/** Result of {@link forecastBookings}. */
export interface BookingsForecast {
  /** The cutoff. */
  asOf: string;
  /** The window's length in days after `asOf`. */
  horizonDays: number;
  /** Expected bookings: open deals + deals not created yet. */
  expected: number;
  /** Of it, from deals open at `asOf`. */
  fromOpenDeals: number;
  /** Of it, from deals created after `asOf`. */
  fromNewDeals: number;
  /** 10th percentile of bookings: 9 in 10 outcomes are above it. */
  p10: number;
  /** Median bookings. */
  p50: number;
  /** 90th percentile of bookings: 9 in 10 outcomes are below it. */
  p90: number;
  /** Expected number of deals won, with its interval. */
  count: {
    /** Mean. */
    expected: number;
    /** 10th percentile. */
    p10: number;
    /** 90th percentile. */
    p90: number;
  };
  /** Each open deal's share, largest expected value first. */
  deals: DealForecast[];
  /**
   * What past windows taught: `weight` of the pipeline component (the rest is seasonal), `bias`
   * (mean log error, shrunk; applied), `sigma` (log-scale spread), `periods`, `logErrors`.
   */
  calibration: {
    /** Weight of the pipeline component (the rest is seasonal). */
    weight: number;
    /** Spread of the log errors. */
    sigma: number;
    /** Mean log error, shrunk; applied. */
    bias: number;
    /** Past windows it was fitted on. */
    periods: number;
    /** Their log errors. */
    logErrors: number[];
  };
}

const cache = new WeakMap<readonly HistoryEvent[], Map<string, Forecaster>>();

/** A forecaster for these inputs, shared between calls with the same arrays and settings. */
export function sharedForecaster(o: Omit<ForecastBookingsOptions, 'asOf'>): Forecaster {
  const { records, history, stages, horizonDays: _h, ...settings } = o;
  let byKey = cache.get(history);
  if (!byKey) cache.set(history, (byKey = new Map()));
  const key = JSON.stringify(settings);
  let f = byKey.get(key);
  const sameInputs = f && f.index.timelines.length === records.length && f.index.timelines.every((t, i) => t.record === records[i]);
  if (!f || !sameInputs || (f as Forecaster & { stages?: unknown }).stages !== stages) {
    f = Object.assign(createForecaster({ records, history, stages, ...settings }), { stages });
    byKey.set(key, f);
  }
  return f;
}

/**
 * Bookings forecast for the `horizonDays` after `asOf`, using only what history shows up to
 * `asOf`: {@link createForecaster}'s forecast (pipeline and seasonal components, calibrated on
 * past windows) in the shape of one total. Calls with the same `records`/`history` arrays and
 * settings share one forecaster, so its index and fits are built once.
 *
 * @example
 * ```ts
 * const f = forecastBookings({ records, history, stages, asOf: '2017-06-30T00:00:00Z', horizonDays: 30 })
 * f.expected; f.p10; f.p90
 * ```
 */
export function forecastBookings(options: ForecastBookingsOptions): BookingsForecast {
  const f = sharedForecaster(options).forecast({ asOf: options.asOf, horizonDays: options.horizonDays ?? 30 });
  const c = f.components.value.calibration;
  const fromOpen = f.deals.reduce((s, d) => s + d.contribution, 0);
  return {
    asOf: f.asOf,
    horizonDays: options.horizonDays ?? 30,
    expected: f.value.expected,
    fromOpenDeals: fromOpen,
    fromNewDeals: f.value.expected - fromOpen,
    p10: f.value.p10,
    p50: f.value.p50,
    p90: f.value.p90,
    count: { expected: f.count.expected, p10: f.count.p10, p90: f.count.p90 },
    deals: f.deals.map((d) => ({ id: d.id, pWin: d.pWin, pClose: d.pClose, value: d.value })),
    calibration: { weight: c.weight, sigma: c.sigma, bias: c.bias, periods: c.periods, logErrors: c.logErrors },
  };
}
