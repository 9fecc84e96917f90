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

/** Exposure (deal-days), closes and wins per age band × calendar cell. */
interface Tallies {
  exposure: Float64Array;
  closes: Float64Array;
  wins: Float64Array;
  total: number;
}

/**
 * Tallies of the deals closed by a cutoff, kept per index and settings at checkpoints (the first
 * k deals in close order, k a multiple of {@link CHECKPOINT_STEP}): a closed deal's part never changes once it has closed, so a fit at a
 * later cutoff starts from the nearest checkpoint and adds only the deals closed since.
 */
interface ClosedCheckpoints {
  order: Int32Array;
  closedSorted: Float64Array;
  at: Map<number, Tallies>;
}
const checkpointCache = new WeakMap<DealIndex, Map<string, ClosedCheckpoints>>();
/** Closes between two checkpoints. */
const CHECKPOINT_STEP = 128;

/** Adds deal `i`'s exposure from `from` to `end` (and its close, when it closed by then) to `t`. */
function tally(d: DealIndex, i: number, bands: Float64Array, fy: number, from: number, end: number, closedThen: boolean, wt: number, t: Tallies): void {
  const nb = bands.length;
  const c0 = d.created[i]!;
  for (let b = 0; b < nb; b++) {
    if (c0 + bands[b]! * DAY_MS >= end) break;
    const lo = Math.max(from, c0 + bands[b]! * DAY_MS);
    const hi = Math.min(end, b + 1 < nb ? c0 + bands[b + 1]! * DAY_MS : end);
    if (hi <= lo) continue;
    // Split [lo, hi) at month starts: each piece's exposure goes to its calendar cell.
    let u = lo;
    let m = monthOf(u);
    while (u < hi) {
      const next = Math.min(hi, monthStart(m + 1));
      t.exposure[b * 12 + cellOfMonth(m, fy)]! += ((next - u) / DAY_MS) * wt;
      u = next;
      m++;
    }
  }
  if (closedThen && d.closed[i]! >= from) {
    const k = bandOf(bands, (d.closed[i]! - c0) / DAY_MS) * 12 + cellOfMonth(monthOf(d.closed[i]!), fy);
    t.closes[k]! += wt;
    if (d.won[i]) t.wins[k]! += wt;
    t.total++;
  }
}

/** The tallies of every deal closed by `asMs` (from the nearest checkpoint). */
function closedTallies(d: DealIndex, asMs: number, bands: Float64Array, fy: number, observedFrom: number): Tallies {
  let byKey = checkpointCache.get(d);
  if (!byKey) checkpointCache.set(d, (byKey = new Map()));
  const key = `${bands.join(',')}|${fy}|${observedFrom}`;
  let cp = byKey.get(key);
  if (!cp) {
    const ids: number[] = [];
    for (let i = 0; i < d.n; i++) if (Number.isFinite(d.closed[i]!)) ids.push(i);
    ids.sort((a, b) => d.closed[a]! - d.closed[b]!);
    const order = Int32Array.from(ids);
    byKey.set(key, (cp = { order, closedSorted: Float64Array.from(ids, (i) => d.closed[i]!), at: new Map() }));
  }
  // k = deals closed at or before asMs
  let lo = 0, hi = cp.closedSorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cp.closedSorted[mid]! <= asMs) lo = mid + 1;
    else hi = mid;
  }
  const k = lo;
  // Checkpoints every STEP closes, each built from the one before: the tallies at k are always
  // summed in the same order, whatever was asked before (results do not depend on call history).
  const size = bands.length * 12;
  const copy = (x: Tallies): Tallies => ({ exposure: Float64Array.from(x.exposure), closes: Float64Array.from(x.closes), wins: Float64Array.from(x.wins), total: x.total });
  const add = (t: Tallies, from: number, to: number): void => {
    for (let j = from; j < to; j++) {
      const i = cp.order[j]!;
      tally(d, i, bands, fy, Math.max(d.created[i]!, observedFrom), d.closed[i]!, true, 1, t);
    }
  };
  const top = Math.floor(k / CHECKPOINT_STEP) * CHECKPOINT_STEP;
  let at = top;
  while (at > 0 && !cp.at.has(at)) at -= CHECKPOINT_STEP;
  const t = at > 0 ? copy(cp.at.get(at)!) : { exposure: new Float64Array(size), closes: new Float64Array(size), wins: new Float64Array(size), total: 0 };
  for (; at < top; at += CHECKPOINT_STEP) {
    add(t, at, at + CHECKPOINT_STEP);
    cp.at.set(at + CHECKPOINT_STEP, copy(t));
  }
  add(t, top, k);
  return t;
}

/** Fits the {@link CloseModel} as known at `asMs` (left truncation: exposure counts from the first close known). */
export function fitCloseModel(d: DealIndex, asMs: number, o: CloseModelOptions = {}): CloseModel {
  const bands = Float64Array.from(o.ageBands ?? AGE_BANDS);
  const fy = o.fiscalYearStartMonth ?? 1;
  const nb = bands.length;
  let observedFrom = Number.POSITIVE_INFINITY;
  for (let i = 0; i < d.n; i++) if (d.closed[i]! <= asMs && d.created[i]! <= asMs && d.closed[i]! < observedFrom) observedFrom = d.closed[i]!;
  if (o.observedFrom !== undefined) observedFrom = toMs(o.observedFrom, 'observedFrom');
  const half = o.halfLifeDays ?? Number.POSITIVE_INFINITY;
  let t: Tallies;
  if (half === Number.POSITIVE_INFINITY) {
    // Closed deals from the checkpoints; open deals (exposure up to asMs) fresh.
    t = closedTallies(d, asMs, bands, fy, observedFrom);
    for (let i = 0; i < d.n; i++) {
      if (d.created[i]! > asMs || d.closed[i]! <= asMs) continue;
      tally(d, i, bands, fy, Math.max(d.created[i]!, observedFrom), asMs, false, 1, t);
    }
  } else {
    // Recency weights depend on the cutoff: every deal afresh.
    t = { exposure: new Float64Array(nb * 12), closes: new Float64Array(nb * 12), wins: new Float64Array(nb * 12), total: 0 };
    for (let i = 0; i < d.n; i++) {
      if (d.created[i]! > asMs) continue;
      const isClosed = d.closed[i]! <= asMs;
      const end = isClosed ? d.closed[i]! : asMs;
      tally(d, i, bands, fy, Math.max(d.created[i]!, observedFrom), end, isClosed, 2 ** (-(asMs - end) / DAY_MS / half), t);
    }
  }
  const { exposure, closes, wins, total } = t;
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
