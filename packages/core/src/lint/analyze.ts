import { truthy } from '@dealflow/logic';
import type { FieldSpec } from '../blueprint/schema.js';
import type { CoreRuleEngine } from '../rules.js';

/**
 * Static analysis of JSON-logic conditions against declared field types. Everything here is
 * sound but incomplete: `always`/`never` are only claimed when they hold for every value a field
 * of its declared type can have (including unset, which rules read as `null`); otherwise `unknown`.
 */

/** What can be said of a condition without data. */
export type Verdict = 'always' | 'never' | 'unknown';

type Prim = string | number | boolean | null;

/** A numeric interval a field is constrained to. */
interface Range {
  lo: number;
  loIncl: boolean;
  hi: number;
  hiIncl: boolean;
}

/** One atomic constraint on one field. */
export type Atom =
  | { field: string; kind: 'range'; range: Range }
  | { field: string; kind: 'in'; values: Prim[] }
  | { field: string; kind: 'notIn'; values: Prim[] };

const COMPARE = new Set(['==', '===', '!=', '!==', '<', '<=', '>', '>=']);
const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function isPrim(v: unknown): v is Prim {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** The field a `var` reads (`fields.x` or `record.fields.x`), else undefined. */
export function fieldOfVar(node: unknown): string | undefined {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
  const keys = Object.keys(node);
  if (keys.length !== 1 || keys[0] !== 'var') return undefined;
  let arg = (node as { var: unknown }).var;
  if (Array.isArray(arg)) {
    if (arg.length !== 1) return undefined; // a default value changes what unset reads as
    arg = arg[0];
  }
  if (typeof arg !== 'string') return undefined;
  const path = arg.startsWith('record.fields.') ? arg.slice('record.'.length) : arg;
  const m = /^fields\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(path);
  return m?.[1];
}

function opOf(rule: unknown): { op: string; args: unknown[] } | undefined {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) return undefined;
  const keys = Object.keys(rule);
  if (keys.length !== 1) return undefined;
  const op = keys[0]!;
  const raw = (rule as Record<string, unknown>)[op];
  return { op, args: Array.isArray(raw) ? raw : [raw] };
}

const FULL: Range = { lo: -Infinity, loIncl: false, hi: Infinity, hiIncl: false };

function rangeOf(op: string, c: number): Range {
  switch (op) {
    case '<':
      return { ...FULL, hi: c, hiIncl: false };
    case '<=':
      return { ...FULL, hi: c, hiIncl: true };
    case '>':
      return { ...FULL, lo: c, loIncl: false };
    default:
      return { ...FULL, lo: c, loIncl: true };
  }
}

function intersect(a: Range, b: Range): Range {
  const lo = a.lo > b.lo ? a : b.lo > a.lo ? b : { lo: a.lo, loIncl: a.loIncl && b.loIncl };
  const hi = a.hi < b.hi ? a : b.hi < a.hi ? b : { hi: a.hi, hiIncl: a.hiIncl && b.hiIncl };
  return { lo: lo.lo, loIncl: lo.loIncl, hi: hi.hi, hiIncl: hi.hiIncl };
}

function emptyRange(r: Range): boolean {
  return r.lo > r.hi || (r.lo === r.hi && !(r.loIncl && r.hiIncl));
}

function within(inner: Range, outer: Range): boolean {
  const loOk = inner.lo > outer.lo || (inner.lo === outer.lo && (outer.loIncl || !inner.loIncl));
  const hiOk = inner.hi < outer.hi || (inner.hi === outer.hi && (outer.hiIncl || !inner.hiIncl));
  return loOk && hiOk;
}

function inRange(v: number, r: Range): boolean {
  return (v > r.lo || (r.loIncl && v === r.lo)) && (v < r.hi || (r.hiIncl && v === r.hi));
}

/**
 * Reads a comparison of one field with constants as atoms (the field on either side; the
 * three-argument "between" form of `<`/`<=`; `in` with a constant list; `!` of an equality).
 */
export function atomsOf(rule: unknown, fields?: Readonly<Record<string, FieldSpec>>): Atom[] | undefined {
  const o = opOf(rule);
  if (!o) return undefined;
  const { op, args } = o;
  if (op === '!' && args.length === 1) {
    const inner = atomsOf(args[0], fields);
    if (inner?.length === 1 && inner[0]!.kind === 'in') return [{ field: inner[0]!.field, kind: 'notIn', values: inner[0]!.values }];
    return undefined;
  }
  if (op === 'in' && args.length === 2) {
    const field = fieldOfVar(args[0]);
    const list = args[1];
    if (field && Array.isArray(list) && list.every(isPrim)) return [{ field, kind: 'in', values: list }];
    return undefined;
  }
  if ((op === '<' || op === '<=') && args.length === 3) {
    const field = fieldOfVar(args[1]);
    const [a, , b] = args;
    if (field && typeof a === 'number' && typeof b === 'number') {
      return [{ field, kind: 'range', range: intersect(rangeOf(op === '<' ? '>' : '>=', a), rangeOf(op, b)) }];
    }
    return undefined;
  }
  if (!COMPARE.has(op) || args.length !== 2) return undefined;
  let field = fieldOfVar(args[0]);
  let raw = args[1];
  let cmp = op;
  if (!field) {
    field = fieldOfVar(args[1]);
    raw = args[0];
    cmp = FLIP[op] ?? op;
  }
  if (!field || !isPrim(raw)) return undefined;
  let c: Prim = raw;
  if (cmp === '==' || cmp === '!=') {
    // loose equality: only where it is exact for the field's type
    const numeric = fields?.[field]?.type === 'number' || fields?.[field]?.type === 'money';
    if (typeof c === 'string' && c.trim() !== '' && !Number.isNaN(Number(c))) {
      if (!numeric) return undefined;
      c = Number(c);
    } else if (typeof c === 'number') {
      if (!numeric) return undefined;
    } else if (typeof c === 'boolean' || (typeof c === 'string' && c.trim() === '')) return undefined;
  }
  if (cmp === '==' || cmp === '===') return [{ field, kind: 'in', values: [c] }];
  if (cmp === '!=' || cmp === '!==') return [{ field, kind: 'notIn', values: [c] }];
  if (typeof c === 'number') return [{ field, kind: 'range', range: rangeOf(cmp, c) }];
  return undefined;
}

/** The values a field of this type can hold when the domain is finite (unset reads as null). */
function finiteDomain(spec: FieldSpec | undefined): Prim[] | undefined {
  if (!spec) return undefined;
  if (spec.type === 'boolean') return [true, false, null];
  if (spec.type === 'enum' && spec.values) return [...spec.values, null];
  return undefined;
}

/** What one comparison of a field with a constant can be, given the field's type. */
function typeVerdict(rule: unknown, fields: Readonly<Record<string, FieldSpec>>): { verdict: Verdict; why?: string } {
  const o = opOf(rule);
  if (!o || !COMPARE.has(o.op) || o.args.length !== 2) return { verdict: 'unknown' };
  let field = fieldOfVar(o.args[0]);
  let c = o.args[1];
  if (!field) {
    field = fieldOfVar(o.args[1]);
    c = o.args[0];
  }
  if (!field || !isPrim(c) || c === null) return { verdict: 'unknown' };
  const spec = fields[field];
  if (!spec) return { verdict: 'unknown' };
  const numeric = spec.type === 'number' || spec.type === 'money';
  const textual = spec.type === 'string' || spec.type === 'enum' || spec.type === 'date';
  const strict = o.op === '===' || o.op === '!==';
  const negated = o.op === '!=' || o.op === '!==';
  const describe = `field '${field}' is of type '${spec.type}' but is compared with ${JSON.stringify(c)} (${typeof c})`;
  if (o.op === '==' || o.op === '===' || negated) {
    let mismatch = false;
    if (numeric) mismatch = strict ? typeof c !== 'number' : typeof c === 'string' && (c.trim() === '' || Number.isNaN(Number(c)));
    if (textual) mismatch = strict ? typeof c !== 'string' : typeof c === 'boolean';
    if (spec.type === 'boolean') mismatch = strict && typeof c !== 'boolean';
    if (mismatch) return { verdict: negated ? 'always' : 'never', why: describe };
    return { verdict: 'unknown' };
  }
  // ordering: a number field against a non-numeric string is NaN, so false for every value
  if (numeric && typeof c === 'string' && (c.trim() === '' || Number.isNaN(Number(c)))) return { verdict: 'never', why: describe };
  return { verdict: 'unknown' };
}

/** Result of {@link analyzeCondition}. */
export interface ConditionAnalysis {
  /** `always` (true on every data), `never` (true on none), or `unknown` (depends on the data, or cannot tell). */
  verdict: Verdict;
  /** Why, when the verdict is not `unknown`. */
  why?: string;
}

/**
 * Whether a condition is always true, never true, or depends on data, given the declared fields.
 * Uses: constant rules; `and`/`or`/`!`; comparisons of a field with a constant of another type;
 * contradictory ranges or equalities on one field inside an `and`; and, for rules that read only
 * enum and boolean fields, exhaustive evaluation over every combination of their values.
 *
 * @example
 * ```ts
 * analyzeCondition({ and: [{ '>': [{ var: 'fields.amount' }, 100] }, { '<': [{ var: 'fields.amount' }, 50] }] }, { amount: { type: 'number' } })
 * // { verdict: 'never', why: "the conditions on field 'amount' ask for an empty range of values" }
 * ```
 */
export function analyzeCondition(rule: unknown, fields: Readonly<Record<string, FieldSpec>>, engine?: CoreRuleEngine): ConditionAnalysis {
  const enumerated = engine ? enumerate(rule, fields, engine) : undefined;
  if (enumerated) return enumerated;
  return structural(rule, fields);
}

function structural(rule: unknown, fields: Readonly<Record<string, FieldSpec>>): ConditionAnalysis {
  if (isPrim(rule) || Array.isArray(rule)) {
    const t = truthy(rule);
    return { verdict: t ? 'always' : 'never', why: `the condition is the constant ${JSON.stringify(rule)}` };
  }
  const o = opOf(rule);
  if (!o) return { verdict: 'unknown' };
  if (o.op === '!' && o.args.length === 1) {
    const inner = structural(o.args[0], fields);
    if (inner.verdict === 'unknown') return inner;
    return { verdict: inner.verdict === 'always' ? 'never' : 'always', why: `negation: ${inner.why}` };
  }
  if (o.op === 'and') {
    const parts = o.args.map((a) => structural(a, fields));
    const never = parts.find((p) => p.verdict === 'never');
    if (never) return never;
    const contradiction = contradictory(o.args, fields);
    if (contradiction) return { verdict: 'never', why: contradiction };
    if (parts.length > 0 && parts.every((p) => p.verdict === 'always')) return { verdict: 'always', why: 'every part is always true' };
    return { verdict: 'unknown' };
  }
  if (o.op === 'or') {
    const parts = o.args.map((a) => structural(a, fields));
    const always = parts.find((p) => p.verdict === 'always');
    if (always) return always;
    if (parts.length > 0 && parts.every((p) => p.verdict === 'never')) return { verdict: 'never', why: parts.map((p) => p.why).join('; ') };
    return { verdict: 'unknown' };
  }
  return typeVerdict(rule, fields);
}

/** Why the atoms of an `and` cannot hold together, or undefined. */
function contradictory(args: unknown[], fields: Readonly<Record<string, FieldSpec>>): string | undefined {
  const atoms = args.flatMap((a) => atomsOf(a, fields) ?? []);
  const byField = new Map<string, Atom[]>();
  for (const a of atoms) byField.set(a.field, [...(byField.get(a.field) ?? []), a]);
  for (const [field, list] of byField) {
    let range = FULL;
    let allowed: Prim[] | undefined;
    const excluded: Prim[] = [];
    for (const a of list) {
      if (a.kind === 'range') range = intersect(range, a.range);
      else if (a.kind === 'in') allowed = allowed === undefined ? [...a.values] : allowed.filter((v) => a.values.includes(v));
      else excluded.push(...a.values);
    }
    // A range compares with the field coerced to a number; an unset field reads as null (0).
    if (emptyRange(range)) return `the conditions on field '${field}' ask for an empty range of values`;
    if (allowed !== undefined) {
      const left = allowed.filter((v) => !excluded.includes(v) && (range === FULL || inRange(Number(v), range)));
      if (left.length === 0) return `the conditions on field '${field}' allow no value (${JSON.stringify(list.map(atomText))})`;
    }
  }
  return undefined;
}

function atomText(a: Atom): string {
  if (a.kind === 'range') return `${a.range.loIncl ? '[' : '('}${a.range.lo}, ${a.range.hi}${a.range.hiIncl ? ']' : ')'}`;
  return `${a.kind === 'in' ? '∈' : '∉'} ${JSON.stringify(a.values)}`;
}

const MAX_COMBINATIONS = 4096;

/** Exhaustive check for rules reading only enum/boolean fields (finite domains). */
function enumerate(rule: unknown, fields: Readonly<Record<string, FieldSpec>>, engine: CoreRuleEngine): ConditionAnalysis | undefined {
  let vars: string[];
  try {
    vars = engine.varsOf(rule);
  } catch {
    return undefined;
  }
  if (vars.length === 0) return undefined;
  const names: string[] = [];
  const domains: Prim[][] = [];
  for (const v of vars) {
    const m = /^(?:record\.)?fields\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(v);
    const d = m ? finiteDomain(fields[m[1]!]) : undefined;
    if (!m || !d) return undefined;
    if (!names.includes(m[1]!)) {
      names.push(m[1]!);
      domains.push(d);
    }
  }
  const total = domains.reduce((n, d) => n * d.length, 1);
  if (total > MAX_COMBINATIONS) return undefined;
  let fn;
  try {
    fn = engine.compile(rule);
  } catch {
    return undefined;
  }
  let seenTrue = false;
  let seenFalse = false;
  for (let i = 0; i < total; i++) {
    const values: Record<string, unknown> = {};
    let k = i;
    names.forEach((n, j) => {
      const d = domains[j]!;
      const v = d[k % d.length];
      k = Math.floor(k / d.length);
      if (v !== null) values[n] = v;
    });
    let out: unknown;
    try {
      out = fn({ fields: values, record: { fields: values } });
    } catch {
      return undefined;
    }
    if (truthy(out)) seenTrue = true;
    else seenFalse = true;
    if (seenTrue && seenFalse) return { verdict: 'unknown' };
  }
  const list = names.map((n) => `'${n}'`).join(', ');
  return seenTrue
    ? { verdict: 'always', why: `it is true for every value of ${list} (including unset)` }
    : { verdict: 'never', why: `it is false for every value of ${list} (including unset)` };
}

/**
 * The condition as a disjunction of conjunctions of atoms, when it has that shape
 * (`and` of atoms, `or` of those, one atom); `true`/absent = one empty conjunction.
 */
export function normalForm(rule: unknown, fields?: Readonly<Record<string, FieldSpec>>): Atom[][] | undefined {
  if (rule === undefined || rule === true) return [[]];
  const o = opOf(rule);
  if (!o) return undefined;
  if (o.op === 'or') {
    const out: Atom[][] = [];
    for (const a of o.args) {
      const nf = normalForm(a, fields);
      if (!nf) return undefined;
      out.push(...nf);
    }
    return out;
  }
  if (o.op === 'and') {
    let conj: Atom[] = [];
    for (const a of o.args) {
      const nf = normalForm(a, fields);
      if (!nf || nf.length !== 1) return undefined;
      conj = [...conj, ...nf[0]!];
    }
    return [conj];
  }
  const atoms = atomsOf(rule, fields);
  return atoms ? [atoms] : undefined;
}

/** Whether every value satisfying atom list `a` satisfies atom `b` (same field). */
function atomImplied(a: Atom[], b: Atom): boolean {
  const same = a.filter((x) => x.field === b.field);
  if (same.length === 0) return false;
  if (b.kind === 'range') {
    let r = FULL;
    let vals: Prim[] | undefined;
    for (const x of same) {
      if (x.kind === 'range') r = intersect(r, x.range);
      if (x.kind === 'in') vals = vals === undefined ? [...x.values] : vals.filter((v) => x.values.includes(v));
    }
    if (vals !== undefined) return vals.every((v) => inRange(Number(v), b.range));
    return r !== FULL && within(r, b.range);
  }
  let vals: Prim[] | undefined;
  const excluded: Prim[] = [];
  for (const x of same) {
    if (x.kind === 'in') vals = vals === undefined ? [...x.values] : vals.filter((v) => x.values.includes(v));
    if (x.kind === 'notIn') excluded.push(...x.values);
  }
  if (b.kind === 'in') return vals !== undefined && vals.every((v) => b.values.includes(v));
  if (vals !== undefined) return vals.every((v) => !b.values.includes(v));
  return b.values.every((v) => excluded.includes(v));
}

/**
 * Whether condition `later` implies condition `earlier`: every record matching `later` also
 * matches `earlier`, so a rule with `later` placed after one with `earlier` never wins.
 * Decided only for conditions made of field comparisons with constants; else false.
 *
 * @example
 * ```ts
 * implies({ '>': [{ var: 'fields.amount' }, 1000] }, { '>': [{ var: 'fields.amount' }, 100] }) // true
 * implies({ '>': [{ var: 'fields.amount' }, 100] }, { '>': [{ var: 'fields.amount' }, 1000] }) // false
 * ```
 */
export function implies(later: unknown, earlier: unknown, fields?: Readonly<Record<string, FieldSpec>>): boolean {
  const l = normalForm(later, fields);
  const e = normalForm(earlier, fields);
  if (!l || !e) return false;
  // every disjunct of `later` must fall inside some disjunct of `earlier`
  return l.every((conj) => e.some((econj) => econj.every((atom) => atomImplied(conj, atom))));
}
