import type { BusinessCalendar } from '../calendar/types.js';
import type { Problem } from '../errors.js';

/** A compiled rule: a plain function from data to the rule's value. */
export type RuleFn = (data: unknown) => unknown;

/**
 * A custom operator. `fn` receives its arguments already evaluated (eagerly, like a
 * json-logic-js custom operation). `minArgs`/`maxArgs` let `validate` check arity at load time.
 */
export interface OperatorDefinition {
  /** The operator itself: receives the evaluated arguments, returns the result (it must not throw for ordinary data). */
  fn: (...args: unknown[]) => unknown;
  /** Fewest arguments a rule may pass; fewer is `RULE_INVALID` when the rule is loaded. */
  minArgs?: number;
  /** Most arguments a rule may pass; more is `RULE_INVALID` when the rule is loaded. */
  maxArgs?: number;
}

/** Limits that keep hostile rules and inputs bounded. */
export interface RuleLimits {
  /** Deepest nesting of a rule (objects and arrays), default 100. */
  maxDepth?: number;
  /** Most values (operators, arguments, array items) one rule may contain, default 50 000. */
  maxNodes?: number;
  /** Longest `matches` pattern, default 256 characters. */
  maxRegexLength?: number;
  /** Longest string `matches` will test, default 10 000 characters (longer: `RULE_LIMIT`). */
  maxInputLength?: number;
  /**
   * Evaluation budget: most items one evaluation may visit in `map`, `filter`, `reduce`, `all`,
   * `some`, `none` plus elements `merge` produces, default 1 000 000 (more: `RULE_LIMIT`).
   */
  maxSteps?: number;
  /** Longest array or string a `merge` or `cat` may produce, default 1 000 000 (longer: `RULE_LIMIT`). */
  maxValueLength?: number;
}

/** Options for {@link createRuleEngine}. */
export interface CreateRuleEngineOptions {
  /** Extra operators for this engine only. A name that already exists is `OPERATOR_CONFLICT`. */
  operators?: Record<string, OperatorDefinition | ((...args: unknown[]) => unknown)>;
  /** Business calendars by id, for `businessDaysSince(date, calendarId)`. */
  calendars?: Record<string, BusinessCalendar>;
  /**
   * Clock for `now`, `daysSince`, `hoursSince`, `businessDaysSince` (default: real time). Date
   * operators read time only from here; an input without a date (`"10:30"`) is not a date.
   */
  now?: () => Date;
  /** Bounds on rule size, depth, string and regex length and evaluation work (defaults in `DEFAULT_RULE_LIMITS`). */
  limits?: RuleLimits;
  /**
   * `'auto'` (default): generate one function per rule where the platform allows `new Function`
   * (rule text never becomes source; see docs/rules.md), else closures. `'closures'`: closures only.
   */
  compiler?: 'auto' | 'closures';
}

/** Options for validating one rule. */
export interface ValidateRuleOptions {
  /** Allowed first segments of `var` paths (declared fields plus roots such as `record`). */
  fields?: readonly string[];
  /** JSON path prefix of the rule, e.g. `$.transitions[3].guard` (default `$`). */
  path?: string;
}

/** A set of operators, a cache of compiled rules and the limits that apply to them. */
export interface RuleEngine {
  /**
   * Validates (throws `RULE_INVALID` / `RULE_LIMIT`), then compiles; cached per rule. The
   * compiled function throws only `DealflowError`s: `RULE_LIMIT` when it exceeds the evaluation
   * budget, `RULE_ERROR` when a custom operator or the data make it fail.
   */
  compile(rule: unknown): RuleFn;
  /** Every problem of a rule, with JSON paths; empty when the rule is valid. */
  validate(rule: unknown, options?: ValidateRuleOptions): Problem[];
  /** Throws `RULE_INVALID` (or `RULE_LIMIT`) listing all problems. */
  assertValid(rule: unknown, options?: ValidateRuleOptions): void;
  /** Compiles (cached) and evaluates. */
  apply(rule: unknown, data?: unknown): unknown;
  /** Adds an operator to this engine only; `OPERATOR_CONFLICT` if the name exists. */
  addOperator(name: string, op: OperatorDefinition | ((...args: unknown[]) => unknown)): void;
  /** Whether this engine knows the operator `name` (built-in or added). */
  hasOperator(name: string): boolean;
  /** Every literal `var` path a rule reads at the top scope (also keys named by `missing`). */
  varsOf(rule: unknown): string[];
}
