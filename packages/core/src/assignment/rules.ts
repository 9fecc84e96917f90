import { DealflowError } from '@dealflow/logic';
import type { Problem } from '@dealflow/logic';
import type { ZodError } from 'zod';

/** A compiled JSON-logic rule: evaluate it many times over a data object. */
export type CompiledRule = (data: unknown) => unknown;

/**
 * What the sales-rule modules (assignment, escalation, pool, approvals, permissions) need from
 * `@dealflow/logic`: validate + compile one rule, naming its path on failure.
 */
export interface RuleCompiler {
  /** Compiles `rule`; throws `DealflowError('RULE_INVALID')` naming `path` when it is invalid. */
  compile(rule: unknown, path: string): CompiledRule;
}

/** Turns a zod error into Dealflow problems whose paths start at `root` (e.g. `$.assignment`). */
export function zodProblems(error: ZodError, root: string): Problem[] {
  return error.issues.map((issue) => {
    let path = root;
    for (const part of issue.path) path += typeof part === 'number' ? `[${part}]` : `.${String(part)}`;
    return { path, message: `${path}: ${issue.message}`, code: issue.code };
  });
}

/** Throws `RULE_INVALID` listing every problem, or returns when there are none. */
export function throwProblems(what: string, problems: Problem[]): void {
  if (problems.length === 0) return;
  const first = problems[0]!;
  const text = first.message.startsWith(first.path) ? first.message : `${first.path}: ${first.message}`;
  throw new DealflowError('RULE_INVALID', `Invalid ${what}: ${text}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, { problems });
}

/** Compiles a rule, collecting a problem instead of throwing (so all problems are reported). */
export function compileInto(compiler: RuleCompiler, rule: unknown, path: string, problems: Problem[]): CompiledRule {
  try {
    return compiler.compile(rule, path);
  } catch (error) {
    const e = error as DealflowError;
    if (e.problems?.length) problems.push(...e.problems);
    else problems.push({ path, message: `${path}: ${e.message}`, code: 'rule_invalid' });
    return () => false;
  }
}

/** Data roots sales rules may read: `record.*`, `fields.*`, `actor.*`, `now`, `event.*`, `escalation.*` (an escalation's `when`). */
export const RULE_DATA_ROOTS: readonly string[] = ['record', 'fields', 'actor', 'now', 'event', 'escalation'];

/** The validate/compile pair of a `@dealflow/logic` rule engine. */
export interface LogicRuleEngine {
  compile(rule: unknown): CompiledRule;
  validate(rule: unknown, options?: { fields?: readonly string[]; path?: string }): Problem[];
}

/**
 * Adapts a `@dealflow/logic` rule engine (`createRuleEngine()`) to a {@link RuleCompiler}:
 * validates with the rule's path, then compiles.
 *
 * @example
 * ```ts
 * const compiler = ruleCompilerFrom(createRuleEngine());
 * ```
 */
export function ruleCompilerFrom(engine: LogicRuleEngine): RuleCompiler {
  return {
    compile(rule, path) {
      const problems = engine.validate(rule, { path, fields: RULE_DATA_ROOTS });
      if (problems.length > 0) {
        throw new DealflowError('RULE_INVALID', `Invalid rule at ${path}: ${problems[0]!.message}`, { problems, details: { path } });
      }
      return engine.compile(rule);
    },
  };
}

/**
 * JSON-logic truthiness (json-logic-js semantics: empty arrays are falsy).
 *
 * @example
 * ```ts
 * truthy([]) // false
 * truthy('0') // true (a non-empty string)
 * ```
 */
export function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}
