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
};

/** Fills unset limits with the defaults. */
export function resolveLimits(limits: RuleLimits | undefined): ResolvedLimits {
  return { ...DEFAULT_LIMITS, ...(limits ?? {}) };
}
