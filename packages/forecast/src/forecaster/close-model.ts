import { DAY_MS, toMs } from '../data/time.js';
import { cellOfMonth, monthOf, monthStart } from './calendar.js';
import type { DealIndex } from './deal-index.js';

/** Options of the close model (shared by every forecast of a forecaster). */
export interface CloseModelOptions {
  /** Age bands in days since the deal was created (default {@link AGE_BANDS}: 3 to 10 days wide up to 160, then 180, 240). */
  ageBands?: readonly number[];
  /** First month of the fiscal year, 1–12 (default 1). */
  fiscalYearStartMonth?: number;
  /** Prior (deal-days) shrinking a calendar cell's hazard toward the coarser level (default 200). */
  hazardPrior?: number;
  /** Prior (closes) shrinking a calendar cell's win rate toward the coarser level (default 20). */
  winPrior?: number;
  /**
   * Recency: a deal's exposure and close weigh 2^(−age/halfLife), age = days from its last day
   * at risk to the cutoff (default Infinity = all history weighs the same).
   */
  halfLifeDays?: number;
  /**
   * When closes started being recorded: exposure before it is not counted (left truncation).
   * Default: the first close known at the cutoff (an export that starts mid-stream).
   */
  observedFrom?: string | Date;
}

/** Default age bands (days since creation). */
export const AGE_BANDS: readonly number[] = [0, 3, 6, 9, 12, 15, 18, 21, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100, 105, 110, 115, 120, 125, 130, 135, 140, 150, 160, 180, 240];

/**
 * A continuous-time survival model of closing, fitted on what was known at `asMs`: a constant
 * hazard (closes per deal-day) and win rate per age band × calendar cell (quarter of year × month
 * of quarter), each shrunk toward the month of quarter across quarters, and that toward the
 * band's pooled value. Exposure is exact time (a deal open from 09:00 counts from 09:00), and a
 * close counts only if it happened at or before `asMs`.
 */
export interface CloseModel {
  asMs: number;
  bands: Float64Array;
  fy: number;
  /** hazard[band * 12 + cell], per day. */
  hazard: Float64Array;
  /** win[band * 12 + cell] = P(won | closes then). */
  win: Float64Array;
  /** Closes known at `asMs` (0 = nothing to learn from). */
  closes: number;
}

function bandOf(bands: Float64Array, ageDays: number): number {
  let b = 0;
  while (b + 1 < bands.length && ageDays >= bands[b + 1]!) b++;
  return b;
}

/** Fits the {@link CloseModel} as known at `asMs` (left truncation: exposure counts from the first close known). */
export function fitCloseModel(d: DealIndex, asMs: number, o: CloseModelOptions = {}): CloseModel {
  const bands = Float64Array.from(o.ageBands ?? AGE_BANDS);
  const fy = o.fiscalYearStartMonth ?? 1;
  const nb = bands.length;
  const exposure = new Float64Array(nb * 12);
  const closes = new Float64Array(nb * 12);
  const wins = new Float64Array(nb * 12);
  let observedFrom = Number.POSITIVE_INFINITY;
  for (let i = 0; i < d.n; i++) if (d.closed[i]! <= asMs && d.created[i]! <= asMs && d.closed[i]! < observedFrom) observedFrom = d.closed[i]!;
  if (o.observedFrom !== undefined) observedFrom = toMs(o.observedFrom, 'observedFrom');
  let total = 0;
  const half = o.halfLifeDays ?? Number.POSITIVE_INFINITY;
  for (let i = 0; i < d.n; i++) {
    const c0 = d.created[i]!;
    if (c0 > asMs) continue;
    const isClosed = d.closed[i]! <= asMs;
    const end = isClosed ? d.closed[i]! : asMs;
    const from = Math.max(c0, observedFrom);
    const wt = half === Number.POSITIVE_INFINITY ? 1 : 2 ** (-(asMs - end) / DAY_MS / half);
    for (let b = 0; b < nb; b++) {
      if (c0 + bands[b]! * DAY_MS >= end) break;
      const lo = Math.max(from, c0 + bands[b]! * DAY_MS);
      const hi = Math.min(end, b + 1 < nb ? c0 + bands[b + 1]! * DAY_MS : end);
      if (hi <= lo) continue;
      // Split [lo, hi) at month starts: each piece's exposure goes to its calendar cell.
      let t = lo;
      let m = monthOf(t);
      while (t < hi) {
        const next = Math.min(hi, monthStart(m + 1));
        exposure[b * 12 + cellOfMonth(m, fy)]! += ((next - t) / DAY_MS) * wt;
        t = next;
        m++;
      }
    }
    if (isClosed && d.closed[i]! >= from) {
      const k = bandOf(bands, (d.closed[i]! - c0) / DAY_MS) * 12 + cellOfMonth(monthOf(d.closed[i]!), fy);
      closes[k]! += wt;
      if (d.won[i]) wins[k]! += wt;
      total++;
    }
  }
  const hPrior = o.hazardPrior ?? 200;
  const wPrior = o.winPrior ?? 20;
  let allC = 0, allW = 0;
  for (let k = 0; k < closes.length; k++) {
    allC += closes[k]!;
    allW += wins[k]!;
  }
  const winAll = allC > 0 ? allW / allC : 0.5;
  const hazard = new Float64Array(nb * 12);
  const win = new Float64Array(nb * 12);
  for (let b = 0; b < nb; b++) {
    let e = 0, c = 0, w = 0;
    for (let s = 0; s < 12; s++) {
      e += exposure[b * 12 + s]!;
      c += closes[b * 12 + s]!;
      w += wins[b * 12 + s]!;
    }
    const hBand = e > 0 ? c / e : 0;
    const wBand = (w + wPrior * winAll) / (c + wPrior);
    for (let moq = 0; moq < 3; moq++) {
      let em = 0, cm = 0, wm = 0;
      for (let q = 0; q < 4; q++) {
        const k = b * 12 + q * 3 + moq;
        em += exposure[k]!;
        cm += closes[k]!;
        wm += wins[k]!;
      }
      const hM = (cm + hPrior * hBand) / (em + hPrior);
      const wM = (wm + wPrior * wBand) / (cm + wPrior);
      for (let q = 0; q < 4; q++) {
        const k = b * 12 + q * 3 + moq;
        hazard[k] = (closes[k]! + hPrior * hM) / (exposure[k]! + hPrior);
        win[k] = (wins[k]! + wPrior * wM) / (closes[k]! + wPrior);
      }
    }
  }
  return { asMs, bands, fy, hazard, win, closes: total };
}

/**
 * For a deal created at `createdMs` and open at `fromMs`: P(closes won in (fromMs, toMs]) and
 * P(closes at all then), walking exact time across age bands and months.
 */
export function winBetween(m: CloseModel, createdMs: number, fromMs: number, toMs: number): { win: number; close: number } {
  let t = fromMs;
  let surv = 1, pWin = 0, pClose = 0;
  let month = monthOf(t);
  let nextMonth = monthStart(month + 1);
  const nb = m.bands.length;
  let b = bandOf(m.bands, (t - createdMs) / DAY_MS);
  while (t < toMs) {
    if (t >= nextMonth) {
      month++;
      nextMonth = monthStart(month + 1);
    }
    while (b + 1 < nb && t >= createdMs + m.bands[b + 1]! * DAY_MS) b++;
    const bandEnd = b + 1 < nb ? createdMs + m.bands[b + 1]! * DAY_MS : Number.POSITIVE_INFINITY;
    const next = Math.min(toMs, nextMonth, bandEnd);
    const k = b * 12 + cellOfMonth(month, m.fy);
    const stay = Math.exp(-m.hazard[k]! * ((next - t) / DAY_MS));
    const pc = surv * (1 - stay);
    pClose += pc;
    pWin += pc * m.win[k]!;
    surv *= stay;
    t = next;
  }
  return { win: pWin, close: pClose };
}
