import { truthy } from '../engine/truthy.js';
import type { OperatorDefinition } from '../engine/types.js';

/**
 * Operators whose arguments are not all evaluated eagerly against the same data; the compiler
 * implements them itself. Arity bounds are what `validate` enforces.
 */
export const SPECIAL_FORMS: Readonly<Record<string, { minArgs: number; maxArgs: number }>> = {
  if: { minArgs: 0, maxArgs: Infinity },
  '?:': { minArgs: 0, maxArgs: Infinity },
  and: { minArgs: 1, maxArgs: Infinity },
  or: { minArgs: 1, maxArgs: Infinity },
  map: { minArgs: 2, maxArgs: 2 },
  filter: { minArgs: 2, maxArgs: 2 },
  reduce: { minArgs: 2, maxArgs: 3 },
  all: { minArgs: 2, maxArgs: 2 },
  some: { minArgs: 2, maxArgs: 2 },
  none: { minArgs: 2, maxArgs: 2 },
  var: { minArgs: 0, maxArgs: 2 },
  missing: { minArgs: 0, maxArgs: Infinity },
  missing_some: { minArgs: 2, maxArgs: 2 },
};

/* eslint-disable eqeqeq */
/**
 * The eager standard operators, written to give json-logic-js 2.x's results value for value
 * (including its coercions). The compiler specialises the hot ones.
 */
export const STANDARD_OPERATORS: Readonly<Record<string, OperatorDefinition>> = {
  '==': { minArgs: 2, maxArgs: 2, fn: (a, b) => a == b },
  '===': { minArgs: 2, maxArgs: 2, fn: (a, b) => a === b },
  '!=': { minArgs: 2, maxArgs: 2, fn: (a, b) => a != b },
  '!==': { minArgs: 2, maxArgs: 2, fn: (a, b) => a !== b },
  '>': { minArgs: 2, maxArgs: 2, fn: (a, b) => (a as number) > (b as number) },
  '>=': { minArgs: 2, maxArgs: 2, fn: (a, b) => (a as number) >= (b as number) },
  '<': {
    minArgs: 2,
    maxArgs: 3,
    fn: (a, b, c) =>
      c === undefined ? (a as number) < (b as number) : (a as number) < (b as number) && (b as number) < (c as number),
  },
  '<=': {
    minArgs: 2,
    maxArgs: 3,
    fn: (a, b, c) =>
      c === undefined
        ? (a as number) <= (b as number)
        : (a as number) <= (b as number) && (b as number) <= (c as number),
  },
  '!!': { minArgs: 1, maxArgs: 1, fn: (a) => truthy(a) },
  '!': { minArgs: 1, maxArgs: 1, fn: (a) => !truthy(a) },
  '%': { minArgs: 2, maxArgs: 2, fn: (a, b) => (a as number) % (b as number) },
  in: { minArgs: 2, maxArgs: 2, fn: (a, b) => inOp(a, b) },
  cat: { minArgs: 0, maxArgs: Infinity, fn: (...args) => args.join('') },
  substr: { minArgs: 2, maxArgs: 3, fn: (s, start, end) => substr(s, start, end) },
  '+': {
    minArgs: 0,
    maxArgs: Infinity,
    fn: (...args) => {
      let sum = 0;
      for (const a of args) sum = sum + parseFloat(a as string);
      return sum;
    },
  },
  '*': {
    minArgs: 1,
    maxArgs: Infinity,
    fn: (...args) => {
      // json-logic-js reduces without an initial value: one argument comes back unconverted.
      if (args.length === 1) return args[0];
      let product: number = args[0] as number;
      for (let i = 1; i < args.length; i++) {
        // parseFloat on the accumulator too, as json-logic-js does (it turns -0 into 0).
        product = parseFloat(product as unknown as string) * parseFloat(args[i] as string);
      }
      return product;
    },
  },
  '-': { minArgs: 1, maxArgs: 2, fn: (a, b) => (b === undefined ? -(a as number) : (a as number) - (b as number)) },
  '/': { minArgs: 2, maxArgs: 2, fn: (a, b) => (a as number) / (b as number) },
  min: { minArgs: 1, maxArgs: Infinity, fn: (...args) => Math.min(...(args as number[])) },
  max: { minArgs: 1, maxArgs: Infinity, fn: (...args) => Math.max(...(args as number[])) },
  merge: {
    minArgs: 0,
    maxArgs: Infinity,
    fn: (...args) => {
      let out: unknown[] = [];
      for (const a of args) out = out.concat(a);
      return out;
    },
  },
  log: {
    minArgs: 1,
    maxArgs: 1,
    fn: (a) => {
      console.log(a);
      return a;
    },
  },
};

/** `in`: substring of a string or strict member of an array; anything else is `false`. */
export function inOp(a: unknown, b: unknown): boolean {
  if (typeof b === 'string') return b !== '' && b.indexOf(a as string) !== -1;
  if (Array.isArray(b)) return b.indexOf(a) !== -1;
  return false;
}

/** `substr` with PHP-style negative length, as json-logic-js. */
export function substr(source: unknown, start: unknown, end: unknown): string {
  if ((end as number) < 0) {
    const temp = String(source).substr(start as number);
    return temp.substr(0, temp.length + (end as number));
  }
  return String(source).substr(start as number, end as number);
}
