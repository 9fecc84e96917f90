import { DealflowError } from '@dealflow/core';
import { stateAt } from '../data/timeline.js';
import { toMs } from '../data/time.js';
import { quarterOf, periodRange } from '../quotas/period.js';
import type { Quota, QuotaBook, QuotaScope } from '../quotas/quota-book.js';
import type { Band, BookedTotals, DealContribution, Forecast, Forecaster } from './forecaster.js';
import { wonValueAt } from './deal-index.js';

const shift = (b: Band, by: number): Band => ({ expected: b.expected + by, p10: b.p10 + by, p50: b.p50 + by, p90: b.p90 + by });

/** The quarter so far and the rest of it: closed (known) + forecast (uncertain). */
export interface QuarterView {
  /** The fiscal quarter, e.g. `2017-Q3`. */
  quarter: string;
  /** Its first instant. */
  from: string;
  /** The first instant after it (the next quarter's start). */
  to: string;
  /** The cutoff inside it. */
  asOf: string;
  /** Won in the quarter up to asOf. */
  closed: BookedTotals;
  /** Forecast for (asOf, quarter end]. */
  rest: Forecast;
  /** closed + rest. */
  total: QuarterTotal;
  /** Per segmentation and key: closed so far, and closed + rest (from the same trials as the total). */
  segments: Record<string, {
    /** The segment key. */
    key: string;
    /** Won in the quarter up to asOf. */
    closed: BookedTotals;
    /** closed + rest. */
    total: QuarterTotal;
  }[]>;
}

/** A quarter's value and count: what is closed plus the forecast rest. */
export interface QuarterTotal {
  /** Won value. */
  value: Band;
  /** Won deals. */
  count: Band;
}

/**
 * The "this quarter" view: what is already won in the fiscal quarter containing `asOf`, plus the
 * forecast for the rest of it, in total and per segment, values and counts.
 *
 * @example
 * ```ts
 * const q = quarterView(forecaster, { asOf: '2017-08-15T00:00:00Z' })
 * q.closed.value; q.total.value.p10; q.segments.rep
 * ```
 */
export function quarterView(forecaster: Forecaster, options: { asOf: string | Date; fiscalYearStartMonth?: number }): QuarterView {
  const asMs = toMs(options.asOf, 'asOf');
  const q = quarterOf(asMs, options.fiscalYearStartMonth ?? 1);
  const closedAll = forecaster.actuals({ from: new Date(q.fromMs - 1), to: new Date(asMs) });
  const rest = forecaster.forecast({ asOf: new Date(asMs), until: new Date(q.toMs - 1) }); // a close at the next quarter's first instant is next quarter's
  const segments: QuarterView['segments'] = {};
  for (const [name, rows] of Object.entries(rest.segments)) {
    const closed = new Map((closedAll.segments[name] ?? []).map((r) => [r.key, r]));
    const keys = new Set([...rows.map((r) => r.key), ...closed.keys()]);
    segments[name] = [...keys].map((key) => {
      const c = closed.get(key) ?? { value: 0, count: 0 };
      const r = rows.find((x) => x.key === key);
      const zero: Band = { expected: 0, p10: 0, p50: 0, p90: 0 };
      return { key, closed: { value: c.value, count: c.count }, total: { value: shift(r?.value ?? zero, c.value), count: shift(r?.count ?? zero, c.count) } };
    });
    segments[name]!.sort((a, b) => b.total.value.expected - a.total.value.expected);
  }
  return {
    quarter: q.id,
    from: new Date(q.fromMs).toISOString(),
    to: new Date(q.toMs).toISOString(),
    asOf: new Date(asMs).toISOString(),
    closed: { value: closedAll.value, count: closedAll.count },
    rest,
    total: { value: shift(rest.value, closedAll.value), count: shift(rest.count, closedAll.count) },
    segments,
  };
}

/** Attainment of one stored quota. */
export interface QuotaStatus extends Quota {
  /** Won in the period up to asOf. */
  closed: number;
  /** closed / quota. */
  attainment: number;
  /** Share of the period elapsed at asOf. */
  elapsed: number;
  /** attainment / elapsed: 1 = on pace, below 1 = behind. */
  pacing: number;
  /** closed + forecast for the rest of the period. */
  projected: Band;
  /** P(closed + rest ≥ quota) over the forecast's trials. */
  pHit: number;
}

/**
 * Attainment, pacing and the probability of hitting each quota stored for `period` (reps by the
 * `rep` segmentation, teams by `team`; rename with `segmentFor`). `asOf` must lie in the period.
 *
 * @example
 * ```ts
 * const rows = await quotaAttainment({ forecaster, quotas: createQuotaBook({ engine }), period: '2017-Q3', asOf: '2017-08-15T00:00:00Z' })
 * rows[0].attainment; rows[0].pacing; rows[0].pHit
 * ```
 */
export async function quotaAttainment(options: {
  forecaster: Forecaster;
  quotas: QuotaBook;
  period: string;
  asOf: string | Date;
  segmentFor?: Partial<Record<QuotaScope, string>>;
  fiscalYearStartMonth?: number;
}): Promise<QuotaStatus[]> {
  const stored = await options.quotas.list({ period: options.period });
  return attainmentOf(options.forecaster, stored, options);
}

/** {@link quotaAttainment} on quotas already read. */
export function attainmentOf(
  forecaster: Forecaster,
  quotas: readonly Quota[],
  options: { period: string; asOf: string | Date; segmentFor?: Partial<Record<QuotaScope, string>>; fiscalYearStartMonth?: number },
): QuotaStatus[] {
  const p = periodRange(options.period, options.fiscalYearStartMonth ?? 1);
  const asMs = toMs(options.asOf, 'asOf');
  if (asMs < p.fromMs || asMs > p.toMs) throw new DealflowError('INPUT_INVALID', `quotaAttainment: asOf ${new Date(asMs).toISOString()} is outside period ${p.id}`);
  const segFor = { rep: options.segmentFor?.rep ?? 'rep', team: options.segmentFor?.team ?? 'team' };
  const closed = forecaster.actuals({ from: new Date(p.fromMs - 1), to: new Date(Math.min(asMs, p.toMs - 1)) });
  const rest = asMs < p.toMs - 1 ? forecaster.forecast({ asOf: new Date(asMs), until: new Date(p.toMs - 1) }) : null;
  const elapsed = (asMs - p.fromMs) / (p.toMs - p.fromMs);
  return quotas.map((q) => {
    const by = segFor[q.scope];
    const rows = closed.segments[by];
    if (!rows) throw new DealflowError('INPUT_INVALID', `quotaAttainment: the forecaster has no segmentation '${by}' for ${q.scope} quotas`);
    const c = rows.find((r) => r.key === q.subject)?.[q.metric] ?? 0;
    const seg = rest?.segments[by]?.find((r) => r.key === q.subject)?.[q.metric] ?? { expected: 0, p10: 0, p50: 0, p90: 0 };
    const pHit = rest ? rest.probabilityAtLeast(q.amount, { metric: q.metric, segment: { by, key: q.subject }, plus: c }) : c >= q.amount ? 1 : 0;
    const attainment = q.amount > 0 ? c / q.amount : Number.NaN;
    return { ...q, closed: c, attainment, elapsed, pacing: elapsed > 0 ? attainment / elapsed : Number.NaN, projected: shift(seg, c), pHit };
  });
}

/** Why the quarter forecast changed since an earlier snapshot. */
export interface ForecastExplanation {
  /** The fiscal quarter explained. */
  quarter: string;
  /** The earlier snapshot's cutoff. */
  since: string;
  /** The later snapshot's cutoff. */
  asOf: string;
  /** Open deals with the largest expected contribution now. */
  topDeals: DealContribution[];
  /**
   * Quarter value forecast (closed so far + expected rest) at `since` → at `asOf`, as steps that
   * add up exactly: `new` deals created since, `moved` (open deals whose stage changed), `slipped`
   * (open deals still in their stage: less time left in the quarter), `won` (booked value minus
   * what was expected of them), `lost` (what was expected of them), `other` (deals not created yet,
   * recalibration).
   */
  waterfall: {
    /** The forecast at `since`. */
    start: number;
    /** Deals created since. */
    new: number;
    /** Open deals whose stage changed. */
    moved: number;
    /** Open deals still in their stage (less time left in the quarter). */
    slipped: number;
    /** Booked value minus what was expected of the deals won. */
    won: number;
    /** What was expected of the deals lost. */
    lost: number;
    /** Deals not created yet, recalibration. */
    other: number;
    /** The forecast at `asOf`. */
    end: number;
  };
}

/**
 * Explains the quarter forecast: top deals by contribution, and a waterfall from the forecast at
 * `since` (e.g. last week's snapshot) to the one at `asOf`. Both snapshots use only what was known
 * at their own date.
 *
 * @example
 * ```ts
 * const why = explainForecast(forecaster, { asOf: '2017-08-15T00:00:00Z', since: '2017-08-08T00:00:00Z' })
 * why.waterfall; why.topDeals.slice(0, 5)
 * ```
 */
export function explainForecast(
  forecaster: Forecaster,
  options: { asOf: string | Date; since: string | Date; top?: number; amountField?: string; fiscalYearStartMonth?: number },
): ForecastExplanation {
  const asMs = toMs(options.asOf, 'asOf');
  const sinceMs = toMs(options.since, 'since');
  const q = quarterOf(asMs, options.fiscalYearStartMonth ?? 1);
  if (!(sinceMs < asMs && sinceMs >= q.fromMs)) throw new DealflowError('INPUT_INVALID', `explainForecast: since must be before asOf and inside quarter ${q.id}`);
  const amountField = options.amountField ?? 'amount';
  const ix = forecaster.index;
  const view = (ms: number) => {
    const closed = forecaster.actuals({ from: new Date(q.fromMs - 1), to: new Date(ms) });
    const f = forecaster.forecast({ asOf: new Date(ms), until: new Date(q.toMs - 1) });
    return { total: closed.value + f.value.expected, byId: new Map(f.deals.map((d) => [d.id, d.contribution])), f };
  };
  const before = view(sinceMs);
  const now = view(asMs);
  const w = { start: before.total, new: 0, moved: 0, slipped: 0, won: 0, lost: 0, other: 0, end: now.total };
  for (let i = 0; i < ix.n; i++) {
    const id = ix.timelines[i]!.record.id;
    const createdSince = ix.created[i]! > sinceMs && ix.created[i]! <= asMs;
    const closedSince = ix.closed[i]! > sinceMs && ix.closed[i]! <= asMs;
    const was = before.byId.get(id) ?? 0;
    const booked = closedSince && ix.won[i] && ix.closed[i]! > q.fromMs ? (wonValueAt(ix, i, amountField, asMs) ?? 0) : 0;
    if (createdSince) w.new += closedSince ? booked : (now.byId.get(id) ?? 0);
    else if (closedSince) {
      if (ix.won[i]) w.won += booked - was;
      else w.lost -= was;
    } else if (before.byId.has(id)) {
      const delta = (now.byId.get(id) ?? 0) - was;
      const s0 = stateAt(ix.timelines[i]!, sinceMs)?.stage, s1 = stateAt(ix.timelines[i]!, asMs)?.stage;
      if (s0 !== s1) w.moved += delta;
      else w.slipped += delta;
    }
  }
  w.other = w.end - w.start - (w.new + w.moved + w.slipped + w.won + w.lost);
  return {
    quarter: q.id,
    since: new Date(sinceMs).toISOString(),
    asOf: new Date(asMs).toISOString(),
    topDeals: now.f.deals.slice(0, options.top ?? 10),
    waterfall: w,
  };
}
