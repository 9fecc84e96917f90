import { DAY_MS } from '../data/time.js';
import { num } from '../data/timeline.js';
import { addMonths } from './calendar.js';
import { fitCloseModel, winBetween, type CloseModel, type CloseModelOptions } from './close-model.js';
import { fieldAtIndexed, openAt, wonValueAt, type DealIndex } from './deal-index.js';

/** Forecast targets: booked value of won deals, or the number of deals won. */
export type Metric = 'value' | 'count';

/** Options of the forecast components. */
export interface ComponentOptions extends CloseModelOptions {
  /** Amount field (default `amount`); an open deal's amount counts only once known. */
  amountField?: string;
  /** Field whose mean won amount values an open deal of unknown amount (default `product`). */
  valueSegmentField?: string;
  /** Days of recent creations that set the rate of deals not created yet (default 30). */
  newDealWindowDays?: number;
  /** Seasonal component: how many earlier quarters it averages (default 2, weights halving). */
  seasonalQuarters?: number;
  /** Seasonal component: exponent of the level ratio between quarters (0 = no trend, 1 = full; default 0.5). */
  trendDamping?: number;
}

/** One open deal's part in a pipeline forecast. */
export interface OpenDealPart {
  index: number;
  pWin: number;
  pClose: number;
  value: number;
}

/** The pipeline component at one origin for one window. */
export interface PipelinePart {
  deals: OpenDealPart[];
  /** Expected number of deals created after the origin and won inside the window. */
  newWins: number;
  /** Won amounts known at the origin (new deals draw their value from these). */
  wonValues: Float64Array;
  /** Deals created in the recent window: templates for the segments of deals not created yet. */
  recent: Int32Array;
  value: number;
  count: number;
}

/** Everything the pipeline component needs at an origin that does not depend on the window. */
export interface OriginState {
  model: CloseModel;
  open: Int32Array;
  values: Float64Array;
  wonValues: Float64Array;
  meanWon: number;
  recent: Int32Array;
  rate: number;
}

/** Prepares an origin: the close model fit and each open deal's value, as known then. */
export function originState(d: DealIndex, asMs: number, o: ComponentOptions): OriginState {
  const amountField = o.amountField ?? 'amount';
  const segField = o.valueSegmentField ?? 'product';
  const model = fitCloseModel(d, asMs, o);
  const seg = new Map<string, { sum: number; n: number }>();
  const won: number[] = [];
  for (let i = 0; i < d.n; i++) {
    const v = wonValueAt(d, i, amountField, asMs);
    if (v === undefined) continue;
    won.push(v);
    const k = String(fieldAtIndexed(d, i, segField, asMs) ?? '');
    const s = seg.get(k) ?? { sum: 0, n: 0 };
    s.sum += v;
    s.n++;
    seg.set(k, s);
  }
  const meanWon = won.length > 0 ? won.reduce((a, b) => a + b, 0) / won.length : 0;
  const open: number[] = [];
  const values: number[] = [];
  const recent: number[] = [];
  const windowMs = (o.newDealWindowDays ?? 30) * DAY_MS;
  for (let i = 0; i < d.n; i++) {
    if (d.created[i]! <= asMs && d.created[i]! > asMs - windowMs) recent.push(i);
    if (!openAt(d, i, asMs)) continue;
    let v = num(fieldAtIndexed(d, i, amountField, asMs));
    if (v === undefined || v <= 0) {
      const s = seg.get(String(fieldAtIndexed(d, i, segField, asMs) ?? ''));
      v = s && s.n > 0 ? s.sum / s.n : meanWon;
    }
    open.push(i);
    values.push(v);
  }
  return {
    model,
    open: Int32Array.from(open),
    values: Float64Array.from(values),
    wonValues: Float64Array.from(won),
    meanWon,
    recent: Int32Array.from(recent),
    rate: recent.length / (o.newDealWindowDays ?? 30),
  };
}

/** The pipeline component for the window `(asMs, endMs]`: open deals and deals not created yet. */
export function pipelinePart(d: DealIndex, s: OriginState, asMs: number, endMs: number): PipelinePart {
  const deals: OpenDealPart[] = [];
  let value = 0, count = 0;
  for (let j = 0; j < s.open.length; j++) {
    const i = s.open[j]!;
    const w = winBetween(s.model, d.created[i]!, asMs, endMs);
    deals.push({ index: i, pWin: w.win, pClose: w.close, value: s.values[j]! });
    value += w.win * s.values[j]!;
    count += w.win;
  }
  // Deals created during the window at the recent rate, one day at a time (created mid-step).
  let newWins = 0;
  if (s.wonValues.length > 0 && s.rate > 0) {
    for (let u = asMs; u < endMs; u += DAY_MS) {
      const step = Math.min(DAY_MS, endMs - u);
      const at = u + step / 2;
      newWins += s.rate * (step / DAY_MS) * winBetween(s.model, at, at, endMs).win;
    }
  }
  value += newWins * s.meanWon;
  count += newWins;
  return { deals, newWins, wonValues: s.wonValues, recent: s.recent, value, count };
}

interface WonCloses {
  times: Float64Array;
  /** prefix[k] = total value of the first k won closes (by time). */
  prefix: Float64Array;
}
const wonCache = new WeakMap<DealIndex, Map<string, WonCloses>>();

/** Won closes sorted by time with their booked amounts (each a fact dated at its close). */
function wonCloses(d: DealIndex, amountField: string): WonCloses {
  let byField = wonCache.get(d);
  if (!byField) wonCache.set(d, (byField = new Map()));
  let w = byField.get(amountField);
  if (w) return w;
  const list: [number, number][] = [];
  for (let i = 0; i < d.n; i++) {
    if (!d.won[i] || !Number.isFinite(d.closed[i]!)) continue;
    list.push([d.closed[i]!, wonValueAt(d, i, amountField, d.closed[i]!) ?? 0]);
  }
  list.sort((a, b) => a[0] - b[0]);
  const times = Float64Array.from(list, (x) => x[0]);
  const prefix = new Float64Array(list.length + 1);
  list.forEach((x, k) => (prefix[k + 1] = prefix[k]! + x[1]));
  byField.set(amountField, (w = { times, prefix }));
  return w;
}

/** Number of entries of ascending `a` that are ≤ x. */
function countAtMost(a: Float64Array, x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Won value and count of deals closing in `(fromMs, toMs]`, as known at `knownMs` (complete when knownMs ≥ toMs). */
export function wonBetween(d: DealIndex, amountField: string, fromMs: number, toMs: number, knownMs: number): { value: number; count: number } {
  const w = wonCloses(d, amountField);
  const upTo = Math.min(toMs, knownMs);
  if (upTo <= fromMs) return { value: 0, count: 0 };
  const a = countAtMost(w.times, fromMs), b = countAtMost(w.times, upTo);
  return { value: w.prefix[b]! - w.prefix[a]!, count: b - a };
}

/** First close known at `asMs` (when the record of closes starts), or +Infinity. */
export function firstCloseKnown(d: DealIndex, asMs: number): number {
  let first = Number.POSITIVE_INFINITY;
  for (let i = 0; i < d.n; i++) if (d.closed[i]! <= asMs && d.closed[i]! < first) first = d.closed[i]!;
  return first;
}

/**
 * Last-period naive baseline: what was won in the window of the same length just before `asMs`.
 */
export function naiveBaseline(d: DealIndex, amountField: string, asMs: number, endMs: number): { value: number; count: number } {
  return wonBetween(d, amountField, asMs - (endMs - asMs), asMs, asMs);
}

/**
 * Seasonal naive baseline: what was won in the same window one quarter (3 calendar months)
 * earlier; null when that window is not fully inside the record of closes known at `asMs`.
 */
export function seasonalBaseline(d: DealIndex, amountField: string, asMs: number, endMs: number, observedFrom: number): { value: number; count: number } | null {
  const from = addMonths(asMs, -3);
  const to = from + (endMs - asMs);
  if (from < observedFrom - DAY_MS || to > asMs) return null;
  return wonBetween(d, amountField, from, to, asMs);
}

/**
 * Seasonal component learned from history: the same window 1..K quarters earlier, each scaled by
 * the level change between the quarter before `asMs` and the quarter before that window's start
 * (raised to `trendDamping`), averaged with halving weights. Null when no earlier window is known.
 */
export function seasonalPart(d: DealIndex, o: ComponentOptions, asMs: number, endMs: number, observedFrom: number): { value: number; count: number } | null {
  const amountField = o.amountField ?? 'amount';
  const K = o.seasonalQuarters ?? 2;
  const phi = o.trendDamping ?? 0.5;
  const len = endMs - asMs;
  let wSum = 0, value = 0, count = 0;
  const recent = quarterBefore(d, amountField, asMs, asMs, observedFrom);
  for (let k = 1; k <= K; k++) {
    const from = addMonths(asMs, -3 * k);
    const to = from + len;
    if (from < observedFrom - DAY_MS || to > asMs) break;
    const b = wonBetween(d, amountField, from, to, asMs);
    let ratioV = 1, ratioC = 1;
    const earlier = quarterBefore(d, amountField, from, asMs, observedFrom);
    if (recent && earlier && earlier.value > 0 && earlier.count > 0) {
      ratioV = (recent.value / earlier.value) ** phi;
      ratioC = (recent.count / earlier.count) ** phi;
    }
    const w = 0.5 ** (k - 1);
    value += w * b.value * ratioV;
    count += w * b.count * ratioC;
    wSum += w;
  }
  return wSum > 0 ? { value: value / wSum, count: count / wSum } : null;
}

function quarterBefore(d: DealIndex, amountField: string, atMs: number, knownMs: number, observedFrom: number): { value: number; count: number } | null {
  const from = addMonths(atMs, -3);
  if (from < observedFrom - DAY_MS) return null;
  return wonBetween(d, amountField, from, atMs, knownMs);
}
