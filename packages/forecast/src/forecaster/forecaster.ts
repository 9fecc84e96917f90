import type { HistoryEvent, StoredRecord } from '@dealflow/core';
import { DealflowError } from '@dealflow/core';
import type { StageInfo } from '../data/options.js';
import { DAY_MS, toMs } from '../data/time.js';
import { quantilesBySelection } from '../stats/quantile.js';
import { calibrate, type Calibration, type CalibrationOptions, type PastWindow } from './calibration.js';
import {
  firstCloseKnown,
  naiveBaseline,
  originState,
  pipelinePart,
  seasonalBaseline,
  seasonalPart,
  wonBetween,
  type ComponentOptions,
  type Metric,
  type OriginState,
  type PipelinePart,
} from './components.js';
import { indexDeals, segmentKeyAt, wonValueAt, type DealIndex, type SegmentSource } from './deal-index.js';
import { runTrials, shockDraws, type TrialOutcomes } from './trials.js';

/** Options of {@link createForecaster}. */
export interface CreateForecasterOptions extends ComponentOptions {
  /** The deals (every record of the pipeline, open and closed). */
  records: readonly StoredRecord[];
  /** Their history: each forecast sees only what was known at its `asOf`. */
  history: readonly HistoryEvent[];
  /** The pipeline's stages with their kinds and order. */
  stages: readonly StageInfo[];
  /**
   * Segmentations reported with every forecast, by name: `'owner'`, `'team'`, `'stage'`,
   * `{ field: 'product' }` or a function of the deal as known at the cutoff (e.g. owner → region).
   */
  segments?: Record<string, SegmentSource>;
  /** Calibration on past windows. */
  calibration?: CalibrationOptions;
  /** `calibrated` (default): add the period shock fitted on past windows; `independent`: deals simulated as independent (intervals far too narrow; for comparison). */
  intervals?: 'calibrated' | 'independent';
  /** Monte Carlo trials shared by the total and every segment (default 1000), and the seed (default 1). */
  trials?: number;
  /** Seed of the trials (default 1): the same data and seed give the same forecast. */
  seed?: number;
}

/** Won value and count of a window. */
export interface BookedTotals {
  /** Won value (sum of the deals' amounts). */
  value: number;
  /** Won deals. */
  count: number;
}

/** {@link BookedTotals} of one segment key. */
export interface SegmentTotals extends BookedTotals {
  /** The segment key (an owner, a team, a stage, a field value). */
  key: string;
}

/** Expected value and interval of one quantity. */
export interface Band {
  /** Mean over the trials. */
  expected: number;
  /** 10th percentile: 9 in 10 outcomes are above it. */
  p10: number;
  /** Median. */
  p50: number;
  /** 90th percentile: 9 in 10 outcomes are below it. */
  p90: number;
}

/** One segment's forecast (a slice of the shared trials). */
export interface SegmentForecast {
  /** The segment key (an owner, a team, a stage, a field value). */
  key: string;
  /** Won value. */
  value: Band;
  /** Won deals. */
  count: Band;
}

/** An open deal's part in the forecast (after the mix and bias correction). */
export interface DealContribution {
  /** The deal. */
  id: string;
  /** P(won inside the window). */
  pWin: number;
  /** P(closes, won or lost, inside the window). */
  pClose: number;
  /** Amount it would book (known amount, else its product's mean won amount). */
  value: number;
  /** Its share of the expected value. */
  contribution: number;
}

/** A forecast of won bookings (value and count) in `(asOf, until]`. */
export interface Forecast {
  /** The cutoff: nothing known after it was used. */
  asOf: string;
  /** End of the window (included). */
  until: string;
  /** Won value in the window. */
  value: Band;
  /** Won deals in the window. */
  count: Band;
  /** Segment name → one row per key seen, from the same trials as the total. */
  segments: Record<string, SegmentForecast[]>;
  /** Open deals by contribution, largest first. */
  deals: DealContribution[];
  /** Expected number of deals created after asOf and won inside the window. */
  newDeals: {
    /** Expected deals. */
    count: number;
    /** Expected value. */
    value: number;
  };
  /** How it was made: the two components and what past windows taught per metric. */
  components: Record<Metric, {
    /** Expected from the open deals (their stage, age and amount). */
    pipeline: number;
    /** Expected from the same window in earlier quarters, scaled by the level trend (null without that history). */
    seasonal: number | null;
    /** The mix and bias correction fitted on past windows. */
    calibration: Calibration;
  }>;
  /**
   * P(total ≥ target) over the trials; with `segment`, of that segment's part; `plus` is added to
   * every trial first (e.g. what is already closed in the quarter).
   */
  probabilityAtLeast(target: number, options?: { metric?: Metric; segment?: { by: string; key: string }; plus?: number }): number;
}

/** A forecaster: the data indexed once, fits and calibrations cached and shared across calls. */
export interface Forecaster {
  /**
   * Forecast of the window after `asOf` (`horizonDays`, default 30, or up to `until`). Results are
   * cached by window and frozen: asking the same window again returns the same read-only object.
   */
  forecast(options: { asOf: string | Date; horizonDays?: number; until?: string | Date }): Forecast;
  /** The two baselines of every backtest for the same window: last period (naive) and one quarter earlier (seasonal; null without that history). */
  baselines(options: { asOf: string | Date; horizonDays?: number; until?: string | Date }): {
    /** What the last window of the same length booked. */
    naive: BookedTotals;
    /** What the same window one quarter earlier booked (null without that history). */
    seasonal: BookedTotals | null;
  };
  /** Won value and count in `(from, to]` as known at `knownAt` (default `to`), in total and per segment. */
  actuals(options: { from: string | Date; to: string | Date; knownAt?: string | Date }): BookedTotals & {
    /** Segment name → one row per key. */
    segments: Record<string, SegmentTotals[]>;
  };
  /** The index every model reads through (facts with their times). */
  readonly index: DealIndex;
}

const METRICS: Metric[] = ['value', 'count'];

/**
 * Creates a forecaster over records and their history. Every forecast at a cutoff reads only
 * facts dated at or before it (see {@link DealIndex}); it mixes two components, a pipeline model
 * (a continuous-time close hazard and win rate by deal age, month of quarter and quarter of year,
 * applied to the open deals and to the deals still to be created) and a seasonal one (the same
 * window in earlier quarters, scaled by the level trend), with the mix, a bias correction and the
 * spread learned on past windows that ended before the cutoff. P10–P90 come from Monte Carlo
 * trials of the deals, shared by every segment, with a period shock sized so that past windows'
 * errors are matched.
 *
 * @example
 * ```ts
 * const f = createForecaster({ records, history, stages, segments: { rep: 'owner', product: { field: 'product' } } })
 * const june = f.forecast({ asOf: '2017-06-30T00:00:00Z', horizonDays: 30 })
 * june.value.expected; june.value.p10; june.segments.rep
 * ```
 */
export function createForecaster(options: CreateForecasterOptions): Forecaster {
  const index = indexDeals(options.records, options.history, options.stages);
  const amountField = options.amountField ?? 'amount';
  const segNames = Object.keys(options.segments ?? {});
  const segSources = segNames.map((n) => options.segments![n]!);
  const trials = options.trials ?? 1000;
  if (!(Number.isInteger(trials) && trials >= 10 && trials <= 1_000_000)) throw new DealflowError('INPUT_INVALID', `forecast: trials must be an integer in [10, 1000000], got ${trials}`);
  const seed = options.seed ?? 1;
  const cal = options.calibration ?? {};
  const origins = new Map<number, OriginState>();
  const parts = new Map<string, { pipeline: PipelinePart; seasonal: { value: number; count: number } | null }>();
  const calibrations = new Map<string, Record<Metric, Calibration>>();

  const origin = (asMs: number): OriginState => {
    let s = origins.get(asMs);
    if (!s) remember(origins, asMs, (s = originState(index, asMs, options)));
    return s;
  };
  const partAt = (asMs: number, endMs: number) => {
    const key = `${asMs}|${endMs}`;
    let p = parts.get(key);
    if (!p) {
      const observed = firstCloseKnown(index, asMs);
      p = { pipeline: pipelinePart(index, origin(asMs), asMs, endMs), seasonal: seasonalPart(index, options, asMs, endMs, observed) };
      remember(parts, key, p);
    }
    return p;
  };
  const calibrationAt = (asMs: number, len: number, hasSeasonal: boolean): Record<Metric, Calibration> => {
    const key = `${asMs}|${len}|${hasSeasonal}`;
    const hit = calibrations.get(key);
    if (hit) return hit;
    const step = (cal.stepDays ?? 7) * DAY_MS;
    const max = cal.origins ?? 12;
    const minClosed = cal.minClosed ?? 50;
    const windows: Record<Metric, PastWindow[]> = { value: [], count: [] };
    // Past origins on a fixed grid (multiples of the step since the epoch), so forecasts at nearby
    // cutoffs share their fits.
    const last = Math.floor((asMs - len) / step) * step;
    for (let k = 0; k < max; k++) {
      const o = last - k * step;
      let known = 0;
      for (let i = 0; i < index.n && known < minClosed; i++) if (index.closed[i]! <= o) known++;
      if (known < minClosed) break;
      const p = partAt(o, o + len);
      const a = wonBetween(index, amountField, o, o + len, asMs);
      for (const m of METRICS) windows[m].push({ pipeline: p.pipeline[m], seasonal: p.seasonal ? p.seasonal[m] : null, actual: a[m] });
    }
    const overlap = Math.min(1, step / len);
    const out = { value: calibrate(windows.value, hasSeasonal, overlap, cal), count: calibrate(windows.count, hasSeasonal, overlap, cal) };
    remember(calibrations, key, out);
    return out;
  };
  const windowOf = (o: { asOf: string | Date; horizonDays?: number; until?: string | Date }): [number, number] => {
    const asMs = toMs(o.asOf, 'asOf');
    let endMs: number;
    if (o.until !== undefined) endMs = toMs(o.until, 'until');
    else {
      const h = o.horizonDays ?? 30;
      if (!(h > 0 && h <= 3660)) throw new DealflowError('INPUT_INVALID', `horizonDays must be in (0, 3660], got ${h}`);
      endMs = asMs + h * DAY_MS;
    }
    if (!(endMs > asMs)) throw new DealflowError('INPUT_INVALID', `until (${new Date(endMs).toISOString()}) must be after asOf (${new Date(asMs).toISOString()})`);
    return [asMs, endMs];
  };

  const keyCache = new Map<number, { dicts: Map<string, number>[]; keys: Int32Array[]; templates: Int32Array[] }>();
  const segmentKeys = (asMs: number) => {
    let hit = keyCache.get(asMs);
    if (hit) return hit;
    const st = origin(asMs);
    const dicts = segNames.map(() => new Map<string, number>());
    const keyOf = (s: number, i: number): number => {
      const k = segmentKeyAt(index, i, segSources[s]!, asMs);
      const d = dicts[s]!;
      let id = d.get(k);
      if (id === undefined) d.set(k, (id = d.size));
      return id;
    };
    const keys = segNames.map((_, s) => Int32Array.from(st.open, (i) => keyOf(s, i)));
    const templates = segNames.map((_, s) => Int32Array.from(st.recent, (i) => keyOf(s, i)));
    for (const d of dicts) if (!d.has('(none)')) d.set('(none)', d.size);
    remember(keyCache, asMs, (hit = { dicts, keys, templates }));
    return hit;
  };
  // Finished forecasts by window: a dashboard asking the same window again (one panel per rep)
  // reads the same frozen result.
  const results = new Map<string, Forecast>();

  const forecast: Forecaster['forecast'] = (o) => {
    const [asMs, endMs] = windowOf(o);
    const cacheKey = `${asMs}|${endMs}`;
    const done = results.get(cacheKey);
    if (done) return done;
    const out = computeForecast(asMs, endMs);
    remember(results, cacheKey, out);
    return out;
  };

  const computeForecast = (asMs: number, endMs: number): Forecast => {
    const len = endMs - asMs;
    const p = partAt(asMs, endMs);
    const calib = calibrationAt(asMs, len, p.seasonal !== null);
    const point: Record<Metric, number> = { value: 0, count: 0 };
    for (const m of METRICS) {
      const c = calib[m];
      const mixed = p.seasonal === null ? p.pipeline[m] : c.weight * p.pipeline[m] + (1 - c.weight) * p.seasonal[m];
      point[m] = mixed * Math.exp(c.bias);
    }
    // Segment keys as known at asOf (open deals, and recent deals as templates for new ones): one
    // lookup per deal and cutoff, shared by every window from that cutoff.
    const pp = p.pipeline;
    const { dicts, keys, templates } = segmentKeys(asMs);
    const outcomes = runTrials({
      probs: Float64Array.from(pp.deals, (x) => x.pWin),
      values: Float64Array.from(pp.deals, (x) => x.value),
      keys,
      keyCounts: dicts.map((d) => d.size),
      newMean: pp.newWins,
      newValues: pp.wonValues,
      newTemplates: templates,
      trials,
      seed,
    });
    const z = shockDraws(trials, seed);
    const scaled = scaleTrials(outcomes, z, point, calib, options.intervals === 'independent');
    const segments: Record<string, SegmentForecast[]> = {};
    // Segment parts scaled in place by their trial's factor (the mix, bias and shock): they then
    // add up to the scaled totals trial by trial. Layout: trial-major, [t * keys + k].
    for (let s = 0; s < segNames.length; s++) {
      const nk = dicts[s]!.size;
      for (const [raw, f] of [[outcomes.segValue[s]!, scaled.trialFactor.value], [outcomes.segCount[s]!, scaled.trialFactor.count]] as const) {
        for (let t = 0; t < trials; t++) for (let k = 0, o = t * nk; k < nk; k++) raw[o + k]! *= f[t]!;
      }
    }
    const column = (s: number, k: number, metric: Metric): Float64Array => {
      const raw = metric === 'value' ? outcomes.segValue[s]! : outcomes.segCount[s]!;
      const nk = dicts[s]!.size;
      const out = new Float64Array(trials);
      for (let t = 0; t < trials; t++) out[t] = raw[t * nk + k]!;
      return out;
    };
    const scratch = new Float64Array(trials);
    const bandOf = (xs: Float64Array): Band => band(xs, scratch);
    segNames.forEach((name, s) => {
      const rows: SegmentForecast[] = [];
      for (const [key, k] of dicts[s]!) {
        const c = column(s, k, 'count');
        if (!c.some((x) => x > 0)) continue;
        rows.push({ key, value: bandOf(column(s, k, 'value')), count: bandOf(c) });
      }
      rows.sort((a, b) => b.value.expected - a.value.expected);
      segments[name] = rows;
    });
    // The mix and bias correction scale the pipeline's parts: contributions add up to the point forecast.
    const vFactor = pp.value > 0 ? point.value / pp.value : 0;
    const cFactor = pp.count > 0 ? point.count / pp.count : 0;
    const deals = pp.deals
      .map((x) => ({ id: index.timelines[x.index]!.record.id, pWin: x.pWin, pClose: x.pClose, value: x.value, contribution: x.pWin * x.value * vFactor }))
      .sort((a, b) => b.contribution - a.contribution);
    const probabilityAtLeast: Forecast['probabilityAtLeast'] = (target, po = {}) => {
      const metric = po.metric ?? 'value';
      const plus = po.plus ?? 0;
      let xs: ArrayLike<number>;
      if (po.segment) {
        const s = segNames.indexOf(po.segment.by);
        if (s < 0) throw new DealflowError('INPUT_INVALID', `probabilityAtLeast: unknown segmentation '${po.segment.by}' (known: ${segNames.join(', ') || 'none'})`);
        const k = dicts[s]!.get(po.segment.key);
        xs = k === undefined ? new Float64Array(trials) : column(s, k, metric);
      } else xs = metric === 'value' ? scaled.value : scaled.count;
      let hit = 0;
      for (let t = 0; t < trials; t++) if (xs[t]! + plus >= target) hit++;
      return hit / trials;
    };
    return deepFreeze({
      asOf: new Date(asMs).toISOString(),
      until: new Date(endMs).toISOString(),
      value: bandOf(scaled.value),
      count: bandOf(scaled.count),
      segments,
      deals,
      newDeals: { count: pp.newWins * cFactor, value: pp.newWins * (pp.wonValues.length ? mean(pp.wonValues) : 0) * vFactor },
      components: {
        value: { pipeline: pp.value, seasonal: p.seasonal?.value ?? null, calibration: calib.value },
        count: { pipeline: pp.count, seasonal: p.seasonal?.count ?? null, calibration: calib.count },
      },
      probabilityAtLeast,
    });
  };

  const segmentActuals = (fromMs: number, toMs_: number, knownMs: number) => {
    const out: Record<string, { key: string; value: number; count: number }[]> = {};
    segNames.forEach((name, s) => {
      const acc = new Map<string, { key: string; value: number; count: number }>();
      for (let i = 0; i < index.n; i++) {
        const c = index.closed[i]!;
        if (!index.won[i] || !(c > fromMs && c <= Math.min(toMs_, knownMs))) continue;
        const key = segmentKeyAt(index, i, segSources[s]!, knownMs);
        const row = acc.get(key) ?? { key, value: 0, count: 0 };
        row.value += wonValueAt(index, i, amountField, knownMs) ?? 0;
        row.count++;
        acc.set(key, row);
      }
      out[name] = [...acc.values()].sort((a, b) => b.value - a.value);
    });
    return out;
  };

  return {
    index,
    forecast,
    baselines(o) {
      const [asMs, endMs] = windowOf(o);
      return { naive: naiveBaseline(index, amountField, asMs, endMs), seasonal: seasonalBaseline(index, amountField, asMs, endMs, firstCloseKnown(index, asMs)) };
    },
    actuals(o) {
      const from = toMs(o.from, 'from');
      const to = toMs(o.to, 'to');
      const known = o.knownAt === undefined ? to : toMs(o.knownAt, 'knownAt');
      const a = wonBetween(index, amountField, from, to, known);
      return { ...a, segments: segmentActuals(from, to, known) };
    },
  };
}

/** Most entries each forecaster cache keeps (oldest dropped first). */
const CACHE_LIMIT = 256;

function remember<K, V>(cache: Map<K, V>, key: K, value: V): void {
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as K);
  cache.set(key, value);
}

/** Freezes a result and everything in it (shared by every caller of the same window). */
function deepFreeze<T>(x: T): T {
  if (x && typeof x === 'object' && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}

function mean(xs: Float64Array): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length > 0 ? s / xs.length : 0;
}

const BAND_QUANTILES = [0.1, 0.5, 0.9];

function band(xs: Float64Array, scratch: Float64Array): Band {
  const [p10, p50, p90] = quantilesBySelection(xs, BAND_QUANTILES, scratch) as [number, number, number];
  return { expected: mean(xs), p10, p50, p90 };
}

/**
 * Scales the trials so their mean is the calibrated point forecast, and adds a shared period
 * shock (log-normal, mean 1) with the spread past windows showed beyond what the trials have.
 */
function scaleTrials(o: TrialOutcomes, z: Float64Array, point: Record<Metric, number>, calib: Record<Metric, Calibration>, independent: boolean) {
  const factor: Record<Metric, number> = { value: 1, count: 1 };
  const shock: Record<Metric, number> = { value: 0, count: 0 };
  for (const m of METRICS) {
    const xs = m === 'value' ? o.value : o.count;
    let s = 0, ss = 0;
    for (const x of xs) {
      s += x;
      ss += x * x;
    }
    const mu = s / o.trials;
    const variance = Math.max(0, ss / o.trials - mu * mu);
    factor[m] = mu > 0 ? point[m] / mu : 0;
    const plain = mu > 0 ? Math.sqrt(Math.log(1 + variance / (mu * mu))) : 0;
    shock[m] = independent ? 0 : Math.sqrt(Math.max(0, calib[m].sigma ** 2 - plain ** 2));
  }
  const value = new Float64Array(o.trials), count = new Float64Array(o.trials);
  const trialFactor = { value: new Float64Array(o.trials), count: new Float64Array(o.trials) };
  for (let t = 0; t < o.trials; t++) {
    const fv = factor.value * Math.exp(shock.value * z[t]! - shock.value ** 2 / 2);
    const fc = factor.count * Math.exp(shock.count * z[t]! - shock.count ** 2 / 2);
    trialFactor.value[t] = fv;
    trialFactor.count[t] = fc;
    value[t] = o.value[t]! * fv;
    count[t] = o.count[t]! * fc;
  }
  // The shocks average 1 only in expectation: rescale so the trials' mean is the point forecast
  // exactly (the total, and the segments, which add up to it in every trial).
  for (const m of METRICS) {
    const xs = m === 'value' ? value : count;
    let s = 0;
    for (const x of xs) s += x;
    const k = s > 0 ? (point[m] * o.trials) / s : 0;
    for (let t = 0; t < o.trials; t++) {
      xs[t]! *= k;
      trialFactor[m][t]! *= k;
    }
  }
  return { value, count, trialFactor, factor };
}
