import type { StageInfo } from '../data/options.js';
import { closeOf, type Timeline } from '../data/timeline.js';
import { DAY_MS } from '../data/time.js';

/** Age bands (days since the deal was created/engaged) of the hazard model. */
export const DEFAULT_AGE_BANDS: readonly number[] = [0, 7, 15, 30, 60, 90, 120, 180];

/** How the calendar stratifies the hazard: by position in the (fiscal) quarter, or not at all. */
export type Seasonality = 'quarter' | 'none';

/** Options of the close-hazard fit (internal `fitCloseHazard`, used by `forecastBookings`). */
export interface CloseHazardOptions {
  ageBands?: readonly number[];
  seasonality?: Seasonality;
  /** First month of the fiscal year, 1–12 (default 1 = January). */
  fiscalYearStartMonth?: number;
  /** Prior strength (deal-days) shrinking a stratum's hazard toward the band's pooled hazard (default 200). */
  hazardPrior?: number;
  /** Prior strength (closes) shrinking a stratum's win rate toward the band's pooled rate (default 20). */
  winPrior?: number;
  /**
   * Epoch ms from which closes are recorded; earlier at-risk time is not counted (left
   * truncation). Default: the first close history shows by `asOf`.
   */
  observedFrom?: number;
}

/**
 * A discrete-time (daily) survival model of closing: hazard of closing on a day by age band ×
 * calendar stratum, and the win rate of those closes, fitted with open deals as censored.
 */
export interface CloseHazardModel {
  bands: Float64Array;
  strata: number;
  fiscalYearStartMonth: number;
  /** hazard[band * strata + stratum] = P(close on this day | open at its start). */
  hazard: Float64Array;
  /** win[band * strata + stratum] = P(won | closes then). */
  win: Float64Array;
  /** Raw counts, for reports. */
  exposure: Float64Array;
  closes: Float64Array;
  wins: Float64Array;
}

/** UTC day number of epoch ms. */
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);

/** The calendar stratum of a UTC day (month position in the fiscal quarter, 0–2), or 0 without seasonality. */
export function stratumOf(day: number, strata: number, fiscalYearStartMonth: number): number {
  if (strata === 1) return 0;
  const month = new Date(day * DAY_MS).getUTCMonth();
  return (((month - (fiscalYearStartMonth - 1)) % 3) + 3) % 3;
}

function bandOf(bands: Float64Array, age: number): number {
  let b = 0;
  while (b + 1 < bands.length && age >= bands[b + 1]!) b++;
  return b;
}

/** Deals as typed arrays of UTC days: creation, close (or -1 when never closed) and outcome. */
export interface CompactDeals {
  created: Int32Array;
  closed: Int32Array;
  won: Uint8Array;
}

/** Packs timelines into {@link CompactDeals} once, for repeated fits. */
export function compactDeals(timelines: readonly Timeline[], kinds: Map<string, StageInfo['kind']>): CompactDeals {
  const n = timelines.length;
  const out: CompactDeals = { created: new Int32Array(n), closed: new Int32Array(n), won: new Uint8Array(n) };
  timelines.forEach((t, i) => {
    out.created[i] = dayOf(t.createdMs);
    const c = closeOf(t, kinds);
    out.closed[i] = c ? dayOf(c.atMs) : -1;
    out.won[i] = c?.won ? 1 : 0;
  });
  return out;
}

/**
 * Fits the close hazard from deals as known at `asMs`: a deal is at risk from its creation
 * day to its close day (an event) or to `asMs` (censored), counted per age band and calendar
 * stratum; closes after `asMs` are invisible. Exposure is summed per band from prefix counts of
 * calendar strata, so a fit costs O(deals × bands), not O(deal-days).
 */
export function fitCloseHazard(deals: CompactDeals, asMs: number, options: CloseHazardOptions = {}): CloseHazardModel {
  const bands = Float64Array.from(options.ageBands ?? DEFAULT_AGE_BANDS);
  const strata = (options.seasonality ?? 'quarter') === 'quarter' ? 3 : 1;
  const fy = options.fiscalYearStartMonth ?? 1;
  const nb = bands.length;
  const exposure = new Float64Array(nb * strata);
  const closes = new Float64Array(nb * strata);
  const wins = new Float64Array(nb * strata);
  const asDay = dayOf(asMs);
  const n = deals.created.length;
  // Left truncation: before the first close history shows, closes were not being recorded (an
  // export that starts mid-stream); deals count as at risk only from that day on.
  let observedFrom = 2147483647;
  let minDay = 2147483647;
  for (let i = 0; i < n; i++) {
    const c0 = deals.created[i]!;
    if (c0 > asDay) continue;
    if (c0 < minDay) minDay = c0;
    const cd = deals.closed[i]!;
    if (cd >= 0 && cd <= asDay && cd < observedFrom) observedFrom = cd;
  }
  if (options.observedFrom !== undefined) observedFrom = dayOf(options.observedFrom);
  if (minDay > asDay) minDay = asDay;
  // prefix[s][d - minDay] = number of days of stratum s in [minDay, d)
  const span = asDay - minDay + 2;
  const prefix: Int32Array[] = [];
  for (let s = 0; s < strata; s++) prefix.push(new Int32Array(span + 1));
  for (let d = 0; d < span; d++) {
    const s = stratumOf(minDay + d, strata, fy);
    for (let k = 0; k < strata; k++) prefix[k]![d + 1] = prefix[k]![d]! + (k === s ? 1 : 0);
  }
  for (let i = 0; i < n; i++) {
    const c0 = deals.created[i]!;
    if (c0 > asDay) continue;
    const cd = deals.closed[i]!;
    const closed = cd >= 0 && cd <= asDay;
    const endDay = closed ? cd : asDay;
    const from = Math.max(c0, observedFrom);
    for (let b = 0; b < nb; b++) {
      const lo = Math.max(from, c0 + bands[b]!);
      const hi = Math.min(endDay, b + 1 < nb ? c0 + bands[b + 1]! - 1 : endDay);
      if (hi < lo) continue;
      for (let s = 0; s < strata; s++) exposure[b * strata + s]! += prefix[s]![hi + 1 - minDay]! - prefix[s]![lo - minDay]!;
    }
    if (closed && cd >= from) {
      const k = bandOf(bands, cd - c0) * strata + stratumOf(cd, strata, fy);
      closes[k]! += 1;
      if (deals.won[i]) wins[k]! += 1;
    }
  }
  const hazardPrior = options.hazardPrior ?? 200;
  const winPrior = options.winPrior ?? 20;
  let allCloses = 0;
  let allWins = 0;
  for (let k = 0; k < closes.length; k++) {
    allCloses += closes[k]!;
    allWins += wins[k]!;
  }
  const winAll = allCloses > 0 ? allWins / allCloses : 0.5;
  const hazard = new Float64Array(nb * strata);
  const win = new Float64Array(nb * strata);
  for (let band = 0; band < nb; band++) {
    let e = 0, cl = 0, w = 0;
    for (let s = 0; s < strata; s++) {
      e += exposure[band * strata + s]!;
      cl += closes[band * strata + s]!;
      w += wins[band * strata + s]!;
    }
    const hPool = e > 0 ? cl / e : 0;
    const wPool = (w + winPrior * winAll) / (cl + winPrior);
    for (let s = 0; s < strata; s++) {
      const k = band * strata + s;
      hazard[k] = (closes[k]! + hazardPrior * hPool) / (exposure[k]! + hazardPrior);
      win[k] = (wins[k]! + winPrior * wPool) / (closes[k]! + winPrior);
    }
  }
  return { bands, strata, fiscalYearStartMonth: fy, hazard, win, exposure, closes, wins };
}

/**
 * For a deal created on day `createdDay` and still open at the end of day `asDay`: the probability
 * that it closes won within days `asDay+1 .. asDay+horizon`, and that it closes at all.
 */
export function winWithin(model: CloseHazardModel, createdDay: number, asDay: number, horizon: number): { win: number; close: number } {
  const cache = (model as CloseHazardModel & { strataCache?: Map<number, number> }).strataCache ?? new Map<number, number>();
  (model as CloseHazardModel & { strataCache?: Map<number, number> }).strataCache = cache;
  let surv = 1;
  let pWin = 0;
  let pClose = 0;
  for (let j = 1; j <= horizon; j++) {
    const day = asDay + j;
    const age = day - createdDay;
    let st = cache.get(day);
    if (st === undefined) cache.set(day, (st = stratumOf(day, model.strata, model.fiscalYearStartMonth)));
    const k = bandOf(model.bands, age) * model.strata + st;
    const h = model.hazard[k]!;
    const pc = surv * h;
    pClose += pc;
    pWin += pc * model.win[k]!;
    surv *= 1 - h;
  }
  return { win: pWin, close: pClose };
}
