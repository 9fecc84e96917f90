import { createRuleEngine } from '@dealflow/logic';
import type { CreateRuleEngineOptions, RuleEngine, RuleFn } from '@dealflow/logic';

/** A compiled rule: evaluates over rule data. */
export type CompiledRule = RuleFn;

/** The rule engine the core uses: `@dealflow/logic`'s, one per Dealflow engine. */
export type CoreRuleEngine = RuleEngine;

/** Creates a rule engine through `@dealflow/logic` (one per Dealflow engine). */
export function createCoreRuleEngine(options: CreateRuleEngineOptions = {}): CoreRuleEngine {
  return createRuleEngine(options);
}
