import type { StoredRecord } from '@dealflow/core';
import { DealflowError, recordView } from '@dealflow/core';
import type { Problem, RecordView } from '@dealflow/core';
import { createRuleEngine, truthy } from '@dealflow/logic';
import type { RuleEngine, RuleFn } from '@dealflow/logic';

/** One weighted criterion: when the JSON-logic rule `when` is truthy, the record gets `points`. */
export interface ScoreCriterion {
  /** Optional stable id, reported in explanations. */
  id?: string;
  /** JSON-logic over the score data (`fields.*`, `record.*`, `record.meta.*`, `now`). */
  when: unknown;
  /** Points added when it fires (negative points subtract). */
  points: number;
  /** Why, in words a rep understands: "Enterprise account (>1000 employees)". */
  reason: string;
}

/** A criterion that fired for a record. */
export interface FiredCriterion {
  /** Position in the criteria list. */
  index: number;
  /** The criterion's id, when it has one. */
  id?: string;
  /** Points it added (negative ones subtract). */
  points: number;
  /** The criterion's `reason`, to show why a record scored as it did. */
  reason: string;
}

/** A rule-based score: the sum of the points of the criteria that fired, and which fired. */
export interface RuleScore {
  /** Sum of the points of the criteria that fired. */
  points: number;
  /** The criteria that fired, in list order. */
  fired: FiredCriterion[];
}

/** The data criteria are evaluated over (the same roots as blueprint rules, plus `record.meta`). */
export interface ScoreData {
  /** The record's field values. */
  fields: Record<string, unknown>;
  /** Core's one record view (what every rule sees under `record`), plus the record's `meta`. */
  record: RecordView & {
    /** The record's `meta` (owner-side facts such as `lastActivityAt`, `score`). */
    meta: Record<string, unknown>;
  };
  /** The time the score is for (ISO). */
  now: string;
}

/** Options of {@link createRuleScorer}. */
export interface CreateRuleScorerOptions {
  /** The criteria, in order: each adds its points when its rule holds. */
  criteria: ScoreCriterion[];
  /** The rule engine (with your custom operators); default: a fresh `createRuleEngine()`. */
  ruleEngine?: RuleEngine;
  /** Declared field names: a criterion reading `fields.x` for an undeclared `x` is rejected. */
  fields?: readonly string[];
}

/** A compiled list of criteria. */
export interface RuleScorer {
  /** The criteria as given (checked). */
  readonly criteria: readonly ScoreCriterion[];
  /** Every `var` path the criteria read (e.g. `fields.amount`, `record.stage`). */
  readonly reads: readonly string[];
  /** Scores rule data. */
  score(data: ScoreData): RuleScore;
  /** Scores a record as of `now` (default: the current time). */
  scoreRecord(record: StoredRecord, now?: string | Date): RuleScore;
}

/** Roots a criterion may read (`fields.*`, `record.*` including `record.meta.*`, `now`). */
export const SCORE_DATA_ROOTS = ['fields', 'record', 'now'] as const;

/**
 * Builds the data criteria see for a record at a time.
 *
 * @example
 * ```ts
 * scorer.score(scoreDataOf(deal, new Date().toISOString()));
 * ```
 */
export function scoreDataOf(record: StoredRecord, now: string): ScoreData {
  return { fields: record.fields, record: { ...recordView(record), meta: record.meta }, now };
}

/**
 * Checks and compiles weighted criteria. Every problem (bad points, empty reason, invalid rule,
 * undeclared field) is reported at once with its path, in a `DealflowError('RULE_INVALID')`.
 *
 * @example
 * ```ts
 * const scorer = createRuleScorer({ criteria: [
 *   { id: 'big', when: { '>=': [{ var: 'fields.employees' }, 1000] }, points: 30, reason: 'Enterprise account' },
 *   { id: 'urgent', when: { '==': [{ var: 'fields.urgency' }, 'high'] }, points: 20, reason: 'Urgent need' },
 * ] });
 * scorer.scoreRecord(deal).points; // 50 when both fire
 * ```
 */
export function createRuleScorer(options: CreateRuleScorerOptions): RuleScorer {
  const engine = options.ruleEngine ?? createRuleEngine();
  const problems: Problem[] = [];
  const compiled: RuleFn[] = [];
  const reads = new Set<string>();
  if (!Array.isArray(options.criteria)) {
    throw new DealflowError('RULE_INVALID', 'criteria must be a list of { when, points, reason }', {
      problems: [{ path: '$.criteria', message: 'not a list' }],
    });
  }
  const declared = options.fields ? new Set(options.fields) : null;
  options.criteria.forEach((c, i) => {
    const path = `$.criteria[${i}]`;
    if (typeof c !== 'object' || c === null) {
      problems.push({ path, message: 'criterion must be an object { when, points, reason }' });
      return;
    }
    if (typeof c.points !== 'number' || !Number.isFinite(c.points)) {
      problems.push({ path: `${path}.points`, message: `points must be a finite number, got ${JSON.stringify(c.points)}`, value: c.points });
    }
    if (typeof c.reason !== 'string' || c.reason.trim() === '') {
      problems.push({ path: `${path}.reason`, message: 'reason must be a non-empty string' });
    }
    if (c.id !== undefined && typeof c.id !== 'string') problems.push({ path: `${path}.id`, message: 'id must be a string' });
    if (c.when === undefined) {
      problems.push({ path: `${path}.when`, message: 'when (a JSON-logic rule) is required' });
      return;
    }
    const ruleProblems = engine.validate(c.when, { fields: SCORE_DATA_ROOTS, path: `${path}.when` });
    problems.push(...ruleProblems);
    if (ruleProblems.length > 0) return;
    for (const v of engine.varsOf(c.when)) {
      reads.add(v);
      const [root, name] = v.split('.');
      if (declared && root === 'fields' && name !== undefined && !declared.has(name)) {
        problems.push({ path: `${path}.when`, message: `criterion reads undeclared field '${name}'`, code: 'unknown_field', value: v });
      }
    }
    compiled[i] = engine.compile(c.when);
  });
  if (problems.length > 0) {
    throw new DealflowError('RULE_INVALID', `invalid score criteria: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, {
      problems,
    });
  }
  const criteria = options.criteria.map((c) => ({ ...c }));
  const score = (data: ScoreData): RuleScore => {
    const fired: FiredCriterion[] = [];
    let points = 0;
    criteria.forEach((c, i) => {
      if (!truthy((compiled[i] as RuleFn)(data))) return;
      points += c.points;
      fired.push(c.id === undefined ? { index: i, points: c.points, reason: c.reason } : { index: i, id: c.id, points: c.points, reason: c.reason });
    });
    return { points, fired };
  };
  return {
    criteria,
    reads: [...reads].sort(),
    score,
    scoreRecord(record, now = new Date()) {
      return score(scoreDataOf(record, now instanceof Date ? now.toISOString() : now));
    },
  };
}

/**
 * The criteria that fired for a record. Without a scorer, reads what the scoring plugin stored
 * (`record.meta.scoreReasons`); with one, evaluates the criteria now.
 *
 * @example
 * ```ts
 * const deal = await engine.get('D-1');
 * explainScore(deal); // [{ index: 0, id: 'big', points: 30, reason: 'Enterprise account' }]
 * ```
 */
export function explainScore(record: StoredRecord, scorer?: RuleScorer, now?: string | Date): FiredCriterion[] {
  if (scorer) return scorer.scoreRecord(record, now).fired;
  const stored = record.meta?.['scoreReasons'];
  if (stored === undefined) return [];
  if (!Array.isArray(stored)) {
    throw new DealflowError('DATA_INVALID', `record '${record.id}': meta.scoreReasons is not a list`, { details: { recordId: record.id } });
  }
  return structuredClone(stored) as FiredCriterion[];
}
