import type { BusinessCalendar } from '../calendar/types.js';
import { DealflowError, type Problem } from '../errors.js';
import { MATCHES_ARITY, dealflowOperators } from '../operators/dealflow.js';
import { SPECIAL_FORMS, STANDARD_OPERATORS } from '../operators/standard.js';
import { canGenerateCode, generateRule } from './codegen.js';
import { type CompileContext, compileValidated } from './compile.js';
import { Meter, toRuleError } from './budget.js';
import { ruleKey } from './cache-key.js';
import { resolveLimits } from './limits.js';
import { FORBIDDEN_NAMES, argsOf, isLogic, operatorOf } from './rule-shape.js';
import type { CreateRuleEngineOptions, OperatorDefinition, RuleEngine, RuleFn, ValidateRuleOptions } from './types.js';
import { LIMIT_CODES, validateRuleWith } from './validate.js';

type Origin = 'special' | 'standard' | 'dealflow' | 'custom';
interface Entry {
  origin: Origin;
  minArgs: number;
  maxArgs: number;
  fn?: (...args: unknown[]) => unknown;
}

/** Compiled rules kept per engine, by JSON text; cleared when it grows past this. */
const CACHE_LIMIT = 10_000;

/**
 * Creates a rule engine: the standard JsonLogic operators, Dealflow's date and text operators, and
 * the custom operators you add — for this engine only (nothing is registered globally).
 *
 * @example
 * ```ts
 * const rules = createRuleEngine({ operators: { isVip: { fn: (tier) => tier === 'gold', minArgs: 1, maxArgs: 1 } } })
 * const guard = rules.compile({ and: [{ isVip: { var: 'tier' } }, { '>': [{ var: 'amount' }, 1000] }] })
 * guard({ tier: 'gold', amount: 5000 }) // true
 * ```
 */
export function createRuleEngine(options: CreateRuleEngineOptions = {}): RuleEngine {
  const limits = resolveLimits(options.limits);
  const now = options.now ?? (() => new Date());
  const calendars = new Map<string, BusinessCalendar>(Object.entries(options.calendars ?? {}));
  const ops = new Map<string, Entry>();

  for (const [name, arity] of Object.entries(SPECIAL_FORMS)) ops.set(name, { origin: 'special', ...arity });
  for (const [name, def] of Object.entries(STANDARD_OPERATORS)) ops.set(name, toEntry('standard', def));
  ops.set('matches', { origin: 'dealflow', ...MATCHES_ARITY });
  for (const [name, def] of Object.entries(dealflowOperators({ now, calendar: (id) => calendars.get(id) }))) {
    ops.set(name, toEntry('dealflow', def));
  }

  const generate = options.compiler !== 'closures' && canGenerateCode();
  const byObject = new WeakMap<object, RuleFn>();
  const byText = new Map<string, RuleFn>();

  const validationContext = {
    arity: (op: string) => ops.get(op),
    operatorNames: () => ops.keys(),
    hasCalendar: (id: string) => calendars.has(id),
    isBuiltin: (op: string) => ops.get(op)?.origin === 'dealflow',
    limits,
  };
  const meter = new Meter(limits.maxSteps, limits.maxValueLength);
  const compileContext: CompileContext = {
    fnOf: (op: string) => ops.get(op)?.fn,
    isStandard: (op: string) => ops.get(op)?.origin === 'standard',
    isBuiltin: (op: string) => ops.get(op)?.origin === 'dealflow',
    limits,
    meter,
    metered: false,
  };

  const validate = (rule: unknown, opts?: ValidateRuleOptions): Problem[] => validateRuleWith(validationContext, rule, opts);

  const assertValid = (rule: unknown, opts?: ValidateRuleOptions): void => {
    const problems = validate(rule, opts);
    if (problems.length === 0) return;
    const limit = problems.some((p) => p.code !== undefined && LIMIT_CODES.has(p.code));
    const first = problems[0] as Problem;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : '';
    throw new DealflowError(limit ? 'RULE_LIMIT' : 'RULE_INVALID', `invalid rule at ${first.path}: ${first.message}${more}`, {
      problems,
    });
  };

  const compile = (rule: unknown): RuleFn => {
    const isObject = typeof rule === 'object' && rule !== null;
    if (isObject) {
      const hit = byObject.get(rule);
      if (hit !== undefined) return hit;
    }
    assertValid(rule);
    // Validation bounded the rule's depth and size. The text key is exact: it tells apart what
    // JSON would merge (NaN, ±Infinity, null, -0, undefined, holes); a rule holding anything
    // else (a Date, a class instance) is cached by identity only.
    let key: string | undefined;
    try {
      key = ruleKey(rule);
    } catch (e) {
      throw toRuleError(e); // a stack overflow under a raised maxDepth: RULE_LIMIT
    }
    let fn = key === undefined ? undefined : byText.get(key);
    if (fn === undefined) {
      fn = build(rule);
      if (key !== undefined) {
        if (byText.size >= CACHE_LIMIT) byText.clear();
        byText.set(key, fn);
      }
    }
    if (isObject) byObject.set(rule, fn);
    return fn;
  };

  /** Compiles a validated rule; a runtime limit hit while compiling (a raised maxDepth) is `RULE_LIMIT`. */
  const build = (rule: unknown): RuleFn => {
    compileContext.metered = false;
    let fn: RuleFn;
    try {
      fn = (generate ? generateRule(compileContext, rule) : undefined) ?? compileValidated(compileContext, rule);
    } catch (e) {
      throw toRuleError(e);
    }
    // Rules with loops or growing values count their steps; closures report every failure coded.
    if (compileContext.metered || !generate) return meter.guard(fn);
    return fn;
  };

  const engine: RuleEngine = {
    compile,
    validate,
    assertValid,
    apply: (rule, data) => compile(rule)(data),
    addOperator(name, op) {
      if (typeof name !== 'string' || name === '' || FORBIDDEN_NAMES.has(name) || name.includes('.')) {
        throw new DealflowError('INPUT_INVALID', `operator name '${String(name)}' is not allowed`, {
          problems: [{ path: '$', message: 'operator names are non-empty, have no dot, and are not prototype properties', value: name }],
        });
      }
      if (ops.has(name)) {
        throw new DealflowError('OPERATOR_CONFLICT', `operator '${name}' already exists in this engine`, { details: { operator: name } });
      }
      const def = typeof op === 'function' ? { fn: op } : op;
      if (typeof def?.fn !== 'function') {
        throw new DealflowError('INPUT_INVALID', `operator '${name}' needs a function`, {
          problems: [{ path: `$.${name}.fn`, message: 'fn must be a function' }],
        });
      }
      ops.set(name, toEntry('custom', def));
    },
    hasOperator: (name) => ops.has(name),
    varsOf: (rule) => collectVars(rule, limits.maxDepth),
  };
  for (const [name, op] of Object.entries(options.operators ?? {})) engine.addOperator(name, op);
  return engine;

  function toEntry(origin: Origin, def: OperatorDefinition): Entry {
    return { origin, fn: def.fn, minArgs: def.minArgs ?? 0, maxArgs: def.maxArgs ?? Infinity };
  }
}

const SCOPED = new Set(['map', 'filter', 'reduce', 'all', 'some', 'none']);

/** Literal `var` paths (and `missing` keys) a rule reads in its top scope, without duplicates. */
function collectVars(rule: unknown, maxDepth: number): string[] {
  const out = new Set<string>();
  const addKey = (k: unknown): void => {
    if ((typeof k === 'string' && k !== '') || typeof k === 'number') out.add(String(k));
  };
  const walk = (node: unknown, depth: number): void => {
    if (depth > maxDepth) return;
    if (Array.isArray(node)) {
      for (const n of node) walk(n, depth + 1);
      return;
    }
    if (!isLogic(node)) return;
    const op = operatorOf(node);
    const args = argsOf(node, op);
    if (op === 'var') {
      if (isLogic(args[0]) || Array.isArray(args[0])) walk(args[0], depth + 1);
      else addKey(args[0]);
      if (args.length > 1) walk(args[1], depth + 1);
      return;
    }
    if (op === 'missing' || op === 'missing_some') {
      const keyArgs = op === 'missing' ? args : args.slice(1);
      if (op === 'missing_some') walk(args[0], depth + 1);
      for (const a of keyArgs) {
        if (Array.isArray(a)) a.forEach((k) => (isLogic(k) ? walk(k, depth + 1) : addKey(k)));
        else if (isLogic(a)) walk(a, depth + 1);
        else addKey(a);
      }
      return;
    }
    if (SCOPED.has(op)) {
      walk(args[0], depth + 1);
      if (args.length > 2) walk(args[2], depth + 1);
      return;
    }
    for (const a of args) walk(a, depth + 1);
  };
  walk(rule, 0);
  return [...out];
}
