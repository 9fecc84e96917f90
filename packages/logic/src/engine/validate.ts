import type { Problem } from '../errors.js';
import { ALLOWED_REGEX_FLAGS, RegexRefused, compileSafeRegex } from '../regex/matcher.js';
import type { ResolvedLimits } from './limits.js';
import { FORBIDDEN_NAMES, argsOf, isLogic, operatorOf, pathKey } from './rule-shape.js';

/** What the validator needs to know about an engine. */
export interface ValidationContext {
  arity(op: string): { minArgs: number; maxArgs: number } | undefined;
  operatorNames(): Iterable<string>;
  hasCalendar(id: string): boolean;
  /** True when `op` is the engine's own `matches` / `businessDaysSince`. */
  isBuiltin(op: string): boolean;
  limits: ResolvedLimits;
}

/** Problem codes that mean a size limit was hit (`RULE_LIMIT` rather than `RULE_INVALID`). */
export const LIMIT_CODES: ReadonlySet<string> = new Set(['max_depth', 'max_nodes']);

const SCOPED = new Set(['map', 'filter', 'reduce', 'all', 'some', 'none']);

class Stop extends Error {}

/**
 * Every problem of a rule. Never recurses deeper than `limits.maxDepth` and never visits more
 * than `limits.maxNodes` values, so hostile rules cost bounded time and stack.
 */
export function validateRuleWith(
  ctx: ValidationContext,
  rule: unknown,
  options: { fields?: readonly string[]; path?: string } = {},
): Problem[] {
  const problems: Problem[] = [];
  const fields = options.fields === undefined ? undefined : new Set(options.fields);
  const { maxDepth, maxNodes } = ctx.limits;
  let nodes = 0;

  const count = (path: string, depth: number): void => {
    nodes++;
    if (nodes > maxNodes) {
      problems.push({ path, code: 'max_nodes', message: `rule has more than ${maxNodes} values (limit maxNodes)` });
      throw new Stop();
    }
    if (depth > maxDepth) {
      problems.push({ path, code: 'max_depth', message: `rule is nested deeper than ${maxDepth} levels (limit maxDepth)` });
      throw new Stop();
    }
  };

  const checkVarPath = (raw: unknown, path: string, topScope: boolean, what: string): void => {
    if (typeof raw !== 'string' && typeof raw !== 'number') return;
    const text = String(raw);
    if (text === '') return;
    const segments = text.split('.');
    for (const seg of segments) {
      if (FORBIDDEN_NAMES.has(seg)) {
        problems.push({
          path,
          code: 'forbidden_name',
          value: text,
          message: `${what} '${text}' reads '${seg}', which is a prototype property; only own data fields can be read`,
        });
        return;
      }
    }
    const first = segments[0] as string;
    if (topScope && fields !== undefined && !fields.has(first)) {
      const hint = closest(first, fields);
      problems.push({
        path,
        code: 'unknown_field',
        value: text,
        message: `${what} '${text}' reads field '${first}', which is not declared`,
        ...(hint === undefined ? {} : { hint: `did you mean '${hint}'?` }),
      });
    }
  };

  const constant = (value: unknown, path: string, depth: number): void => {
    count(path, depth);
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
      problems.push({ path, code: 'invalid_value', message: `a rule may only contain JSON values, found a ${typeof value}` });
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) constant(value[i], `${path}[${i}]`, depth + 1);
      return;
    }
    for (const key of Object.keys(value)) constant((value as Record<string, unknown>)[key], pathKey(path, key), depth + 1);
  };

  const walk = (node: unknown, path: string, depth: number, topScope: boolean): void => {
    if (Array.isArray(node)) {
      count(path, depth);
      for (let i = 0; i < node.length; i++) walk(node[i], `${path}[${i}]`, depth + 1, topScope);
      return;
    }
    if (!isLogic(node)) {
      constant(node, path, depth);
      return;
    }
    count(path, depth);
    const op = operatorOf(node);
    const opPath = pathKey(path, op);
    const rawArgs = node[op];
    const args = argsOf(node, op);
    const argPath = (i: number): string => (Array.isArray(rawArgs) ? `${opPath}[${i}]` : opPath);
    if (FORBIDDEN_NAMES.has(op)) {
      problems.push({ path: opPath, code: 'forbidden_name', value: op, message: `'${op}' is a prototype property, not an operator` });
      return;
    }
    const arity = ctx.arity(op);
    if (arity === undefined) {
      const hint = closest(op, ctx.operatorNames());
      problems.push({
        path: opPath,
        code: 'unknown_operator',
        value: op,
        message: `unknown operator '${op}'`,
        ...(hint === undefined ? {} : { hint: `did you mean '${hint}'?` }),
      });
      // still look inside, to report every problem at once
      for (let i = 0; i < args.length; i++) walk(args[i], argPath(i), depth + 1, topScope);
      return;
    }
    if (args.length < arity.minArgs || args.length > arity.maxArgs) {
      const expected =
        arity.maxArgs === Infinity
          ? `at least ${arity.minArgs}`
          : arity.minArgs === arity.maxArgs
            ? `${arity.minArgs}`
            : `${arity.minArgs} to ${arity.maxArgs}`;
      problems.push({
        path: opPath,
        code: 'arity',
        value: args.length,
        message: `operator '${op}' takes ${expected} argument(s), got ${args.length}`,
      });
    }
    if (op === 'var') {
      if (isLogic(args[0]) || Array.isArray(args[0])) walk(args[0], argPath(0), depth + 1, topScope);
      else {
        constant(args[0], argPath(0), depth + 1);
        checkVarPath(args[0], argPath(0), topScope, 'var');
      }
      if (args.length > 1) walk(args[1], argPath(1), depth + 1, topScope);
      return;
    }
    if (op === 'missing' || op === 'missing_some') {
      const listIndex = op === 'missing' ? -1 : 1;
      for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        const p = argPath(i);
        walk(arg, p, depth + 1, topScope);
        const isKeyList = listIndex === -1 ? true : i === listIndex;
        if (!isKeyList) continue;
        if (Array.isArray(arg)) arg.forEach((k, j) => checkVarPath(k, `${p}[${j}]`, topScope, op));
        else checkVarPath(arg, p, topScope, op);
      }
      return;
    }
    if (SCOPED.has(op)) {
      walk(args[0], argPath(0), depth + 1, topScope);
      if (args.length > 1) walk(args[1], argPath(1), depth + 1, false);
      if (args.length > 2) walk(args[2], argPath(2), depth + 1, topScope);
      return;
    }
    if (op === 'matches' && ctx.isBuiltin(op)) {
      walk(args[0], argPath(0), depth + 1, topScope);
      checkPattern(args[1], args[2], argPath(1), argPath(2));
      return;
    }
    if (op === 'businessDaysSince' && ctx.isBuiltin(op)) {
      walk(args[0], argPath(0), depth + 1, topScope);
      const id = args[1];
      if (typeof id !== 'string') {
        problems.push({ path: argPath(1), code: 'invalid_argument', message: `businessDaysSince needs a calendar id as a literal string` });
      } else if (!ctx.hasCalendar(id)) {
        problems.push({ path: argPath(1), code: 'unknown_calendar', value: id, message: `unknown calendar '${id}'` });
      }
      return;
    }
    for (let i = 0; i < args.length; i++) walk(args[i], argPath(i), depth + 1, topScope);
  };

  const checkPattern = (pattern: unknown, flags: unknown, path: string, flagsPath: string): void => {
    if (typeof pattern !== 'string') {
      problems.push({ path, code: 'invalid_argument', message: `matches needs its pattern as a literal string` });
      return;
    }
    if (pattern.length > ctx.limits.maxRegexLength) {
      problems.push({
        path,
        code: 'regex_too_long',
        message: `pattern is ${pattern.length} characters, more than ${ctx.limits.maxRegexLength} (limit maxRegexLength)`,
      });
      return;
    }
    if (flags !== undefined && (typeof flags !== 'string' || !ALLOWED_REGEX_FLAGS.test(flags))) {
      problems.push({ path: flagsPath, code: 'invalid_argument', value: flags, message: `matches flags may only be 'i', 's', 'u'` });
      return;
    }
    try {
      compileSafeRegex(pattern, typeof flags === 'string' ? flags : '', ctx.limits.maxInputLength);
    } catch (e) {
      if (!(e instanceof RegexRefused)) throw e;
      problems.push({
        path,
        code: e.kind === 'size' ? 'regex_too_complex' : 'invalid_regex',
        value: pattern,
        message: `pattern '${pattern}': ${e.message}`,
      });
    }
  };

  try {
    walk(rule, options.path ?? '$', 0, true);
  } catch (e) {
    if (!(e instanceof Stop)) {
      if (e instanceof RangeError) {
        problems.push({ path: options.path ?? '$', code: 'max_depth', message: 'rule is nested too deeply' });
      } else throw e;
    }
  }
  return problems;
}

/** The nearest candidate within edit distance 2, for hints. */
function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    if (Math.abs(c.length - word.length) >= bestDistance) continue;
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
