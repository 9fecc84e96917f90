import type { HistoryEvent, StoredRecord } from '@dealflow/core';
import { DealflowError } from '@dealflow/core';
import { z } from 'zod';
import { recordAsOf } from '../features/as-of.js';
import type { RecordAsOf } from '../features/as-of.js';
import { featureVector } from '../features/extract.js';
import { featureListSchema } from '../features/spec.js';
import { toIso } from './fit.js';
import type { HistoryInput } from './fit.js';
import { logisticLogOdds, sigmoid } from './logistic.js';
import { naiveBayesLogOdds } from './naive-bayes.js';
import type { Contribution, ScoringMethod, ScoringModel } from './types.js';
import { stageAgeProbability } from './stage-age.js';

/** Options of {@link scoreRecord}. */
export interface ScoreRecordOptions {
  /**
   * History (the record's own, all records' flat, or grouped by record id); when given, the record
   * is rebuilt as of `asOf` (stage, stage reached, fields). Group it once when scoring many records.
   */
  history?: HistoryInput;
  /** The moment to score at (ages are measured to it). Default: now. */
  asOf?: string | Date;
}

/** A learned score with its explanation. */
export interface RecordScore {
  /** The record scored. */
  recordId: string;
  /** The model's method. */
  method: ScoringMethod;
  /** Win probability in [0, 1]. */
  probability: number;
  /** `base + Σ contributions`. */
  logOdds: number;
  /** Prior log-odds (naive Bayes) or intercept (logistic); 0 for stage-age. */
  base: number;
  /** Each feature's part, in feature order. */
  contributions: Contribution[];
}

/** Scores a record view (a record as of a moment) with a model. */
export function scoreView(model: ScoringModel, view: RecordAsOf): RecordScore {
  if (model.method === 'stage-age') {
    const { probability, contributions } = stageAgeProbability(model, view);
    const logOdds = contributions.reduce((s, c) => s + c.logOdds, 0);
    return { recordId: view.record.id, method: model.method, probability, logOdds, base: 0, contributions };
  }
  const values = featureVector(model.features, view, model.stages);
  const { base, contributions } = model.method === 'naive-bayes' ? naiveBayesLogOdds(model, values) : logisticLogOdds(model, values);
  const logOdds = contributions.reduce((s, c) => s + c.logOdds, base);
  return { recordId: view.record.id, method: model.method, probability: sigmoid(logOdds), logOdds, base, contributions };
}

/**
 * The learned win probability of a record, with each feature's part in log-odds (largest first
 * is easy: sort `contributions` by `Math.abs(logOdds)`).
 *
 * @example
 * ```ts
 * const s = scoreRecord(model, deal, { asOf: new Date() });
 * console.log(s.probability, s.contributions);
 * ```
 */
export function scoreRecord(model: ScoringModel, record: StoredRecord, options: ScoreRecordOptions = {}): RecordScore {
  const at = toIso(options.asOf ?? new Date(), 'asOf');
  const history = options.history;
  let events: readonly HistoryEvent[] | undefined;
  if (history !== undefined) {
    events = Array.isArray(history)
      ? (history as readonly HistoryEvent[]).filter((e) => e.recordId === record.id)
      : ((history as ReadonlyMap<string, readonly HistoryEvent[]>).get(record.id) ?? []);
  }
  const view: RecordAsOf = events ? recordAsOf(record, events, at) : { record, stagesVisited: [record.stage], at };
  return scoreView(model, view);
}

/**
 * Just the win probability of a record (as of now, or `asOf`), e.g. to pass per-deal
 * probabilities to a forecast instead of stage defaults.
 *
 * @example
 * ```ts
 * const p = probabilityFor(model, deal); // 0.71
 * forecast({ records, probabilityOf: (r) => probabilityFor(model, r) });
 * ```
 */
export function probabilityFor(model: ScoringModel, record: StoredRecord, options: ScoreRecordOptions = {}): number {
  return scoreRecord(model, record, options).probability;
}

const baseSchema = {
  format: z.literal('dealflow.scoring-model'),
  formatVersion: z.literal(1),
  fittedAt: z.string(),
  features: featureListSchema,
  stages: z.array(z.object({ id: z.string(), kind: z.string() })),
  training: z.object({
    examples: z.number(),
    won: z.number(),
    lost: z.number(),
    sampleEveryDays: z.number().positive().nullable(),
    snapshots: z.number(),
    firstClosedAt: z.string().nullable(),
    lastClosedAt: z.string().nullable(),
  }),
};
const modelSchema = z.discriminatedUnion('method', [
  z.object({
    ...baseSchema,
    features: z.array(z.never()).max(0),
    method: z.literal('stage-age'),
    ageBands: z.array(z.number().nonnegative()).min(1),
    probabilities: z.record(z.string(), z.array(z.number().min(0).max(1))),
  }),
  z.object({
    ...baseSchema,
    method: z.literal('naive-bayes'),
    alpha: z.number().positive(),
    classCounts: z.object({ won: z.number().nonnegative(), lost: z.number().nonnegative() }),
    counts: z.record(z.string(), z.record(z.string(), z.tuple([z.number().nonnegative(), z.number().nonnegative()]))),
  }),
  z.object({
    ...baseSchema,
    method: z.literal('logistic'),
    l2: z.number().positive(),
    intercept: z.number().finite(),
    weights: z.record(z.string(), z.record(z.string(), z.number().finite())),
    iterations: z.number(),
    converged: z.boolean(),
  }),
]);

/**
 * Reads a model from JSON text or a parsed object, checking its shape; throws
 * `DealflowError('INPUT_INVALID')` with every problem's path otherwise.
 *
 * @example
 * ```ts
 * const model = parseScoringModel(fs.readFileSync('model.json', 'utf8'));
 * ```
 */
export function parseScoringModel(input: string | unknown): ScoringModel {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (cause) {
      throw new DealflowError('INPUT_INVALID', 'scoring model is not valid JSON', { cause, problems: [{ path: '$', message: 'not JSON' }] });
    }
  }
  const parsed = modelSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({
      path: '$' + i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join(''),
      message: i.message,
      code: i.code,
    }));
    throw new DealflowError('INPUT_INVALID', `invalid scoring model: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, {
      problems,
    });
  }
  return parsed.data as ScoringModel;
}
