import { DealflowError } from '@dealflow/core';
import type { FieldOptions, Period } from '../data/options.js';
import { resolveFields } from '../data/options.js';
import { fieldAt, num, stateAt } from '../data/timeline.js';
import { toMs } from '../data/time.js';
import { periodMs, prepareReport, type ReportInput } from '../reports/input.js';

/** One open deal in the weighted pipeline. */
export interface WeightedDeal {
  /** The deal. */
  id: string;
  /** Its stage at asOf. */
  stage: string;
  /** Its amount at asOf. */
  amount: number;
  /** Its win probability: its probability field if set, else its stage's. */
  probability: number;
  /** amount × probability. */
  weighted: number;
  /** Its expected close date (inside the period). */
  closeDate: string;
}

/** Result of {@link weightedPipeline}. */
export interface WeightedPipeline {
  /** Sum of the weighted amounts. */
  total: number;
  /** Unweighted amount of the same deals. */
  amount: number;
  /** The same per stage. */
  byStage: Record<string, {
    /** Deals in the stage. */
    count: number;
    /** Their unweighted amount. */
    amount: number;
    /** Their weighted amount. */
    weighted: number;
  }>;
  /** Every deal counted. */
  deals: WeightedDeal[];
}

/**
 * Weighted pipeline for a period: open deals whose expected close date falls in the period, each
 * amount × probability (the record's probability field if set, else its stage's probability).
 * State and fields are taken as known at `asOf` (default: now).
 *
 * @example
 * ```ts
 * weightedPipeline({ records, history, stages, period: { from: '2026-04-01', to: '2026-07-01' } }).total
 * ```
 */
export function weightedPipeline(input: ReportInput & FieldOptions & { period: Period; asOf?: string | Date }): WeightedPipeline {
  const data = prepareReport(input);
  const f = resolveFields(input);
  const { from, to } = periodMs(input.period);
  const asMs = input.asOf === undefined ? Date.now() : toMs(input.asOf, 'asOf');
  const prob = new Map(input.stages.map((s) => [s.id, s.probability]));
  const out: WeightedPipeline = { total: 0, amount: 0, byStage: {}, deals: [] };
  for (const t of data.timelines) {
    const st = stateAt(t, asMs);
    if (!st || data.kinds.get(st.stage) !== 'open') continue;
    const cd = fieldAt(t, f.closeDateField, asMs);
    const cdMs = typeof cd === 'string' ? Date.parse(cd) : Number.NaN;
    if (!(cdMs >= from && cdMs < to)) continue;
    const amount = num(fieldAt(t, f.amountField, asMs)) ?? 0;
    const p = num(fieldAt(t, f.probabilityField, asMs)) ?? prob.get(st.stage);
    if (p === undefined) {
      throw new DealflowError('INPUT_INVALID', `record '${t.record.id}': stage '${st.stage}' has no probability and the record has no '${f.probabilityField}'`, {
        problems: [{ path: `stages.${st.stage}.probability`, message: 'missing probability' }],
      });
    }
    if (!(p >= 0 && p <= 1)) throw new DealflowError('DATA_INVALID', `record '${t.record.id}': probability ${p} is not in [0, 1]`);
    const weighted = amount * p;
    out.total += weighted;
    out.amount += amount;
    const b = (out.byStage[st.stage] ??= { count: 0, amount: 0, weighted: 0 });
    b.count++;
    b.amount += amount;
    b.weighted += weighted;
    out.deals.push({ id: t.record.id, stage: st.stage, amount, probability: p, weighted, closeDate: cd as string });
  }
  return out;
}

/** Result of {@link forecastCategories}. */
export interface CategoryRollup {
  /** The period's quota. */
  quota: number;
  /** Amount per category: `closed` (won in the period) and each open category. */
  byCategory: Record<string, number>;
  /** Cumulative: closed; commit = closed + commit; bestCase = commit + best case; pipeline = bestCase + pipeline. */
  rollup: CategoryLevels;
  /** quota − each roll-up level (negative = above quota). */
  gapToQuota: CategoryLevels;
}

/** One amount per forecast roll-up level. */
export interface CategoryLevels {
  /** Won in the period. */
  closed: number;
  /** Closed plus commit. */
  commit: number;
  /** Commit level plus best case. */
  bestCase: number;
  /** Best-case level plus pipeline. */
  pipeline: number;
}

/**
 * Forecast categories roll-up for a period against quota. Won deals closed in the period are
 * `closed`; open deals with an expected close date in the period go to their record's category
 * field, else their stage's `forecastCategory`, else `pipeline` (`omitted` is left out of the
 * roll-up). Category names are normalized: `best case`, `bestCase`, `best_case` are the same.
 *
 * @example
 * ```ts
 * forecastCategories({ records, history, stages, quota: 1e6, period }).gapToQuota.commit
 * ```
 */
export function forecastCategories(input: ReportInput & FieldOptions & { period: Period; quota: number; asOf?: string | Date }): CategoryRollup {
  if (!(input.quota >= 0)) throw new DealflowError('INPUT_INVALID', `forecastCategories: quota must be a non-negative number, got ${input.quota}`);
  const data = prepareReport(input);
  const f = resolveFields(input);
  const { from, to } = periodMs(input.period);
  const asMs = input.asOf === undefined ? Date.now() : toMs(input.asOf, 'asOf');
  const stageCat = new Map(input.stages.map((s) => [s.id, s.forecastCategory]));
  const norm = (c: string): string => {
    const k = c.toLowerCase().replace(/[\s_-]/g, '');
    return k === 'bestcase' ? 'best_case' : k;
  };
  const byCategory: Record<string, number> = { closed: 0, commit: 0, best_case: 0, pipeline: 0 };
  data.timelines.forEach((t, i) => {
    const c = data.closes[i];
    if (c && c.atMs <= asMs) {
      if (c.won && c.atMs >= from && c.atMs < to) byCategory.closed! += num(fieldAt(t, f.amountField, c.atMs)) ?? 0;
      return;
    }
    const st = stateAt(t, asMs);
    if (!st || data.kinds.get(st.stage) !== 'open') return;
    const cd = fieldAt(t, f.closeDateField, asMs);
    const cdMs = typeof cd === 'string' ? Date.parse(cd) : Number.NaN;
    if (!(cdMs >= from && cdMs < to)) return;
    const raw = fieldAt(t, f.forecastCategoryField, asMs);
    const cat = norm(typeof raw === 'string' && raw !== '' ? raw : (stageCat.get(st.stage) ?? 'pipeline'));
    byCategory[cat] = (byCategory[cat] ?? 0) + (num(fieldAt(t, f.amountField, asMs)) ?? 0);
  });
  const closed = byCategory.closed!;
  const commit = closed + byCategory.commit!;
  const bestCase = commit + byCategory.best_case!;
  const pipeline = bestCase + byCategory.pipeline!;
  const q = input.quota;
  return {
    quota: q,
    byCategory,
    rollup: { closed, commit, bestCase, pipeline },
    gapToQuota: { closed: q - closed, commit: q - commit, bestCase: q - bestCase, pipeline: q - pipeline },
  };
}
