import { DealflowError } from '@dealflow/logic';
import type { Problem } from '@dealflow/logic';
import type { Blueprint } from '../blueprint/define.js';
import type { CompiledRule } from '../rules.js';

/**
 * What happens to the deadline of a record moved to a new version (the three options users ask
 * for, plus a fourth):
 * - `keepDueTime`: the breach stays at the same instant as before (reminders follow the new stage).
 * - `keepRemaining`: the time left before the old breach is kept, counted on the new stage's
 *   calendar from now (same instant as `keepDueTime` when both are wall-clock; differs when the
 *   calendar changes).
 * - `restart`: the new stage's deadline starts from now.
 * - `recompute`: the new deadline counted from when the record entered its stage (the new limit
 *   applies as if it had always been in force; may already be overdue).
 * Without an old breach timer to keep, `keepDueTime`/`keepRemaining` fall back to `recompute`.
 */
export type DeadlinePolicy = 'keepDueTime' | 'keepRemaining' | 'restart' | 'recompute';

/**
 * Every {@link DeadlinePolicy}, for validating input (e.g. a CLI flag).
 *
 * @example
 * ```ts
 * DEADLINE_POLICIES.includes('restart') // true
 * ```
 */
export const DEADLINE_POLICIES: readonly DeadlinePolicy[] = ['keepDueTime', 'keepRemaining', 'restart', 'recompute'];

/**
 * Where records of one old stage go: a stage id of the new version, or (split stage) a JSON-logic
 * rule over `{fields, record, now}` returning one.
 */
export type StageMapping = string | {
  /** JSON-logic rule over `{fields, record, now}` returning the new stage id for each record. */
  rule: unknown;
};

/** Options of {@link planMigration}. */
export interface PlanMigrationOptions {
  /** Old stage id → new stage (id or rule). Stages not listed keep their id (it must exist in the new version). */
  stageMap?: Record<string, StageMapping>;
  /** One policy for every stage, or per new stage id with `*` as the default (default `keepDueTime`). */
  deadlinePolicy?: DeadlinePolicy | Record<string, DeadlinePolicy>;
}

/** A validated migration between two versions of one blueprint (see {@link planMigration}). */
export interface MigrationPlan {
  /** The blueprint whose records move. */
  readonly blueprintId: string;
  /** The version records move from. */
  readonly fromVersion: number;
  /** The version records move to. */
  readonly toVersion: number;
  /** The old blueprint version. */
  readonly from: Blueprint;
  /** The new blueprint version. */
  readonly to: Blueprint;
  /** Old stage → mapping, for every stage of the old version. */
  readonly stageMap: ReadonlyMap<string, {
    /** The new stage id every record of the old stage moves to. */
    to: string;
  } | {
    /** The split rule as given (JSON-logic returning a new stage id per record). */
    rule: unknown;
    /** The split rule compiled, evaluated per record. */
    compiled: CompiledRule;
  }>;
  /** The deadline policy for records landing in a new stage. */
  policyFor(stage: string): DeadlinePolicy;
}

/**
 * Validates how records move from one blueprint version to the next: every old stage maps to a
 * new stage (explicitly, by the same id, or by a rule choosing among stages per record), deadline
 * policies name real stages. Throws `DealflowError('MIGRATION_INVALID')` listing every problem.
 * Pass the plan to `previewMigration` (dry run) and `migrateRecords`.
 *
 * @example
 * ```ts
 * const plan = planMigration(dealV1, dealV2, {
 *   stageMap: {
 *     qualify: 'discovery',                                       // renamed
 *     negotiate: { rule: { if: [{ '>': [{ var: 'fields.amount' }, 50000] }, 'negotiate_large', 'negotiate_small'] } }, // split
 *   },
 *   deadlinePolicy: { '*': 'keepDueTime', proposal: 'restart' },
 * })
 * ```
 */
export function planMigration(from: Blueprint, to: Blueprint, options: PlanMigrationOptions = {}): MigrationPlan {
  const problems: Problem[] = [];
  if (from.id !== to.id) {
    problems.push({ path: '$.to.id', code: 'blueprint_mismatch', value: to.id, message: `cannot migrate blueprint '${from.id}' records to blueprint '${to.id}'` });
  }
  if (to.version <= from.version) {
    problems.push({ path: '$.to.version', code: 'version_not_newer', value: to.version, message: `target version ${to.version} of '${to.id}' is not newer than ${from.version}` });
  }
  const map = options.stageMap ?? {};
  const stageMap = new Map<string, { to: string } | { rule: unknown; compiled: CompiledRule }>();
  for (const key of Object.keys(map)) {
    if (!from.stages.has(key)) {
      problems.push({ path: `$.stageMap.${key}`, code: 'unknown_stage', value: key, message: `stageMap names stage '${key}', which '${from.id}' v${from.version} does not have` });
    }
  }
  for (const stage of from.stages.keys()) {
    const m = Object.prototype.hasOwnProperty.call(map, stage) ? map[stage] : undefined;
    const path = `$.stageMap.${stage}`;
    if (m === undefined) {
      if (to.stages.has(stage)) stageMap.set(stage, { to: stage });
      else {
        problems.push({
          path,
          code: 'stage_unmapped',
          value: stage,
          message: `stage '${stage}' of '${from.id}' v${from.version} does not exist in v${to.version}; map it in stageMap`,
          hint: `one of: ${[...to.stages.keys()].join(', ')}`,
        });
      }
    } else if (typeof m === 'string') {
      if (to.stages.has(m)) stageMap.set(stage, { to: m });
      else problems.push({ path, code: 'unknown_stage', value: m, message: `stageMap sends '${stage}' to '${m}', which '${to.id}' v${to.version} does not have`, hint: `one of: ${[...to.stages.keys()].join(', ')}` });
    } else if (typeof m === 'object' && m !== null && 'rule' in m) {
      const found = to.ruleEngine.validate(m.rule, { fields: ['fields', 'record', 'now'], path: `${path}.rule` });
      if (found.length > 0) problems.push(...found);
      else stageMap.set(stage, { rule: m.rule, compiled: to.ruleEngine.compile(m.rule) });
    } else {
      problems.push({ path, code: 'invalid_mapping', value: m, message: `stageMap.${stage} must be a stage id or { rule }` });
    }
  }
  const policies = options.deadlinePolicy ?? 'keepDueTime';
  const byStage = new Map<string, DeadlinePolicy>();
  let fallback: DeadlinePolicy = 'keepDueTime';
  const checkPolicy = (p: unknown, path: string): p is DeadlinePolicy => {
    if (DEADLINE_POLICIES.includes(p as DeadlinePolicy)) return true;
    problems.push({ path, code: 'invalid_policy', value: p, message: `deadline policy must be one of ${DEADLINE_POLICIES.join(', ')}, got ${JSON.stringify(p)}` });
    return false;
  };
  if (typeof policies === 'string') {
    if (checkPolicy(policies, '$.deadlinePolicy')) fallback = policies;
  } else {
    for (const [stage, p] of Object.entries(policies)) {
      const path = `$.deadlinePolicy.${stage}`;
      if (!checkPolicy(p, path)) continue;
      if (stage === '*') fallback = p;
      else if (!to.stages.has(stage)) problems.push({ path, code: 'unknown_stage', value: stage, message: `deadlinePolicy names stage '${stage}', which '${to.id}' v${to.version} does not have` });
      else byStage.set(stage, p);
    }
  }
  if (problems.length > 0) {
    throw new DealflowError('MIGRATION_INVALID', `migration of '${from.id}' v${from.version} → v${to.version} is invalid: ${problems.length} problem(s); first: ${problems[0]!.path} ${problems[0]!.message}`, {
      problems,
      details: { blueprintId: from.id, fromVersion: from.version, toVersion: to.version },
    });
  }
  return {
    blueprintId: from.id,
    fromVersion: from.version,
    toVersion: to.version,
    from,
    to,
    stageMap,
    policyFor: (stage) => byStage.get(stage) ?? fallback,
  };
}
