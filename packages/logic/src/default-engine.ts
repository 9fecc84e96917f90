import type { Problem } from './errors.js';
import { createRuleEngine } from './engine/create-engine.js';
import type { RuleEngine, RuleFn } from './engine/types.js';

let shared: RuleEngine | undefined;

/** The module's default engine: standard and Dealflow operators, real clock, no calendars. */
function defaultEngine(): RuleEngine {
  shared ??= createRuleEngine();
  return shared;
}

/**
 * Validates and compiles a rule with the default engine (cached per rule). Throws `RULE_INVALID`
 * or `RULE_LIMIT` naming the rule path.
 *
 * @example
 * ```ts
 * const isBig = compileRule({ '>=': [{ var: 'amount' }, 10000] })
 * isBig({ amount: 25000 }) // true
 * ```
 */
export function compileRule(rule: unknown): RuleFn {
  return defaultEngine().compile(rule);
}

/**
 * Every problem of a rule under the default engine; `fields` lists the allowed first segments of
 * `var` paths.
 *
 * @example
 * ```ts
 * validateRule({ '==': [{ var: 'regoin' }, 'EU'] }, { fields: ['region'] })
 * // [{ path: '$["=="][0].var', code: 'unknown_field', hint: "did you mean 'region'?", … }]
 * ```
 */
export function validateRule(rule: unknown, options?: { fields?: readonly string[]; path?: string }): Problem[] {
  return defaultEngine().validate(rule, options);
}
