import type { RuleLimits } from './types.js';

/** Limits with every field set. */
export type ResolvedLimits = Required<RuleLimits>;

/** Defaults: generous for real rules, small enough that hostile ones fail fast. */
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
