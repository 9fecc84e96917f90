import { DealflowError } from '@dealflow/logic';
import type { Problem } from '@dealflow/logic';

/**
 * Limits on what callers hand the engine: ids, field values, event data, queries, blueprints.
 * Each protects the store and every later call on a record from one hostile or broken input
 * (a 5 MB field makes every later send on that record slow; a 10 000-deep value overflows the
 * stack of whoever walks it; a lone surrogate changes an id on its way through SQLite).
 */
export interface InputLimits {
  /** Longest id (record, tenant, actor, idempotency key) in UTF-16 code units (default 256). */
  maxIdLength: number;
  /** Most fields one create or send may set (default 200). */
  maxFields: number;
  /** Largest JSON size of one field value, in UTF-16 code units (default 64 KiB). */
  maxValueSize: number;
  /** Largest JSON size of all field values plus event data of one call (default 1 MiB). */
  maxInputSize: number;
  /** Deepest nesting of a field value or event data (default 32). */
  maxDepth: number;
  /** Largest `limit` of a query (default 10 000). */
  maxQueryLimit: number;
}

/**
 * The default input limits: generous for real CRM data, small enough that one call cannot slow
 * down or break later ones.
 *
 * @example
 * ```ts
 * createEngine({ storage, blueprints, limits: { ...DEFAULT_INPUT_LIMITS, maxValueSize: 16_384 } })
 * ```
 */
export const DEFAULT_INPUT_LIMITS: Readonly<InputLimits> = Object.freeze({
  maxIdLength: 256,
  maxFields: 200,
  maxValueSize: 65_536,
  maxInputSize: 1_048_576,
  maxDepth: 32,
  maxQueryLimit: 10_000,
});

/**
 * Resolves partial limits over the defaults; a limit that is not a positive integer is
 * `INPUT_INVALID`.
 *
 * @example
 * ```ts
 * resolveInputLimits({ maxDepth: 8 }).maxIdLength // 256
 * ```
 */
export function resolveInputLimits(limits: Partial<InputLimits> | undefined): InputLimits {
  const out: InputLimits = { ...DEFAULT_INPUT_LIMITS };
  for (const [key, value] of Object.entries(limits ?? {})) {
    if (!Object.prototype.hasOwnProperty.call(DEFAULT_INPUT_LIMITS, key)) {
      throw new DealflowError('INPUT_INVALID', `unknown input limit '${key}'`, { problems: [{ path: `$.limits.${key}`, message: 'unknown limit' }] });
    }
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new DealflowError('INPUT_INVALID', `input limit '${key}' must be a positive integer`, {
        problems: [{ path: `$.limits.${key}`, message: 'must be a positive integer', value }],
      });
    }
    out[key as keyof InputLimits] = value;
  }
  return out;
}

/** Names that are never field names or data keys: `__proto__`, `constructor`, `prototype`, `Object.prototype`'s. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype', ...Object.getOwnPropertyNames(Object.prototype)]);

const hasOwn = Object.prototype.hasOwnProperty;

/** True when `key` is an own property of `obj` (never one reached through its prototype). */
export function ownHas(obj: object, key: string): boolean {
  return hasOwn.call(obj, key);
}

/** The own value of `key`, or `undefined` (never an inherited one). */
export function ownGet<T = unknown>(obj: object | null | undefined, key: string): T | undefined {
  return obj != null && hasOwn.call(obj, key) ? ((obj as Record<string, unknown>)[key] as T) : undefined;
}

/** `INPUT_LIMIT` or `INPUT_INVALID` naming what and where. */
function refuse(code: 'INPUT_INVALID' | 'INPUT_LIMIT', path: string, message: string, value?: unknown): never {
  const problem: Problem = { path, message, ...(value === undefined ? {} : { value }) };
  throw new DealflowError(code, `${path}: ${message}`, { problems: [problem], details: { path } });
}

/** A string with no lone surrogates (it survives UTF-8 storage unchanged). */
export function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

/**
 * Checks an id (record, tenant, actor, idempotency key): a non-empty, well-formed string without
 * NUL or other control characters, at most `maxIdLength` long. `INPUT_INVALID` / `INPUT_LIMIT`.
 *
 * @example
 * ```ts
 * checkId('a\ud800', '$.recordId', limits) // throws INPUT_INVALID (lone surrogate)
 * ```
 */
export function checkId(id: unknown, path: string, limits: InputLimits): string {
  if (typeof id !== 'string' || id === '') refuse('INPUT_INVALID', path, 'must be a non-empty string');
  if (id.length > limits.maxIdLength) refuse('INPUT_LIMIT', path, `is ${id.length} characters, more than ${limits.maxIdLength} (limits.maxIdLength)`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(id)) refuse('INPUT_INVALID', path, 'must not contain NUL or other control characters');
  if (!isWellFormed(id)) refuse('INPUT_INVALID', path, 'contains a lone surrogate (not well-formed UTF-16)');
  return id;
}

/**
 * Checks one JSON-like value (a field value, event data): only null, booleans, finite numbers,
 * well-formed strings without NUL, arrays and plain objects (a `Date` is allowed as a leaf); no
 * cycles, no prototype names as keys, at most `maxDepth` deep. Returns its JSON size (UTF-16
 * code units), checked against `maxSize`. Iterative: a value nested 10 000 deep is refused, not a
 * stack overflow.
 */
export function checkValue(value: unknown, path: string, limits: InputLimits, maxSize: number): number {
  let size = 0;
  const seen = new Set<object>();
  const stack: Array<{ v: unknown; path: string; depth: number }> = [{ v: value, path, depth: 0 }];
  while (stack.length > 0) {
    const { v, path: p, depth } = stack.pop() as { v: unknown; path: string; depth: number };
    switch (typeof v) {
      case 'undefined':
        size += 4;
        break;
      case 'boolean':
        size += 5;
        break;
      case 'number':
        if (!Number.isFinite(v)) refuse('INPUT_INVALID', p, `${String(v)} is not a JSON number`);
        size += 12;
        break;
      case 'string':
        if (v.includes('\u0000')) refuse('INPUT_INVALID', p, 'must not contain NUL characters');
        if (!isWellFormed(v)) refuse('INPUT_INVALID', p, 'contains a lone surrogate (not well-formed UTF-16)');
        size += v.length + 2;
        break;
      case 'object': {
        if (v === null) {
          size += 4;
          break;
        }
        if (v instanceof Date) {
          if (Number.isNaN(v.getTime())) refuse('INPUT_INVALID', p, 'is an invalid Date');
          size += 26;
          break;
        }
        if (depth >= limits.maxDepth) refuse('INPUT_LIMIT', p, `is nested deeper than ${limits.maxDepth} levels (limits.maxDepth)`);
        if (seen.has(v)) refuse('INPUT_INVALID', p, 'is cyclic');
        seen.add(v);
        if (Array.isArray(v)) {
          size += 2 + v.length;
          for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: `${p}[${i}]`, depth: depth + 1 });
        } else {
          const proto = Object.getPrototypeOf(v) as unknown;
          if (proto !== Object.prototype && proto !== null) refuse('INPUT_INVALID', p, 'must be a plain object, array or JSON value');
          size += 2;
          for (const key of Object.keys(v)) {
            if (FORBIDDEN_KEYS.has(key)) refuse('INPUT_INVALID', `${p}.${key}`, `'${key}' is a prototype name, never a data key`);
            if (!isWellFormed(key) || key.includes('\u0000')) refuse('INPUT_INVALID', p, 'has a key that is not well-formed text');
            size += key.length + 4;
            stack.push({ v: (v as Record<string, unknown>)[key], path: `${p}.${key}`, depth: depth + 1 });
          }
        }
        break;
      }
      default:
        // bigint, symbol, function
        refuse('INPUT_INVALID', p, `a ${typeof v} is not a JSON value`);
    }
    if (size > maxSize) refuse('INPUT_LIMIT', path, `is larger than ${maxSize} characters as JSON`);
  }
  return size;
}

/**
 * Checks the field values of a create or send: a plain object of at most `maxFields` own keys,
 * none a prototype name, each value within `maxValueSize`; returns their total JSON size.
 *
 * @example
 * ```ts
 * checkFields(JSON.parse('{"__proto__":{"amount":5}}'), '$.fields', DEFAULT_INPUT_LIMITS) // throws INPUT_INVALID
 * ```
 */
export function checkFields(fields: unknown, path: string, limits: InputLimits): number {
  if (fields === undefined) return 0;
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) refuse('INPUT_INVALID', path, 'must be an object of field values');
  const proto = Object.getPrototypeOf(fields) as unknown;
  if (proto !== Object.prototype && proto !== null) refuse('INPUT_INVALID', path, 'must be a plain object');
  const keys = Object.keys(fields);
  if (keys.length > limits.maxFields) refuse('INPUT_LIMIT', path, `sets ${keys.length} fields, more than ${limits.maxFields} (limits.maxFields)`);
  let total = 0;
  for (const key of keys) {
    if (FORBIDDEN_KEYS.has(key)) refuse('INPUT_INVALID', `${path}.${key}`, `'${key}' is a prototype name, never a field`);
    total += checkValue((fields as Record<string, unknown>)[key], `${path}.${key}`, limits, limits.maxValueSize);
  }
  return total;
}

/** Checks the field values and the event data of one call together against `maxInputSize`. */
export function checkCallInput(input: { fields?: unknown; data?: unknown }, limits: InputLimits): void {
  let total = checkFields(input.fields, '$.fields', limits);
  if (input.data !== undefined) {
    if (typeof input.data !== 'object' || input.data === null || Array.isArray(input.data)) refuse('INPUT_INVALID', '$.data', 'must be an object');
    total += checkValue(input.data, '$.data', limits, limits.maxInputSize);
  }
  if (total > limits.maxInputSize) refuse('INPUT_LIMIT', '$', `fields and data are larger than ${limits.maxInputSize} characters as JSON (limits.maxInputSize)`);
}
