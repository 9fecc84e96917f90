import type { HistoryEvent, StoredRecord } from '@dealflow/core';
import type { StageInfo } from '../data/options.js';
import { buildTimelines, fieldAt, num, ownerAt, stageKinds } from '../data/timeline.js';
import { parseIsoMs } from '../data/time.js';

/**
 * A KPI fact from history: a rep did something at an instant. Metrics: `activity.<type>` (one per
 * logged activity: `activity.call`, `activity.email`, …; the rep is its author), `deal.created`
 * (the owner), `deal.won` (value = booked amount; the owner at the close), `deal.lost`.
 */
export interface KpiEvent {
  /** When it happened (epoch ms, from its history event). */
  atMs: number;
  /** The rep it counts for. */
  rep: string;
  /** What it is: `activity.<type>`, `deal.created`, `deal.won`, `deal.lost`. */
  metric: string;
  /** 1, except for `deal.won`: the booked amount. */
  value: number;
  /** The record it happened on. */
  recordId: string;
}

/**
 * Extracts KPI events from records and their history, in time order. Each one is dated by its
 * history event, so a KPI over a period counts only what happened in it.
 *
 * @example
 * ```ts
 * kpiEvents({ records, history, stages }).filter((e) => e.metric === 'activity.call')
 * ```
 */
export function kpiEvents(input: { records: readonly StoredRecord[]; history: readonly HistoryEvent[]; stages: readonly StageInfo[]; amountField?: string }): KpiEvent[] {
  const kinds = stageKinds(input.stages);
  const amountField = input.amountField ?? 'amount';
  const out: KpiEvent[] = [];
  const timelines = new Map(buildTimelines(input.records, input.history).map((t) => [t.record.id, t]));
  for (const e of input.history) {
    const atMs = parseIsoMs(e.at);
    if (!Number.isFinite(atMs)) continue;
    const t = timelines.get(e.recordId);
    if (e.kind === 'activity') {
      const a = (e.data as { activity?: { type?: unknown; authorId?: unknown; at?: unknown } }).activity;
      const rep = typeof a?.authorId === 'string' ? a.authorId : e.actorId;
      const at = typeof a?.at === 'string' ? parseIsoMs(a.at) : atMs;
      if (typeof a?.type === 'string' && rep) out.push({ atMs: Number.isFinite(at) ? at : atMs, rep, metric: `activity.${a.type}`, value: 1, recordId: e.recordId });
      continue;
    }
    if (!t) continue;
    const owner = ownerAt(t, atMs) ?? e.actorId ?? null;
    if (!owner) continue;
    if (e.kind === 'created') out.push({ atMs, rep: owner, metric: 'deal.created', value: 1, recordId: e.recordId });
    else if (e.kind === 'transition' && e.to && e.to !== e.from) {
      const kind = kinds.get(e.to);
      if (kind === 'won') out.push({ atMs, rep: owner, metric: 'deal.won', value: num(fieldAt(t, amountField, atMs)) ?? 0, recordId: e.recordId });
      else if (kind === 'lost') out.push({ atMs, rep: owner, metric: 'deal.lost', value: 1, recordId: e.recordId });
    }
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}
