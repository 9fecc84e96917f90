import { DealflowError } from '@dealflow/core';
import type { Period } from '../data/options.js';
import { fieldAt, num, stateAt } from '../data/timeline.js';
import { toMs } from '../data/time.js';
import { periodMs, prepareReport, type ReportInput } from './input.js';

/** One stage of a funnel snapshot. */
export interface FunnelStage {
  /** The stage id. */
  stage: string;
  /** Its kind (`open`, `won`, `lost`, `closed`). */
  kind: string;
  /** Records in it at the snapshot date. */
  count: number;
  /** Sum of the amount field as known at the snapshot date. */
  amount: number;
}

/**
 * The funnel as it stood at a past date, rebuilt from history: how many records were in each
 * stage at `asOf` and their amount as known then. Records created later are not there; a deal
 * that closed later is still open.
 *
 * @example
 * ```ts
 * funnelAt({ records, history, stages, asOf: '2017-06-30T00:00:00Z' })
 * ```
 */
export function funnelAt(input: ReportInput & { asOf: string | Date; amountField?: string }): FunnelStage[] {
  const data = prepareReport(input);
  const asMs = toMs(input.asOf, 'asOf');
  const amountField = input.amountField ?? 'amount';
  const out = new Map(input.stages.map((s) => [s.id, { stage: s.id, kind: s.kind as string, count: 0, amount: 0 }]));
  for (const t of data.timelines) {
    const st = stateAt(t, asMs);
    if (!st) continue;
    const row = out.get(st.stage)!;
    row.count++;
    row.amount += num(fieldAt(t, amountField, asMs)) ?? 0;
  }
  return [...out.values()];
}

/** Result of {@link pipelineCoverage}. */
export interface PipelineCoverage {
  /** The period's quota. */
  quota: number;
  /** Won in the period (by close date, up to asOf). */
  closedWon: number;
  /** quota − closedWon (not below 0). */
  remaining: number;
  /** Amount of open records whose expected close date is in the period. */
  openPipeline: number;
  /** openPipeline / remaining (Infinity when nothing remains). */
  coverage: number;
  /** openPipeline / quota. */
  coverageOfQuota: number;
}

/**
 * Pipeline coverage vs quota for a period: open pipeline expected to close in the period divided
 * by what is left of the quota (sales teams usually want 3×).
 *
 * @example
 * ```ts
 * pipelineCoverage({ records, history, stages, quota: 500_000, period: { from: '2026-01-01', to: '2026-04-01' } }).coverage
 * ```
 */
export function pipelineCoverage(
  input: ReportInput & { quota: number; period: Period; asOf?: string | Date; amountField?: string; closeDateField?: string },
): PipelineCoverage {
  if (!(input.quota > 0)) throw new DealflowError('INPUT_INVALID', `pipelineCoverage: quota must be a positive number, got ${input.quota}`);
  const data = prepareReport(input);
  const { from, to } = periodMs(input.period);
  const asMs = input.asOf === undefined ? Date.now() : toMs(input.asOf, 'asOf');
  const amountField = input.amountField ?? 'amount';
  const closeField = input.closeDateField ?? 'closeDate';
  let closedWon = 0, openPipeline = 0;
  data.timelines.forEach((t, i) => {
    if (t.createdMs > asMs) return;
    const c = data.closes[i];
    if (c && c.atMs <= asMs) {
      if (c.won && c.atMs >= from && c.atMs < to) closedWon += num(fieldAt(t, amountField, c.atMs)) ?? 0;
      return;
    }
    const cd = fieldAt(t, closeField, asMs);
    const cdMs = typeof cd === 'string' ? Date.parse(cd) : Number.NaN;
    if (cdMs >= from && cdMs < to) openPipeline += num(fieldAt(t, amountField, asMs)) ?? 0;
  });
  const remaining = Math.max(0, input.quota - closedWon);
  return {
    quota: input.quota,
    closedWon,
    remaining,
    openPipeline,
    coverage: remaining > 0 ? openPipeline / remaining : Number.POSITIVE_INFINITY,
    coverageOfQuota: openPipeline / input.quota,
  };
}
