import { inOp } from '../operators/standard.js';
import type { CompileContext } from './compile.js';
import { SIZED_OPERATORS, compileValidated } from './compile.js';
import { readPath } from './data-access.js';
import { toRuleError } from './budget.js';
import { argsOf, isLogic, operatorOf } from './rule-shape.js';
import { truthy } from './truthy.js';
import type { RuleFn } from './types.js';

/**
 * The optional code-generating backend. It turns the hot part of a validated rule (`var` with a
 * literal path, literals, comparisons, `and`/`or`/`!`/`if`, `in`, eager operators) into one
 * JavaScript function, so V8 can inline the whole rule; everything else (`map`, `reduce`,
 * `missing`, `matches`, computed `var` paths, …) runs as the closures of `compile.ts`, called
 * from the generated code.
 *
 * Safety: the generated source is assembled only from this file's fixed templates, generated
 * identifiers (`t3`, `k7`, `f2`) and the tokens `null`/`true`/`false`/`undefined`. No text of
 * the rule — no key, string, number or operator name — is ever part of the source: every such
 * value reaches the function through the `K` array argument. A rule therefore cannot inject code.
 */

const hasOwn = Object.prototype.hasOwnProperty;

interface Expr {
  code: string;
  /** The expression always yields a boolean (so truthiness needs no helper). */
  bool: boolean;
  /** Literal value, when the node is a literal. */
  constant?: { value: unknown };
  /** Literal array of primitives, when the node is one. */
  primitives?: readonly unknown[];
}

/** The comparison operators, as this file's own tokens (never the rule's text). */
const COMPARISON: Readonly<Record<string, string>> = {
  '==': '==',
  '===': '===',
  '!=': '!=',
  '!==': '!==',
  '>': '>',
  '>=': '>=',
  '<': '<',
  '<=': '<=',
};

/** Smallest `in` list that becomes a Set lookup rather than a chain of `===`. */
const SET_THRESHOLD = 9;

/** Longest literal `var` path read inline; longer paths call `readPath` (keeps code linear). */
const INLINE_SEGMENTS = 12;

/** A trie of the literal `var` paths of a rule: how often each prefix is read, and its hoisted name. */
interface Prefix {
  count: number;
  children: Map<string, Prefix>;
  name?: string;
}

const newPrefix = (): Prefix => ({ count: 0, children: new Map() });

class Emitter {
  readonly constants: unknown[] = [];
  readonly fallbacks: RuleFn[] = [];
  temps = 0;
  /** Literal paths as a trie; prefixes read by two or more `var`s are read once, as `p0`, `p1`, … */
  readonly prefixes: Prefix = newPrefix();
  /** Constants of every data key read by generated code (guarded against prototype pollution). */
  readonly keys = new Map<string, string>();
  readonly hoistCode: string[] = [];
  constructor(private readonly ctx: CompileContext) {}

  /**
   * Reads every path prefix that several literal `var`s share once, up front. Linear in the
   * rule's size: each path walks the trie once, segment by segment.
   */
  hoist(rule: unknown): void {
    const pending: unknown[] = [rule];
    while (pending.length > 0) {
      const node = pending.pop();
      if (Array.isArray(node)) {
        for (const n of node) pending.push(n);
        continue;
      }
      if (!isLogic(node)) continue;
      const op = operatorOf(node);
      const args = argsOf(node, op);
      if (op === 'var') {
        const path = args[0];
        if (typeof path === 'string' || typeof path === 'number') {
          const text = String(path);
          if (text !== '') {
            let at = this.prefixes;
            for (const segment of text.split('.').slice(0, INLINE_SEGMENTS)) {
              let next = at.children.get(segment);
              if (next === undefined) {
                next = newPrefix();
                at.children.set(segment, next);
              }
              next.count++;
              at = next;
            }
          }
        } else pending.push(path);
        if (args.length > 1) pending.push(args[1]);
        continue;
      }
      // bodies of map/filter/… read their items, not `d`
      if (op === 'map' || op === 'filter' || op === 'all' || op === 'some' || op === 'none' || op === 'reduce') continue;
      for (const a of args) pending.push(a);
    }
    // breadth first, so that a prefix is named after its parent
    const queue: Array<{ node: Prefix; holder: string }> = [{ node: this.prefixes, holder: 'd' }];
    for (let q = 0; q < queue.length; q++) {
      const { node, holder } = queue[q] as { node: Prefix; holder: string };
      for (const [segment, child] of node.children) {
        if (child.count < 2) continue;
        const name = `p${this.hoistCode.length}`;
        const k = this.key(segment);
        const t = this.temp();
        this.hoistCode.push(
          `${name} = (${holder} == null || (${t} = ${holder}[${k}]) === undefined || ${this.notOwn(holder, k)} ? undefined : ${t})`,
        );
        child.name = name;
        queue.push({ node: child, holder: name });
      }
    }
  }

  constant(value: unknown): string {
    this.constants.push(value);
    return `k${this.constants.length - 1}`;
  }

  temp(): string {
    return `t${this.temps++}`;
  }

  fallback(node: unknown): Expr {
    this.fallbacks.push(compileValidated(this.ctx, node));
    return { code: `f${this.fallbacks.length - 1}(d)`, bool: false };
  }

  literal(value: unknown): Expr {
    if (value === null) return { code: 'null', bool: false, constant: { value } };
    if (value === true) return { code: 'true', bool: true, constant: { value } };
    if (value === false) return { code: 'false', bool: true, constant: { value } };
    if (value === undefined) return { code: 'undefined', bool: false, constant: { value } };
    if (typeof value === 'object') return this.fallback(value); // frozen copy, made by the closure compiler
    return { code: this.constant(value), bool: false, constant: { value } };
  }

  cond(e: Expr): string {
    return e.bool ? e.code : `truthy(${e.code})`;
  }

  expr(node: unknown): Expr {
    if (Array.isArray(node)) {
      const items = node.map((n) => this.expr(n));
      const primitive = node.every((v) => v === null || (typeof v !== 'object' && typeof v !== 'function' && v === v));
      return { code: `[${items.map((i) => i.code).join(', ')}]`, bool: false, ...(primitive ? { primitives: node.slice() } : {}) };
    }
    if (!isLogic(node)) return this.literal(node);
    const op = operatorOf(node);
    const args = argsOf(node, op);
    switch (op) {
      case 'var':
        return this.variable(node, args);
      case 'and':
      case 'or':
        return this.andOr(args.map((a) => this.expr(a)), op === 'and');
      case 'if':
      case '?:':
        return this.ifChain(args.map((a) => this.expr(a)));
      case 'map':
      case 'filter':
      case 'reduce':
      case 'all':
      case 'some':
      case 'none':
        return this.fallback(node);
      case 'missing':
      case 'missing_some':
        return this.missing(op, args) ?? this.fallback(node);
      default:
        break;
    }
    if (op === 'matches' && this.ctx.isBuiltin(op)) return this.fallback(node);
    if (this.ctx.isStandard(op) && SIZED_OPERATORS.has(op)) return this.fallback(node);
    const xs = args.map((a) => this.expr(a));
    if (this.ctx.isStandard(op)) {
      const special = this.standard(op, xs);
      if (special !== undefined) return special;
    }
    const fn = this.ctx.fnOf(op);
    if (fn === undefined) return this.fallback(node);
    return { code: `${this.constant(fn)}(${xs.map((x) => x.code).join(', ')})`, bool: false };
  }

  variable(node: unknown, args: unknown[]): Expr {
    const path = args[0];
    if (isLogic(path) || Array.isArray(path)) return this.fallback(node);
    let notFound = 'null';
    if (args.length > 1) {
      const dflt = args[1];
      if (isLogic(dflt) || Array.isArray(dflt) || (typeof dflt === 'object' && dflt !== null)) return this.fallback(node);
      if (dflt !== undefined && dflt !== null) notFound = this.literal(dflt).code;
    }
    if (path === undefined || path === null || path === '') return { code: 'd', bool: false };
    return { code: this.read(String(path).split('.'), notFound), bool: false };
  }

  /** Code reading `segments` from `d`, own properties only, yielding `notFound` when absent. */
  read(segments: readonly string[], notFound: string): string {
    // start from the longest hoisted prefix
    let start = 0;
    let holder = 'd';
    let at: Prefix | undefined = this.prefixes;
    for (let i = 0; i < segments.length && at !== undefined; i++) {
      at = at.children.get(segments[i] as string);
      if (at?.name === undefined) break;
      start = i + 1;
      holder = at.name;
    }
    if (start === segments.length) return `(${holder} === undefined ? ${notFound} : ${holder})`;
    if (segments.length - start > INLINE_SEGMENTS) {
      // a long path: one call, so the generated source stays proportional to the rule
      return `rp(${holder}, ${this.constant(segments.slice(start))}, ${notFound})`;
    }
    // holder == null || (t0 = holder[k0]) == null || notOwn(holder, k0)
    //   || … || (tn = tn-1[kn]) === undefined || notOwn(tn-1, kn) ? nf : tn
    const parts: string[] = [`${holder} == null`];
    for (let i = start; i < segments.length; i++) {
      const k = this.key(segments[i] as string);
      const value = this.temp();
      const last = i === segments.length - 1;
      parts.push(`(${value} = ${holder}[${k}]) ${last ? '=== undefined' : '== null'}`);
      parts.push(this.notOwn(holder, k));
      holder = value;
    }
    return `(${parts.join(' || ')} ? ${notFound} : ${holder})`;
  }

  /** A constant for a property key read from data; the generated guard checks it is not inherited. */
  key(segment: string): string {
    const hit = this.keys.get(segment);
    if (hit !== undefined) return hit;
    const k = this.constant(segment);
    this.keys.set(segment, k);
    return k;
  }

  /**
   * Code that is true when the value just read from `holder[k]` is not an own property. A plain
   * object's only prototype is `Object.prototype`, and the function's guard has checked that
   * `Object.prototype` has none of the rule's keys, so for a plain object the value read is its
   * own; anything else (arrays, class instances, null-prototype objects, other realms) asks
   * `hasOwnProperty`. The prototype test comes after the read on purpose: V8 then knows the
   * object's shapes and folds it to a constant, which makes own-only reads as fast as plain ones.
   */
  notOwn(holder: string, k: string): string {
    return `(gp(${holder}) !== OP && !h.call(${holder}, ${k}))`;
  }

  /** `missing` / `missing_some` over literal keys, inline; `undefined` when keys are computed. */
  missing(op: string, args: unknown[]): Expr | undefined {
    const keysArg = op === 'missing' ? (Array.isArray(args[0]) ? args[0] : args) : args[1];
    if (!Array.isArray(keysArg)) return undefined;
    if (op === 'missing_some' && typeof args[0] !== 'number') return undefined;
    if (!keysArg.every((k) => (typeof k === 'string' && k !== '') || (typeof k === 'number' && Number.isFinite(k)))) {
      return undefined;
    }
    const list = this.temp();
    const value = this.temp();
    const tests = (keysArg as Array<string | number>).map((key) => {
      const read = this.read(String(key).split('.'), 'null');
      return `((${value} = ${read}) === null || ${value} === '') && ${list}.push(${this.literal(key).code})`;
    });
    const collect = `(${list} = [], ${tests.length > 0 ? `${tests.join(', ')}, ` : ''}${list})`;
    if (op === 'missing') return { code: collect, bool: false };
    const need = this.literal(args[0]).code;
    return { code: `(${collect}, ${keysArg.length} - ${list}.length >= ${need} ? [] : ${list})`, bool: false };
  }

  andOr(xs: Expr[], isAnd: boolean): Expr {
    if (xs.length === 0) return { code: 'undefined', bool: false };
    if (xs.every((x) => x.bool)) {
      return { code: `(${xs.map((x) => x.code).join(isAnd ? ' && ' : ' || ')})`, bool: true };
    }
    const t = this.temp();
    let code = (xs[xs.length - 1] as Expr).code;
    for (let i = xs.length - 2; i >= 0; i--) {
      const x = xs[i] as Expr;
      const test = x.bool ? t : `truthy(${t})`;
      code = isAnd ? `((${t} = ${x.code}), ${test} ? ${code} : ${t})` : `((${t} = ${x.code}), ${test} ? ${t} : ${code})`;
    }
    return { code: `(${code})`, bool: false };
  }

  ifChain(xs: Expr[]): Expr {
    if (xs.length === 0) return { code: 'null', bool: false };
    const pairs = Math.floor(xs.length / 2);
    const otherwise = xs.length % 2 === 1 ? (xs[xs.length - 1] as Expr) : { code: 'null', bool: false };
    let code = otherwise.code;
    let bool = otherwise.bool;
    for (let i = pairs - 1; i >= 0; i--) {
      const then = xs[2 * i + 1] as Expr;
      code = `(${this.cond(xs[2 * i] as Expr)} ? ${then.code} : ${code})`;
      bool = bool && then.bool;
    }
    return { code, bool };
  }

  standard(name: string, xs: Expr[]): Expr | undefined {
    const [a, b, c] = xs;
    const op = COMPARISON[name];
    switch (name) {
      case '==':
      case '===':
      case '!=':
      case '!==':
      case '>':
      case '>=':
        return xs.length === 2 ? { code: `(${a?.code} ${op} ${b?.code})`, bool: true } : undefined;
      case '<':
      case '<=': {
        if (xs.length === 2) return { code: `(${a?.code} ${op} ${b?.code})`, bool: true };
        if (xs.length !== 3 || a === undefined || b === undefined || c === undefined) return undefined;
        const [ta, tb, tc] = [this.temp(), this.temp(), this.temp()];
        return {
          code: `((${ta} = ${a.code}), (${tb} = ${b.code}), (${tc} = ${c.code}), ${tc} === undefined ? ${ta} ${op} ${tb} : ${ta} ${op} ${tb} && ${tb} ${op} ${tc})`,
          bool: true,
        };
      }
      case '!':
        return xs.length === 1 && a !== undefined ? { code: `!${this.cond(a)}`, bool: true } : undefined;
      case '!!':
        return xs.length === 1 && a !== undefined ? { code: a.bool ? a.code : `truthy(${a.code})`, bool: true } : undefined;
      case 'in':
        return xs.length === 2 && a !== undefined && b !== undefined ? this.membership(a, b) : undefined;
      default:
        return undefined;
    }
  }

  membership(a: Expr, b: Expr): Expr {
    const hay = b.constant?.value;
    if (typeof hay === 'string') {
      if (hay === '') return { code: `(${a.code}, false)`, bool: true };
      return { code: `(${b.code}.indexOf(${a.code}) !== -1)`, bool: true };
    }
    const list = b.primitives;
    if (list !== undefined) {
      if (list.length === 0) return { code: `(${a.code}, false)`, bool: true };
      if (list.length >= SET_THRESHOLD) return { code: `${this.constant(new Set(list))}.has(${a.code})`, bool: true };
      const t = this.temp();
      const tests = list.map((v) => `${t} === ${this.literal(v).code}`);
      return { code: `((${t} = ${a.code}), ${tests.join(' || ')})`, bool: true };
    }
    return { code: `inOp(${a.code}, ${b.code})`, bool: true };
  }
}

let codegenAvailable: boolean | undefined;

/** False where the platform forbids `new Function` (strict CSP, some edge runtimes). */
export function canGenerateCode(): boolean {
  if (codegenAvailable === undefined) {
    try {
      codegenAvailable = new Function('return 1')() === 1;
    } catch {
      codegenAvailable = false;
    }
  }
  return codegenAvailable;
}

/**
 * Generates one function for a validated rule, or returns `undefined` when the whole rule would
 * fall back to closures anyway.
 */
export function generateRule(ctx: CompileContext, rule: unknown): RuleFn | undefined {
  const emitter = new Emitter(ctx);
  emitter.hoist(rule);
  const root = emitter.expr(rule);
  if (emitter.fallbacks.length === 1 && root.code === 'f0(d)') return undefined;
  const names = (prefix: string, from: string, n: number): string =>
    n === 0 ? '' : `const ${Array.from({ length: n }, (_, i) => `${prefix}${i} = ${from}[${i}]`).join(', ')};\n`;
  const temps = emitter.temps === 0 ? '' : `let ${Array.from({ length: emitter.temps }, (_, i) => `t${i}`).join(', ')};\n`;
  const hoisted = emitter.hoistCode.length === 0 ? '' : `const ${emitter.hoistCode.join(', ')};\n`;
  // If Object.prototype has gained any key this rule reads (prototype pollution), every read
  // would need hasOwnProperty: run the closure version, which always checks.
  const keyConstants = [...emitter.keys.values()];
  const guard = keyConstants.length === 0 ? '' : `if (${keyConstants.map((k) => `${k} in OP`).join(' || ')}) return slow(d);\n`;
  const source =
    `"use strict";\n` +
    names('k', 'K', emitter.constants.length) +
    names('f', 'F', emitter.fallbacks.length) +
    `return function dealflowRule(d) {\ntry {\n${guard}${temps}${hoisted}return ${root.code};\n} catch (e) { throw E(e); }\n};`;
  const factory = new Function('K', 'F', 'h', 'truthy', 'inOp', 'gp', 'OP', 'slow', 'rp', 'E', source) as (
    K: unknown[],
    F: RuleFn[],
    h: typeof hasOwn,
    t: typeof truthy,
    i: typeof inOp,
    gp: typeof Object.getPrototypeOf,
    OP: object,
    slow: RuleFn,
    rp: typeof readPath,
    E: typeof toRuleError,
  ) => RuleFn;
  const slow = keyConstants.length === 0 ? () => undefined : compileValidated(ctx, rule);
  return factory(emitter.constants, emitter.fallbacks, hasOwn, truthy, inOp, Object.getPrototypeOf, Object.prototype, slow, readPath, toRuleError);
}
