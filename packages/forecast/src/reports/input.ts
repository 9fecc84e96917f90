import type { HistoryEvent, StoredRecord } from '@dealflow/core';
import { DealflowError } from '@dealflow/core';
import type { Period, StageInfo } from '../data/options.js';
import { buildTimelines, closeOf, stageKinds, type Timeline } from '../data/timeline.js';
import { toMs } from '../data/time.js';

/** The data every report reads: records, their history, and the stage list. */
export interface ReportInput {
  /** The records reported on. */
  records: readonly StoredRecord[];
  /** Their history (stage moves, owners and fields over time). */
  history: readonly HistoryEvent[];
  /** The pipeline's stages with their kinds and order. */
  stages: readonly StageInfo[];
}

/** Timelines with close facts, prepared once per report call. */
export interface ReportData {
  timelines: Timeline[];
  kinds: Map<string, StageInfo['kind']>;
  closes: ({ atMs: number; won: boolean; stage: string } | null)[];
}

/** Builds timelines and checks stages; throws `INPUT_INVALID` on an empty stage list. */
export function prepareReport(input: ReportInput): ReportData {
  if (!input.stages || input.stages.length === 0) throw new DealflowError('INPUT_INVALID', 'report: stages is empty');
  const timelines = buildTimelines(input.records, input.history);
  const kinds = stageKinds(input.stages);
  for (const t of timelines) {
    for (const s of t.stays) {
      if (!kinds.has(s.stage)) {
        throw new DealflowError('DATA_INVALID', `record '${t.record.id}' is in stage '${s.stage}', which is not in stages`, {
          problems: [{ path: `records[${t.record.id}].stage`, message: `unknown stage '${s.stage}'`, value: s.stage }],
        });
      }
    }
  }
  return { timelines, kinds, closes: timelines.map((t) => closeOf(t, kinds)) };
}

/** A period as epoch ms `[from, to)`. */
export function periodMs(period: Period | undefined): { from: number; to: number } {
  if (!period) return { from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY };
  const from = toMs(period.from, 'period.from');
  const to = toMs(period.to, 'period.to');
  if (to <= from) throw new DealflowError('INPUT_INVALID', `period.to (${String(period.to)}) must be after period.from (${String(period.from)})`);
  return { from, to };
}
