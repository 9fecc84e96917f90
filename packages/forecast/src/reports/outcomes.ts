import type { Period } from '../data/options.js';
import { fieldAt, num, type Timeline } from '../data/timeline.js';
import { DAY_MS, toMs } from '../data/time.js';
import { summarize, type Summary } from '../stats/quantile.js';
import { periodMs, prepareReport, type ReportInput } from './input.js';

/** Sales cycle (creation → close) in days. */
export interface SalesCycle {
  /** Days to close of the won records. */
  won: Summary;
  /** Days to close of the lost records. */
  lost: Summary;
  /** Days to close of every closed record. */
  all: Summary;
}

/**
 * Sales cycle length in days from creation to close (won, lost, all), for records closed in
 * `period` (default: all closed records).
 *
 * @example
 * ```ts
 * salesCycle({ records, history, stages }).won.median
 * ```
 */
export function salesCycle(input: ReportInput & { period?: Period }): SalesCycle {
  const data = prepareReport(input);
  const { from, to } = periodMs(input.period);
  const won: number[] = [], lost: number[] = [];
  data.timelines.forEach((t, i) => {
    const c = data.closes[i];
    if (!c || c.atMs < from || c.atMs >= to) return;
    (c.won ? won : lost).push((c.atMs - t.createdMs) / DAY_MS);
  });
  return { won: summarize(won), lost: summarize(lost), all: summarize([...won, ...lost]) };
}

/** Win rate of one group. */
export interface WinRateRow {
  /** The group (an owner, a product, …; `(none)` when unset). */
  key: string;
  /** Records won in the period. */
  won: number;
  /** Records lost in the period. */
  lost: number;
  /** won / (won + lost). */
  rate: number;
  /** Sum of the won records' amounts. */
  wonAmount: number;
}

/** Options for grouping: `owner` (record owner or `ownerField`) or any field name (product, region, source…). */
export interface WinRateOptions {
  /** `owner`, or the field to group by. */
  by: 'owner' | string;
  /** Only records closed in it (default: every closed record). */
  period?: Period;
  /** The field holding the amount (default `amount`). */
  amountField?: string;
  /** A field holding the owner, instead of the record's `ownerId`. */
  ownerField?: string;
}

function groupKey(t: Timeline, by: string, ownerField: string | undefined, atMs: number): string {
  if (by === 'owner') return String((ownerField ? fieldAt(t, ownerField, atMs) : t.record.ownerId) ?? '(none)');
  return String(fieldAt(t, by, atMs) ?? '(none)');
}

/**
 * Win rate = won / (won + lost) per group (`by: 'owner'` or a field such as `product`, `region`,
 * `source`), over records closed in `period`. Sorted by key.
 *
 * @example
 * ```ts
 * winRates({ records, history, stages, by: 'product' })
 * ```
 */
export function winRates(input: ReportInput & WinRateOptions): WinRateRow[] {
  const data = prepareReport(input);
  const { from, to } = periodMs(input.period);
  const amountField = input.amountField ?? 'amount';
  const groups = new Map<string, WinRateRow>();
  data.timelines.forEach((t, i) => {
    const c = data.closes[i];
    if (!c || c.atMs < from || c.atMs >= to) return;
    const key = groupKey(t, input.by, input.ownerField, c.atMs);
    const g = groups.get(key) ?? { key, won: 0, lost: 0, rate: 0, wonAmount: 0 };
    if (c.won) {
      g.won++;
      g.wonAmount += num(fieldAt(t, amountField, c.atMs)) ?? 0;
    } else g.lost++;
    groups.set(key, g);
  });
  return [...groups.values()]
    .map((g) => ({ ...g, rate: g.won / (g.won + g.lost) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** One rep's KPIs. */
export interface RepKpi {
  /** The rep. */
  owner: string;
  /** Open records now (at `asOf`). */
  open: number;
  /** Sum of their amounts. */
  openAmount: number;
  /** Closed in the period. */
  won: number;
  /** Lost in the period. */
  lost: number;
  /** Sum of the amounts won in the period. */
  wonAmount: number;
  /** won / (won + lost) (NaN when nothing closed). */
  winRate: number;
  /** wonAmount / won. */
  averageDealSize: number;
  /** Median days creation → won, of wins in the period. */
  medianCycleDays: number;
}

/**
 * Rep KPIs: open pipeline at `asOf` (default: end of the period, or now), and wins, losses, won
 * amount, win rate, average deal size and median cycle over the period.
 *
 * @example
 * ```ts
 * repKpis({ records, history, stages, period: { from: '2017-01-01', to: '2017-04-01' } })
 * ```
 */
export function repKpis(input: ReportInput & { period?: Period; asOf?: string | Date; amountField?: string; ownerField?: string }): RepKpi[] {
  const data = prepareReport(input);
  const { from, to } = periodMs(input.period);
  const asMs = input.asOf !== undefined ? toMs(input.asOf, 'asOf') : Number.isFinite(to) ? to : Date.now();
  const amountField = input.amountField ?? 'amount';
  const reps = new Map<string, RepKpi & { cycles: number[] }>();
  const get = (owner: string) => {
    let r = reps.get(owner);
    if (!r) reps.set(owner, (r = { owner, open: 0, openAmount: 0, won: 0, lost: 0, wonAmount: 0, winRate: Number.NaN, averageDealSize: Number.NaN, medianCycleDays: Number.NaN, cycles: [] }));
    return r;
  };
  data.timelines.forEach((t, i) => {
    if (t.createdMs > asMs) return;
    const c = data.closes[i];
    const owner = groupKey(t, 'owner', input.ownerField, c?.atMs ?? asMs);
    const r = get(owner);
    if (!c || c.atMs > asMs) {
      r.open++;
      r.openAmount += num(fieldAt(t, amountField, asMs)) ?? 0;
    }
    if (c && c.atMs >= from && c.atMs < to && c.atMs <= asMs) {
      if (c.won) {
        r.won++;
        r.wonAmount += num(fieldAt(t, amountField, c.atMs)) ?? 0;
        r.cycles.push((c.atMs - t.createdMs) / DAY_MS);
      } else r.lost++;
    }
  });
  return [...reps.values()].map(({ cycles, ...r }) => ({
    ...r,
    winRate: r.won + r.lost > 0 ? r.won / (r.won + r.lost) : Number.NaN,
    averageDealSize: r.won > 0 ? r.wonAmount / r.won : Number.NaN,
    medianCycleDays: summarize(cycles).median,
  }));
}

/** A leaderboard row: the KPIs plus a 1-based rank (ties share a rank). */
export type LeaderboardRow = RepKpi & {
  /** 1 for the first; equal values share a rank (1, 2, 2, 4). */
  rank: number;
};

/**
 * Ranks reps by a KPI (default `wonAmount`, descending); equal values share a rank (1, 2, 2, 4).
 *
 * @example
 * ```ts
 * leaderboard(repKpis({ records, history, stages }), 'winRate')[0].owner
 * ```
 */
export function leaderboard(kpis: readonly RepKpi[], by: 'wonAmount' | 'won' | 'winRate' | 'averageDealSize' | 'openAmount' = 'wonAmount'): LeaderboardRow[] {
  const val = (k: RepKpi): number => (Number.isNaN(k[by]) ? Number.NEGATIVE_INFINITY : k[by]);
  const sorted = [...kpis].sort((a, b) => val(b) - val(a) || (a.owner < b.owner ? -1 : 1));
  const out: LeaderboardRow[] = [];
  sorted.forEach((k, i) => {
    const prev = out[i - 1];
    out.push({ ...k, rank: prev && val(sorted[i - 1]!) === val(k) ? prev.rank : i + 1 });
  });
  return out;
}
