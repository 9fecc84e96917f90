/**
 * Every error code Dealflow raises. Packages add their codes here so the union stays the one
 * place an app switches on.
 */
export type DealflowErrorCode =
  // blueprints and rules
  | 'BLUEPRINT_INVALID'
  | 'BLUEPRINT_NOT_FOUND'
  | 'RULE_INVALID'
  | 'RULE_LIMIT'
  /** A rule failed while it ran (a custom operator threw, or data the rule cannot handle). */
  | 'RULE_ERROR'
  | 'OPERATOR_CONFLICT'
  // engine input and records
  | 'INPUT_INVALID'
  /** An input is over a configured limit (size, length, depth, count); nothing was written. */
  | 'INPUT_LIMIT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'DUPLICATE'
  | 'FORBIDDEN'
  | 'REJECTED'
  | 'IDEMPOTENCY_MISMATCH'
  // storage and infrastructure
  | 'STORAGE'
  | 'MIGRATION'
  /** A blueprint-version migration plan or run (planMigration, migrateRecords) is invalid. */
  | 'MIGRATION_INVALID'
  | 'LEASE_LOST'
  | 'CLOSED'
  // analytics
  | 'DATA_INVALID';

/** One problem found in an input, with its JSON path (e.g. `$.stages[2].deadline.within`). */
export interface Problem {
  /** JSON path of the offending value, `$` for the root. */
  path: string;
  /** Human-readable message naming the offending id, field or value. */
  message: string;
  /** Machine-readable kind of problem, e.g. `unknown_stage`, `unknown_operator`. */
  code?: string;
  /** The offending value, when it helps (kept small). */
  value?: unknown;
  /** A hint for fixing it, e.g. `did you mean 'qualified'?`. */
  hint?: string;
}

/** Options for {@link DealflowError}. */
export interface DealflowErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /** Every problem found, for validation errors (all of them, not just the first). */
  problems?: Problem[];
  /** Extra structured facts (record id, stage, rule path…). */
  details?: Record<string, unknown>;
}

/**
 * The one base error of Dealflow. Switch on `code`; subclasses only set the code.
 *
 * @example
 * ```ts
 * try { defineBlueprint(json) } catch (e) {
 *   if (e instanceof DealflowError && e.code === 'BLUEPRINT_INVALID') console.log(e.problems)
 * }
 * ```
 */
export class DealflowError extends Error {
  /** Always `'DealflowError'`, so {@link isDealflowError} recognises errors from another copy of the package. */
  override readonly name: string = 'DealflowError';
  /** What went wrong, as a stable code to branch on (map it to an HTTP status, retry on `CONFLICT`, …). */
  readonly code: DealflowErrorCode;
  /** Every problem found, each with its JSON path and, where one exists, a hint (empty when the error has a single cause). */
  readonly problems: Problem[];
  /** Machine-readable facts about the failure (the record, the existing duplicate, the limit hit, …). */
  readonly details: Record<string, unknown>;

  constructor(code: DealflowErrorCode, message: string, options: DealflowErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.problems = options.problems ?? [];
    this.details = options.details ?? {};
  }
}

/**
 * True when `value` is a {@link DealflowError}, optionally with the given code. Works across
 * duplicated installs (ESM and CJS copies), where `instanceof` would not.
 *
 * @example
 * ```ts
 * if (isDealflowError(e, 'CONFLICT')) retry()
 * ```
 */
export function isDealflowError(value: unknown, code?: DealflowErrorCode): value is DealflowError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { name?: unknown; code?: unknown };
  if (!(value instanceof DealflowError) && v.name !== 'DealflowError') return false;
  return code === undefined || v.code === code;
}
