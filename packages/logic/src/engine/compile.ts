import { DealflowError } from '../errors.js';
import { compileSafeRegex } from '../regex/matcher.js';
import { inOp } from '../operators/standard.js';
import { missingKeys, readKey, readPath, readVar } from './data-access.js';
import type { Meter } from './budget.js';
import type { ResolvedLimits } from './limits.js';
import { argsOf, isLogic, operatorOf } from './rule-shape.js';
import { truthy } from './truthy.js';
import type { RuleFn } from './types.js';

/** What the compiler needs from an engine. */
export interface CompileContext {
  /** The eager function of an operator (standard, Dealflow or custom). */
  fnOf(op: string): ((...args: unknown[]) => unknown) | undefined;
  /** True when `op` is the standard operator of that name (so it may be specialised). */
  isStandard(op: string): boolean;
  /** True when `op` is the engine's own `matches`. */
  isBuiltin(op: string): boolean;
  limits: ResolvedLimits;
  /** The engine's evaluation budget. */
  meter: Meter;
  /** Set while compiling when the rule has a metered operator (so its root gets {@link Meter.guard}). */
  metered: boolean;
}

/** Standard operators whose results can grow without bound: their sizes are metered. */
export const SIZED_OPERATORS: ReadonlySet<string> = new Set(['merge', 'cat']);

interface Node {
  fn: RuleFn;
  /** Set when the node is a literal (its value never depends on data). */
  constant?: { value: unknown };
  /** Set when the node is an array literal of primitives (`in` turns it into a lookup). */
  primitives?: readonly unknown[];
}

const constNode = (value: unknown): Node => ({ fn: () => value, constant: { value } });

/**
 * Compiles an already validated rule into nested closures. Semantics follow json-logic-js 2.x;
 * data is read through own properties only.
 */
export function compileValidated(ctx: CompileContext, rule: unknown): RuleFn {
  return compileNode(ctx, rule).fn;
}

function compileNode(ctx: CompileContext, node: unknown): Node {
  if (Array.isArray(node)) {
    const items = node.map((n) => compileNode(ctx, n).fn);
    const primitive = node.every((v) => v === null || (typeof v !== 'object' && typeof v !== 'function' && v === v));
    // A fresh array per evaluation, as json-logic-js does, so callers may keep or change it.
    return { fn: (d) => items.map((f) => f(d)), ...(primitive ? { primitives: node.slice() } : {}) };
  }
  if (!isLogic(node)) {
    if (typeof node === 'object' && node !== null) return constNode(deepFreeze(structuredClone(node)));
    return constNode(node);
  }
  const op = operatorOf(node);
  const args = argsOf(node, op);
  switch (op) {
    case 'var':
      return compileVar(ctx, args);
    case 'if':
    case '?:':
      return compileIf(ctx, args);
    case 'and':
      return compileAndOr(ctx, args, true);
    case 'or':
      return compileAndOr(ctx, args, false);
    case 'map':
    case 'filter':
    case 'all':
    case 'some':
    case 'none':
    case 'reduce':
      return compileScoped(ctx, op, args);
    case 'missing': {
      const literal = literalKeys(Array.isArray(args[0]) ? args[0] : args);
      if (literal !== undefined) {
        // keys known at compile time: paths split once
        const paths = literal.map((k) => String(k).split('.'));
        return {
          fn: (d) => {
            const out: unknown[] = [];
            for (let i = 0; i < paths.length; i++) {
              const v = readPath(d, paths[i] as string[], null);
              if (v === null || v === '') out.push(literal[i]);
            }
            return out;
          },
        };
      }
      const fs = args.map((a) => compileNode(ctx, a).fn);
      return { fn: (d) => missingKeys(d, fs.map((f) => f(d))) };
    }
    case 'missing_some': {
      const need = compileNode(ctx, args[0]).fn;
      const opts = compileNode(ctx, args[1]).fn;
      return {
        fn: (d) => {
          const count = need(d) as number;
          const options = opts(d);
          const missing = missingKeys(d, Array.isArray(options) ? options : [options]);
          return (options as { length: number }).length - missing.length >= count ? [] : missing;
        },
      };
    }
    default:
      break;
  }
  if (op === 'matches' && ctx.isBuiltin(op)) return compileMatches(ctx, args);
  const compiled = args.map((a) => compileNode(ctx, a));
  if (ctx.isStandard(op) && SIZED_OPERATORS.has(op)) return compileSized(ctx, op, compiled);
  if (ctx.isStandard(op)) {
    const special = specialise(op, compiled);
    if (special !== undefined) return { fn: special };
  }
  const fn = ctx.fnOf(op);
  if (fn === undefined) throw new DealflowError('RULE_INVALID', `unknown operator '${op}'`);
  const fs = compiled.map((c) => c.fn);
  switch (fs.length) {
    case 0:
      return { fn: () => fn() };
    case 1: {
      const [a] = fs as [RuleFn];
      return { fn: (d) => fn(a(d)) };
    }
    case 2: {
      const [a, b] = fs as [RuleFn, RuleFn];
      return { fn: (d) => fn(a(d), b(d)) };
    }
    case 3: {
      const [a, b, c] = fs as [RuleFn, RuleFn, RuleFn];
      return { fn: (d) => fn(a(d), b(d), c(d)) };
    }
    default:
      return { fn: (d) => fn(...fs.map((f) => f(d))) };
  }
}

/* eslint-disable eqeqeq */
/** Hand-written closures for the hottest standard operators. */
function specialise(op: string, args: Node[]): RuleFn | undefined {
  if (args.length !== 2) return undefined;
  const [an, bn] = args as [Node, Node];
  const a = an.fn;
  const b = bn.fn;
  const bc = bn.constant;
  switch (op) {
    case '==':
      if (bc !== undefined && (typeof bc.value === 'string' || typeof bc.value === 'number')) {
        const v = bc.value;
        return (d) => a(d) == v;
      }
      return (d) => a(d) == b(d);
    case '===':
      if (bc !== undefined) {
        const v = bc.value;
        return (d) => a(d) === v;
      }
      return (d) => a(d) === b(d);
    case '!=':
      return (d) => a(d) != b(d);
    case '!==':
      return (d) => a(d) !== b(d);
    case '>':
      if (bc !== undefined && typeof bc.value === 'number') {
        const v = bc.value;
        return (d) => (a(d) as number) > v;
      }
      return (d) => (a(d) as number) > (b(d) as number);
    case '>=':
      if (bc !== undefined && typeof bc.value === 'number') {
        const v = bc.value;
        return (d) => (a(d) as number) >= v;
      }
      return (d) => (a(d) as number) >= (b(d) as number);
    case '<':
      if (bc !== undefined && typeof bc.value === 'number') {
        const v = bc.value;
        return (d) => (a(d) as number) < v;
      }
      return (d) => (a(d) as number) < (b(d) as number);
    case '<=':
      if (bc !== undefined && typeof bc.value === 'number') {
        const v = bc.value;
        return (d) => (a(d) as number) <= v;
      }
      return (d) => (a(d) as number) <= (b(d) as number);
    case 'in':
      return specialiseIn(a, bn);
    default:
      return undefined;
  }
}

function specialiseIn(a: RuleFn, haystack: Node): RuleFn {
  const raw = haystack.constant?.value;
  if (typeof raw === 'string') return raw === '' ? (d) => (a(d), false) : (d) => raw.indexOf(a(d) as string) !== -1;
  const list = haystack.primitives;
  if (list !== undefined) {
    // Strict equality on primitives equals Set membership (JSON has no NaN), so this is exact.
    if (list.length > 6) {
      const set = new Set(list);
      return (d) => set.has(a(d));
    }
    return (d) => list.indexOf(a(d)) !== -1;
  }
  return (d) => inOp(a(d), haystack.fn(d));
}

function compileVar(ctx: CompileContext, args: unknown[]): Node {
  const pathArg = args[0];
  const defaultNode = args.length > 1 ? compileNode(ctx, args[1]) : undefined;
  const literal = !isLogic(pathArg) && !Array.isArray(pathArg);
  if (literal) {
    if (pathArg === undefined || pathArg === '' || pathArg === null) {
      if (defaultNode === undefined) return { fn: (d) => d };
      const df = defaultNode.fn;
      return { fn: (d) => (df(d), d) };
    }
    const segments = String(pathArg).split('.');
    if (defaultNode === undefined || defaultNode.constant !== undefined) {
      const nf = defaultNode?.constant?.value ?? null;
      const notFound = nf === undefined ? null : nf;
      if (segments.length === 1) {
        const key = segments[0] as string;
        return { fn: (d) => readKey(d, key, notFound) };
      }
      if (segments.length === 2) {
        const [k1, k2] = segments as [string, string];
        return { fn: (d) => readKey(readKey(d, k1, undefined), k2, notFound) };
      }
      return { fn: (d) => readPath(d, segments, notFound) };
    }
    const df = defaultNode.fn;
    return {
      fn: (d) => {
        const nf = df(d);
        return readPath(d, segments, nf === undefined ? null : nf);
      },
    };
  }
  const pf = compileNode(ctx, pathArg).fn;
  const df = defaultNode?.fn;
  return {
    fn: (d) => {
      const p = pf(d);
      const nf = df === undefined ? undefined : df(d);
      return readVar(d, p, nf === undefined ? null : nf);
    },
  };
}

function compileIf(ctx: CompileContext, args: unknown[]): Node {
  const fs = args.map((a) => compileNode(ctx, a).fn);
  if (fs.length === 0) return constNode(null);
  if (fs.length === 1) return { fn: fs[0] as RuleFn };
  if (fs.length === 3) {
    const [c, t, e] = fs as [RuleFn, RuleFn, RuleFn];
    return { fn: (d) => (truthy(c(d)) ? t(d) : e(d)) };
  }
  const pairs = Math.floor(fs.length / 2);
  const last = fs.length % 2 === 1 ? (fs[fs.length - 1] as RuleFn) : undefined;
  return {
    fn: (d) => {
      for (let i = 0; i < pairs; i++) {
        if (truthy((fs[2 * i] as RuleFn)(d))) return (fs[2 * i + 1] as RuleFn)(d);
      }
      return last === undefined ? null : last(d);
    },
  };
}

function compileAndOr(ctx: CompileContext, args: unknown[], isAnd: boolean): Node {
  const fs = args.map((a) => compileNode(ctx, a).fn);
  if (fs.length === 0) return constNode(undefined);
  if (fs.length === 1) return { fn: fs[0] as RuleFn };
  if (fs.length === 2) {
    const [a, b] = fs as [RuleFn, RuleFn];
    return isAnd
      ? { fn: (d) => { const v = a(d); return truthy(v) ? b(d) : v; } }
      : { fn: (d) => { const v = a(d); return truthy(v) ? v : b(d); } };
  }
  const n = fs.length;
  return isAnd
    ? {
        fn: (d) => {
          let v: unknown;
          for (let i = 0; i < n; i++) {
            v = (fs[i] as RuleFn)(d);
            if (!truthy(v)) return v;
          }
          return v;
        },
      }
    : {
        fn: (d) => {
          let v: unknown;
          for (let i = 0; i < n; i++) {
            v = (fs[i] as RuleFn)(d);
            if (truthy(v)) return v;
          }
          return v;
        },
      };
}

/**
 * `merge` and `cat`: the standard function, its result's length checked against
 * `maxValueLength`; a merge's elements also count as steps.
 */
function compileSized(ctx: CompileContext, op: string, args: Node[]): Node {
  const fn = ctx.fnOf(op) as (...xs: unknown[]) => { length: number };
  const fs = args.map((a) => a.fn);
  const meter = ctx.meter;
  if (op === 'merge') {
    // merge's elements are steps (a reduce that merges its accumulator grows quadratically)
    ctx.metered = true;
    return {
      fn: (d) => {
        const out = meter.checkSize(fn(...fs.map((f) => f(d))), op);
        meter.charge(out.length, op);
        return out;
      },
    };
  }
  return { fn: (d) => meter.checkSize(fn(...fs.map((f) => f(d))), op) };
}

/**
 * The scoped operators. Like json-logic-js, `map`, `filter` and `reduce` skip the holes of a
 * sparse array (they are `Array.prototype` methods there) while `all`, `some` and `none` visit
 * every index. Each visited item is one step of the budget, charged before the loop.
 */
function compileScoped(ctx: CompileContext, op: string, args: unknown[]): Node {
  const source = compileNode(ctx, args[0]).fn;
  const inner = compileNode(ctx, args[1]).fn;
  const meter = ctx.meter;
  ctx.metered = true;
  switch (op) {
    case 'map':
      return {
        fn: (d) => {
          const xs = source(d);
          if (!Array.isArray(xs)) return [];
          meter.charge(xs.length, op);
          return xs.map((x) => inner(x));
        },
      };
    case 'filter':
      return {
        fn: (d) => {
          const xs = source(d);
          if (!Array.isArray(xs)) return [];
          meter.charge(xs.length, op);
          return xs.filter((x) => truthy(inner(x)));
        },
      };
    case 'all':
      return {
        fn: (d) => {
          const xs = source(d);
          if (!Array.isArray(xs) || xs.length === 0) return false;
          meter.charge(xs.length, op);
          for (let i = 0; i < xs.length; i++) if (!truthy(inner(xs[i]))) return false;
          return true;
        },
      };
    case 'some':
      return {
        fn: (d) => {
          const xs = source(d);
          if (!Array.isArray(xs) || xs.length === 0) return false;
          meter.charge(xs.length, op);
          for (let i = 0; i < xs.length; i++) if (truthy(inner(xs[i]))) return true;
          return false;
        },
      };
    case 'none':
      return {
        fn: (d) => {
          const xs = source(d);
          if (!Array.isArray(xs) || xs.length === 0) return true;
          meter.charge(xs.length, op);
          for (let i = 0; i < xs.length; i++) if (truthy(inner(xs[i]))) return false;
          return true;
        },
      };
    default: {
      // reduce
      const initial = args.length > 2 && args[2] !== undefined ? compileNode(ctx, args[2]).fn : () => null;
      return {
        fn: (d) => {
          const xs = source(d);
          const init = initial(d);
          if (!Array.isArray(xs)) return init;
          meter.charge(xs.length, op);
          let acc = init;
          for (let i = 0; i < xs.length; i++) {
            if (i in xs) acc = inner({ current: xs[i], accumulator: acc });
          }
          return acc;
        },
      };
    }
  }
}

function compileMatches(ctx: CompileContext, args: unknown[]): Node {
  const subject = compileNode(ctx, args[0]).fn;
  const flags = typeof args[2] === 'string' ? args[2] : '';
  const pattern = args[1] as string;
  const re = compileSafeRegex(pattern, flags, ctx.limits.maxInputLength);
  const max = re.maxInput;
  return {
    fn: (d) => {
      const v = subject(d);
      if (v === null || v === undefined) return false;
      const s = typeof v === 'string' ? v : String(v);
      if (s.length > max) {
        throw new DealflowError('RULE_LIMIT', `matches '${pattern}': input is ${s.length} characters, more than ${max} (limits.maxInputLength, or less for patterns with many states)`, {
          details: { pattern: args[1], length: s.length },
        });
      }
      return re.test(s);
    },
  };
}

/** The keys of a `missing` when all are literal, non-empty strings or finite numbers. */
function literalKeys(keys: readonly unknown[]): Array<string | number> | undefined {
  for (const k of keys) {
    if (!((typeof k === 'string' && k !== '') || (typeof k === 'number' && Number.isFinite(k)))) return undefined;
  }
  return keys as Array<string | number>;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
