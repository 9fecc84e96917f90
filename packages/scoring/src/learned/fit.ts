import type { HistoryEvent, StoredRecord } from '@dealflow/core';
import { DealflowError } from '@dealflow/core';
import type { Problem } from '@dealflow/core';
import { closedOutcome, recordAsOf, recordBeforeClose, sortHistory } from '../features/as-of.js';
import type { ClosedOutcome, RecordAsOf, StageKind } from '../features/as-of.js';
import { featureVector } from '../features/extract.js';
import { assertFeatures } from '../features/spec.js';
import type { FeatureSpec } from '../features/spec.js';
import { fitLogistic } from './logistic.js';
import { fitNaiveBayes } from './naive-bayes.js';
import { fitStageAgeTable } from './stage-age.js';
import type { ScoringMethod, ScoringModel, TrainingExample } from './types.js';

/** History given as one flat list, or already grouped by record id. */
export type HistoryInput = readonly HistoryEvent[] | ReadonlyMap<string, readonly HistoryEvent[]>;

/** Options of {@link fitScoring}. */
export interface FitScoringOptions {
  /** Records to learn from (only those closed by `asOf` are used). */
  records: readonly StoredRecord[];
  /** Their history (flat or grouped by record id). */
  history: HistoryInput;
  /** Nothing known after this date is used: outcomes after it are ignored, features are rebuilt as of the close. */
  asOf: string | Date;
  /** Features of `naive-bayes` and `logistic` (`stage-age` reads only the stage and days in it and ignores them). */
  features?: FeatureSpec[];
  /** Default `naive-bayes` (the best calibrated on weekly snapshots of the CRM dataset; see docs/scoring.md). */
  method?: ScoringMethod;
  /** Bands of days in stage of `stage-age` (default [0, 7, 15, 30, 60, 90]). */
  ageBands?: number[];
  /** Stages and their kinds; transitions into `won` / `lost` stages close a record. */
  stages: StageKind[];
  /** Laplace smoothing for naive Bayes (default 1). */
  alpha?: number;
  /** L2 penalty for logistic regression (default 1; must be > 0). */
  l2?: number;
  /** Newton iterations for logistic regression (default 50). */
  maxIterations?: number;
  /**
   * How closed records become examples. Omitted: one example per record, as it stood just before
   * it closed (Odoo's way). A number of days: one example per record every that many days while it
   * was open (from creation until the close), each labelled with the final outcome — the model then
   * estimates P(won | still open, as it stands now), which is what a live score of an open record
   * asks when age in stage is a feature.
   */
  sampleEveryDays?: number;
}

/** A closed record with its outcome and the view of it just before it closed. */
export interface ClosedExample {
  record: StoredRecord;
  outcome: ClosedOutcome;
  view: RecordAsOf;
}

/**
 * Groups a flat history by record id (each list sorted by `seq`); pass the result as `history`
 * when scoring many records.
 *
 * @example
 * ```ts
 * const byRecord = groupHistory(history);
 * const ps = records.map((r) => probabilityFor(model, r, { history: byRecord }));
 * ```
 */
export function groupHistory(history: HistoryInput): Map<string, HistoryEvent[]> {
  if (!Array.isArray(history)) {
    const grouped = new Map<string, HistoryEvent[]>();
    for (const [id, events] of history as ReadonlyMap<string, readonly HistoryEvent[]>) grouped.set(id, sortHistory(events));
    return grouped;
  }
  const grouped = new Map<string, HistoryEvent[]>();
  for (const e of history as readonly HistoryEvent[]) {
    const list = grouped.get(e.recordId);
    if (list) list.push(e);
    else grouped.set(e.recordId, [e]);
  }
  for (const [id, list] of grouped) grouped.set(id, sortHistory(list));
  return grouped;
}

/** Normalizes a date option to an ISO string, or throws `INPUT_INVALID` naming the option. */
export function toIso(value: string | Date, option: string): string {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) {
    throw new DealflowError('INPUT_INVALID', `${option} is not a valid date: ${String(value)}`, {
      problems: [{ path: `$.${option}`, message: 'not a valid date', value: String(value) }],
    });
  }
  return d.toISOString();
}

/** Checks the stage list: ids unique, at least one `won` and one `lost` stage. */
export function assertStages(stages: unknown): StageKind[] {
  const problems: Problem[] = [];
  if (!Array.isArray(stages)) {
    problems.push({ path: '$.stages', message: 'stages must be a list of {id, kind}' });
  } else {
    const ids = new Set<string>();
    stages.forEach((s: unknown, i) => {
      const st = s as { id?: unknown; kind?: unknown };
      if (typeof st?.id !== 'string' || typeof st?.kind !== 'string') {
        problems.push({ path: `$.stages[${i}]`, message: 'stage needs a string id and kind' });
      } else if (ids.has(st.id)) {
        problems.push({ path: `$.stages[${i}].id`, message: `duplicate stage '${st.id}'` });
      } else ids.add(st.id);
    });
    for (const kind of ['won', 'lost']) {
      if (!stages.some((s: { kind?: unknown }) => s?.kind === kind)) {
        problems.push({ path: '$.stages', message: `no stage of kind '${kind}'`, code: `missing_${kind}_stage` });
      }
    }
  }
  if (problems.length > 0) {
    throw new DealflowError('INPUT_INVALID', `invalid stages: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { problems });
  }
  return stages as StageKind[];
}

/**
 * The records closed by `asOf`, each with its outcome and its view just before the close (only
 * events up to `asOf` are looked at).
 */
export function closedExamples(
  records: readonly StoredRecord[],
  history: HistoryInput,
  stages: readonly StageKind[],
  asOf: string,
): ClosedExample[] {
  const grouped = groupHistory(history);
  const out: ClosedExample[] = [];
  for (const record of records) {
    const events = (grouped.get(record.id) ?? []).filter((e) => e.at <= asOf);
    const outcome = closedOutcome(events, stages, asOf);
    if (outcome === null) continue;
    out.push({ record, outcome, view: recordBeforeClose(record, events, outcome) });
  }
  return out;
}

const DAY_MS = 86_400_000;

/** Views of a closed record every `everyDays` days from its creation while it was open. */
export function openSnapshots(ex: ClosedExample, events: readonly HistoryEvent[], everyDays: number): RecordAsOf[] {
  const views: RecordAsOf[] = [];
  const end = Date.parse(ex.outcome.closedAt);
  for (let t = Date.parse(ex.record.createdAt); t < end; t += everyDays * DAY_MS) {
    views.push(recordAsOf(ex.record, events, new Date(t).toISOString()));
  }
  return views.length > 0 ? views : [ex.view];
}

function positive(value: number | undefined, fallback: number, option: string): number {
  const v = value ?? fallback;
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) {
    throw new DealflowError('INPUT_INVALID', `${option} must be a positive number, got ${String(v)}`, {
      problems: [{ path: `$.${option}`, message: 'must be a positive number', value: v }],
    });
  }
  return v;
}

/**
 * Fits a win-probability model on the records closed (won or lost) by `asOf`. Each closed record
 * is one example whose features are computed as the record stood just before its closing
 * transition, from history up to `asOf` only, so a fit "as of" a past date sees exactly what was
 * known then. Deterministic: the same input gives the same JSON model.
 *
 * Throws `DealflowError('INPUT_INVALID')` for bad options (features, stages, dates, method) and
 * `DealflowError('DATA_INVALID')` when the records closed by `asOf` are not both won and lost.
 *
 * @example
 * ```ts
 * const model = fitScoring({
 *   records, history, asOf: '2017-07-01', method: 'naive-bayes',
 *   stages: [{ id: 'open', kind: 'open' }, { id: 'won', kind: 'won' }, { id: 'lost', kind: 'lost' }],
 *   features: [
 *     { name: 'product', kind: 'categorical', source: 'fields.product' },
 *     { name: 'amount', kind: 'numeric', source: 'fields.amount', bands: [1000, 10000] },
 *   ],
 * });
 * fs.writeFileSync('model.json', JSON.stringify(model));
 * ```
 */
export function fitScoring(options: FitScoringOptions): ScoringModel {
  // `stage-age` reads only the stage and days in stage: it keeps no feature list.
  const features = options.method === 'stage-age' ? [] : assertFeatures(options.features);
  const stages = assertStages(options.stages);
  const asOf = toIso(options.asOf, 'asOf');
  const method = options.method ?? 'naive-bayes';
  if (method !== 'naive-bayes' && method !== 'logistic' && method !== 'stage-age') {
    throw new DealflowError('INPUT_INVALID', `unknown scoring method '${String(options.method)}' (use 'stage-age', 'naive-bayes' or 'logistic')`, {
      problems: [{ path: '$.method', message: 'unknown method', value: options.method }],
    });
  }
  const every = options.sampleEveryDays === undefined ? null : positive(options.sampleEveryDays, 1, 'sampleEveryDays');
  const grouped = groupHistory(options.history);
  const examples = closedExamples(options.records, grouped, stages, asOf);
  const training: TrainingExample[] = [];
  for (const ex of method === 'stage-age' ? [] : examples) {
    const views = every === null ? [ex.view] : openSnapshots(ex, grouped.get(ex.record.id) ?? [], every);
    for (const view of views) training.push({ values: featureVector(features, view, stages), won: ex.outcome.won, weight: 1 });
  }
  const won = examples.filter((e) => e.outcome.won).length;
  const lost = examples.length - won;
  if (won === 0 || lost === 0) {
    throw new DealflowError(
      'DATA_INVALID',
      `cannot fit a scoring model as of ${asOf}: ${examples.length} closed record(s), ${won} won and ${lost} lost; both outcomes are needed`,
      { details: { asOf, won, lost } },
    );
  }
  const closedAts = examples.map((e) => e.outcome.closedAt).sort();
  const base = {
    format: 'dealflow.scoring-model' as const,
    formatVersion: 1 as const,
    fittedAt: asOf,
    features: structuredClone(features),
    stages: stages.map((s) => ({ id: s.id, kind: s.kind })),
    training: {
      examples: examples.length,
      won,
      lost,
      sampleEveryDays: every,
      snapshots: training.length,
      firstClosedAt: closedAts[0] ?? null,
      lastClosedAt: closedAts[closedAts.length - 1] ?? null,
    },
  };
  if (method === 'stage-age') {
    const flat = Array.isArray(options.history) ? (options.history as readonly HistoryEvent[]) : [...grouped.values()].flat();
    return { ...base, method: 'stage-age', ...fitStageAgeTable(options.records, flat, stages, asOf, options.ageBands) };
  }
  if (method === 'naive-bayes') {
    const alpha = positive(options.alpha, 1, 'alpha');
    return { ...base, method: 'naive-bayes', ...fitNaiveBayes(features, training, alpha) };
  }
  const l2 = positive(options.l2, 1, 'l2');
  const maxIterations = positive(options.maxIterations, 50, 'maxIterations');
  return { ...base, method: 'logistic', ...fitLogistic(features, training, { l2, maxIterations, tolerance: 1e-10 }) };
}
