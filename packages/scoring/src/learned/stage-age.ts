import type { HistoryEvent, StoredRecord } from '@dealflow/core';
import { fitStageMarkov, type StageInfo } from '@dealflow/forecast';
import type { RecordAsOf, StageKind } from '../features/as-of.js';
import type { Contribution, StageAgeModel } from './types.js';

/** Default bands of days in the current stage of the `stage-age` method. */
export const STAGE_AGE_BANDS: readonly number[] = [0, 7, 15, 30, 60, 90];

/**
 * Fits the `stage-age` table: P(eventually won) for an open record by its stage and the band of
 * days it has spent there, from the absorbing Markov chain of `@dealflow/forecast`'s
 * `fitStageMarkov` on history known at `asOf` (open stays count as censored, so slow deals are not
 * lost from the estimate).
 */
export function fitStageAgeTable(
  records: readonly StoredRecord[],
  history: readonly HistoryEvent[],
  stages: readonly StageKind[],
  asOf: string,
  ageBands: readonly number[] = STAGE_AGE_BANDS,
): Pick<StageAgeModel, 'ageBands' | 'probabilities'> {
  const info: StageInfo[] = stages.map((s) => ({ id: s.id, kind: s.kind === 'won' || s.kind === 'lost' || s.kind === 'closed' ? s.kind : 'open' }));
  const m = fitStageMarkov({ records, history, stages: info, asOf, ageBands });
  const probabilities: Record<string, number[]> = {};
  for (const s of m.stages) probabilities[s] = ageBands.map((b) => m.winProbability(s, b));
  return { ageBands: [...ageBands], probabilities };
}

const DAY_MS = 86_400_000;

/** The `stage-age` probability of a record view, with its one explaining part. */
export function stageAgeProbability(model: StageAgeModel, view: RecordAsOf): { probability: number; contributions: Contribution[] } {
  const stage = view.record.stage;
  const kind = model.stages.find((s) => s.id === stage)?.kind;
  if (kind === 'won') return { probability: 1, contributions: [] };
  if (kind === 'lost' || kind === 'closed') return { probability: 0, contributions: [] };
  const age = Math.max(0, (Date.parse(view.at) - Date.parse(view.record.stageEnteredAt)) / DAY_MS);
  let b = 0;
  while (b + 1 < model.ageBands.length && age >= model.ageBands[b + 1]!) b++;
  const row = model.probabilities[stage];
  const p = row ? row[b]! : model.training.won / Math.max(1, model.training.examples);
  const q = Math.min(1 - 1e-9, Math.max(1e-9, p));
  const label = b + 1 < model.ageBands.length ? `${model.ageBands[b]}–${model.ageBands[b + 1]} days` : `≥${model.ageBands[b]} days`;
  return { probability: p, contributions: [{ feature: 'stage+age', value: `${stage}, ${label} in stage`, logOdds: Math.log(q / (1 - q)) }] };
}
