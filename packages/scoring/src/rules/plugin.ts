import type { HistoryEvent, StoredRecord } from '@dealflow/core';
import type { RuleEngine } from '@dealflow/logic';
import { recordAsOf } from '../features/as-of.js';
import { scoreView } from '../learned/score.js';
import type { ScoringModel } from '../learned/types.js';
import { createRuleScorer, scoreDataOf } from './criteria.js';
import type { FiredCriterion, RuleScorer, ScoreCriterion } from './criteria.js';

/** What the scoring plugin reads of a change (a subset of core's `PluginChange`). */
export interface ScoringChange {
  /** The record before the change (null when it is being created). */
  before: StoredRecord | null;
  /** The record as it will be written; the plugin sets its score in `meta` (and fields). */
  after: StoredRecord;
  /** The history events of the change. */
  events: HistoryEvent[];
  /** The open transaction; used to read earlier history when a model feature needs `stageReached`. */
  tx?: {
    /** The record's history so far, oldest first. */
    listHistory(recordId: string): Promise<HistoryEvent[]>;
  };
}

/** An engine plugin (structurally core's `EnginePlugin`). */
export interface ScoringPlugin {
  /** `scoring`: names the plugin in error messages. */
  name: string;
  /** Paths of the rule data whose change triggers a new score. */
  readonly watches: readonly string[];
  /** Scores the changed record inside the engine's transaction, before it commits. */
  beforeCommit(change: ScoringChange): Promise<void>;
}

/** Options of {@link scoringPlugin}. */
export interface ScoringPluginOptions {
  /** Weighted criteria; their points are written to `meta.score`. */
  criteria: ScoreCriterion[];
  /** A fitted model; its win probability is written to `meta.winProbability`. */
  model?: ScoringModel;
  /** Rule engine for the criteria (with your custom operators). */
  ruleEngine?: RuleEngine;
  /** Declared field names (criteria reading other fields are rejected). */
  fields?: readonly string[];
  /**
   * Also copy the points into this record field (declare it in the blueprint, type number), so
   * blueprint rules — guards, assignment and escalation conditions — can read `fields.<name>`.
   */
  scoreField?: string;
  /** Same for the win probability. */
  probabilityField?: string;
}

/** The rule-data paths a model feature depends on. */
function featureWatches(model: ScoringModel): string[] {
  const out: string[] = [];
  for (const f of model.features) {
    if (f.source.startsWith('fields.')) out.push(f.source);
    else if (f.source.startsWith('meta.')) out.push(`record.${f.source}`);
    else if (f.source === 'ownerId' || f.source === 'teamId' || f.source === 'type') out.push(`record.${f.source}`);
    else if (f.source === 'stage' || f.source === 'stageReached' || f.source === 'ageInStageDays') out.push('record.stage', 'record.stageEnteredAt');
    else if (f.source === 'ageDays') out.push('record.createdAt');
  }
  return out;
}

/** Keys the plugin writes itself; a change of them never triggers a rescore. */
const OWN_META = new Set(['record.meta.score', 'record.meta.scoreReasons', 'record.meta.winProbability', 'record.meta.scoredAt', 'record.score', 'record.winProbability']);

function readPath(root: unknown, path: string): unknown {
  let cur = root;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || !Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * An engine plugin that keeps scores on records: inside the write transaction it sets
 * `after.meta.score` (rule points), `after.meta.scoreReasons` (criteria that fired),
 * `after.meta.winProbability` (learned model, when given) and `after.meta.scoredAt` — only when
 * the record is new or a value the criteria or model read has changed (so edits of unrelated fields
 * cost nothing and write nothing). The engine records these meta changes in the history event, so
 * replay stays exact. Criteria reading `now` are evaluated at write time only.
 *
 * @example
 * ```ts
 * const engine = createEngine({ storage, blueprints, plugins: [
 *   scoringPlugin({ criteria, model, scoreField: 'leadScore' }),
 * ] });
 * const deal = await engine.create('deal', { fields: { employees: 5000 } });
 * deal.meta.score; explainScore(deal);
 * ```
 */
export function scoringPlugin(options: ScoringPluginOptions): ScoringPlugin {
  const scorer: RuleScorer = createRuleScorer({
    criteria: options.criteria,
    ...(options.ruleEngine ? { ruleEngine: options.ruleEngine } : {}),
    ...(options.fields ? { fields: options.fields } : {}),
  });
  const model = options.model;
  const own = new Set(OWN_META);
  if (options.scoreField) own.add(`fields.${options.scoreField}`);
  if (options.probabilityField) own.add(`fields.${options.probabilityField}`);
  const watches = [
    ...new Set([...scorer.reads, ...(model ? featureWatches(model) : [])].filter((p) => p !== 'now' && !own.has(p))),
  ].sort();
  const needsVisited = model?.features.some((f) => f.source === 'stageReached') ?? false;
  return {
    name: 'scoring',
    watches,
    async beforeCommit({ before, after, events, tx }) {
      const now = events[0]?.at ?? after.updatedAt;
      if (before !== null && after.meta['score'] !== undefined) {
        const a = scoreDataOf(before, now);
        const b = scoreDataOf(after, now);
        const changed = watches.some((p) => JSON.stringify(readPath(a, p)) !== JSON.stringify(readPath(b, p)));
        if (!changed) return;
      }
      const result = scorer.score(scoreDataOf(after, now));
      const reasons: FiredCriterion[] = result.fired;
      after.meta = { ...after.meta, score: result.points, scoreReasons: reasons, scoredAt: now };
      if (options.scoreField) after.fields = { ...after.fields, [options.scoreField]: result.points };
      if (model) {
        let stagesVisited = [after.stage];
        if (needsVisited && before !== null && tx) {
          const earlier = await tx.listHistory(after.id);
          stagesVisited = [...recordAsOf(before, earlier, now).stagesVisited, after.stage];
        }
        const p = scoreView(model, { record: after, stagesVisited, at: now }).probability;
        after.meta.winProbability = p;
        if (options.probabilityField) after.fields = { ...after.fields, [options.probabilityField]: p };
      }
    },
  };
}
