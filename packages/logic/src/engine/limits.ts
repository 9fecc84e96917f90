import { DealflowError, type Problem } from '../errors.js';
import type { RuleLimits } from './types.js';

/** Limits with every field set. */
export type ResolvedLimits = Required<RuleLimits>;

/**
 * Default limits: generous for real rules, small enough that hostile ones fail fast.
 *
 * @example
 * ```ts
 * const strict = createRuleEngine({ limits: { ...DEFAULT_LIMITS, maxDepth: 20 } })
 * ```
 */
export const DEFAULT_LIMITS: ResolvedLimits = {
  maxDepth: 100,
  maxNodes: 50_000,
  maxRegexLength: 256,
  maxInputLength: 10_000,
  maxSteps: 1_000_000,
  maxValueLength: 1_000_000,
};

/** Fills unset limits with the defaults; a limit that is not a positive integer is `INPUT_INVALID`. */
export function resolveLimits(limits: RuleLimits | undefined): ResolvedLimits {
  const resolved: ResolvedLimits = { ...DEFAULT_LIMITS };
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(limits ?? {})) {
    if (!(key in DEFAULT_LIMITS)) {
      problems.push({ path: `$.limits.${key}`, message: `unknown limit '${key}'`, value: key });
    } else if (value === undefined) {
      continue;
    } else if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      problems.push({ path: `$.limits.${key}`, message: `limit '${key}' must be a positive integer`, value });
    } else {
      resolved[key as keyof ResolvedLimits] = value;
    }
  }
  if (problems.length > 0) {
    throw new DealflowError('INPUT_INVALID', `invalid rule engine limits: ${(problems[0] as Problem).message}`, { problems });
  }
  return resolved;
}
