import type { StageInfo } from '../data/options.js';
import { closeOf, type Timeline } from '../data/timeline.js';
import { DAY_MS } from '../data/time.js';

/** Age bands (days since the deal was created/engaged) of the hazard model. */
export const DEFAULT_AGE_BANDS: readonly number[] = [0, 7, 15, 30, 60, 90, 120, 180];

/** How the calendar stratifies the hazard: by position in the (fiscal) quarter, or not at all. */
export type Seasonality = 'quarter' | 'none';

/** Options of {@link fitCloseHazard}. */
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

/**
 * Fits the close hazard from timelines as known at `asMs`: a deal is at risk from its creation
 * day to its close day (an event) or to `asMs` (censored), counted per age band and calendar
 * stratum; closes after `asMs` are invisible.
 */
export function fitCloseHazard(
  timelines: readonly Timeline[],
  kinds: Map<string, StageInfo['kind']>,
  asMs: number,
  options: CloseHazardOptions = {},
): CloseHazardModel {
  const bands = Float64Array.from(options.ageBands ?? DEFAULT_AGE_BANDS);
  const strata = (options.seasonality ?? 'quarter') === 'quarter' ? 3 : 1;
  const fy = options.fiscalYearStartMonth ?? 1;
  const nb = bands.length;
  const exposure = new Float64Array(nb * strata);
  const closes = new Float64Array(nb * strata);
  const wins = new Float64Array(nb * strata);
  const asDay = dayOf(asMs);
  const stratumCache = new Map<number, number>();
  const strat = (day: number): number => {
    let s = stratumCache.get(day);
    if (s === undefined) stratumCache.set(day, (s = stratumOf(day, strata, fy)));
    return s;
  };
  // Left truncation: before the first close history shows, closes were not being recorded (an
  // export that starts mid-stream); deals count as at risk only from that day on.
  let observedFrom = Number.POSITIVE_INFINITY;
  for (const t of timelines) {
    if (t.createdMs > asMs) continue;
    const c = closeOf(t, kinds);
    if (c && c.atMs <= asMs) observedFrom = Math.min(observedFrom, dayOf(c.atMs));
  }
  if (options.observedFrom !== undefined) observedFrom = dayOf(options.observedFrom);
  for (const t of timelines) {
    if (t.createdMs > asMs) continue;
    const c0 = dayOf(t.createdMs);
    const close = closeOf(t, kinds);
    const closed = close !== null && close.atMs <= asMs;
    const endDay = closed ? dayOf(close.atMs) : asDay;
    let b = 0;
    for (let day = Math.max(c0, observedFrom); day <= endDay; day++) {
      const age = day - c0;
      while (b + 1 < nb && age >= bands[b + 1]!) b++;
      const k = b * strata + strat(day);
      exposure[k]! += 1;
      if (closed && day === endDay) {
        closes[k]! += 1;
        if (close.won) wins[k]! += 1;
      }
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
  let surv = 1;
  let pWin = 0;
  let pClose = 0;
  for (let j = 1; j <= horizon; j++) {
    const day = asDay + j;
    const age = day - createdDay;
    const k = bandOf(model.bands, age) * model.strata + stratumOf(day, model.strata, model.fiscalYearStartMonth);
    const h = model.hazard[k]!;
    const pc = surv * h;
    pClose += pc;
    pWin += pc * model.win[k]!;
    surv *= 1 - h;
  }
  return { win: pWin, close: pClose };
}
