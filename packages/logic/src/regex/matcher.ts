import { type CharSet, type RegexNode, parseRegex } from './parse.js';

/**
 * A linear-time matcher for the `matches` pattern language: the pattern becomes a Thompson NFA
 * (a program of CHAR / SET / ANY / SPLIT / JMP / MATCH instructions) and the input is run
 * through all of its states at once, one character at a time. Each character visits every
 * instruction at most once, so a test costs O(input length × program size) whatever the
 * pattern — there is no backtracking to blow up. Counted repetitions are expanded, so the
 * program size (not the pattern length) is what {@link MAX_PROGRAM_SIZE} bounds.
 */

/** Flags `matches` accepts: case-insensitive, dot-all, unicode. */
export const ALLOWED_REGEX_FLAGS = /^[isu]*$/;

const CHAR = 0;
const SET = 1;
const ANY = 2; // any character but a line terminator
const ANY_ALL = 3; // any character (flag s)
const SPLIT = 4;
const JMP = 5;
const MATCH = 6;

/** Most instructions one compiled pattern may have (after expanding `{n,m}`). */
export const MAX_PROGRAM_SIZE = 10_000;
/**
 * Most (input length × program size) one test may cost; a compiled pattern derives its longest
 * input from it (and from `limits.maxInputLength`).
 */
export const MATCH_WORK_BUDGET = 20_000_000;

/** A compiled pattern: `test` answers whether the whole string matches. */
export interface SafeRegex {
  /** Whole-string match (the pattern is anchored at both ends). */
  test(input: string): boolean;
  /** Number of NFA instructions. */
  readonly size: number;
  /** Longest input `test` accepts within {@link MATCH_WORK_BUDGET}. */
  readonly maxInput: number;
}

/** Why a pattern was refused: outside the subset, or too big once expanded. */
export class RegexRefused extends Error {
  constructor(
    message: string,
    readonly kind: 'syntax' | 'size',
  ) {
    super(message);
  }
}

class Program {
  op: number[] = [];
  a: number[] = [];
  b: number[] = [];
  sets: CharSet[] = [];
  emit(op: number, a = 0, b = 0): number {
    if (this.op.length >= MAX_PROGRAM_SIZE) {
      throw new RegexRefused(`the pattern expands to more than ${MAX_PROGRAM_SIZE} matcher states`, 'size');
    }
    this.op.push(op);
    this.a.push(a);
    this.b.push(b);
    return this.op.length - 1;
  }
}

/** Size in instructions `node` will emit (saturating), checked before emitting anything. */
function sizeOf(node: RegexNode): number {
  const cap = MAX_PROGRAM_SIZE + 1;
  switch (node.t) {
    case 'empty':
      return 0;
    case 'char':
    case 'set':
    case 'any':
      return 1;
    case 'cat':
      return Math.min(cap, node.xs.reduce((s, x) => s + sizeOf(x), 0));
    case 'alt':
      return Math.min(cap, node.xs.reduce((s, x) => s + sizeOf(x) + 2, 0));
    case 'rep': {
      const inner = sizeOf(node.x) + 2;
      const copies = node.max === Infinity ? node.min + 1 : node.max;
      return Math.min(cap, inner * Math.max(copies, 1));
    }
  }
}

function emit(p: Program, node: RegexNode, flags: { dotAll: boolean; ignoreCase: boolean }): void {
  switch (node.t) {
    case 'empty':
      return;
    case 'char':
      if (flags.ignoreCase) {
        const variants = caseVariants(node.c);
        if (variants.length > 1) {
          p.sets.push({ ranges: variants.sort((x, y) => x - y).flatMap((v) => [v, v]), negated: false });
          p.emit(SET, p.sets.length - 1);
          return;
        }
      }
      p.emit(CHAR, node.c);
      return;
    case 'set':
      p.sets.push(node.set);
      p.emit(SET, p.sets.length - 1);
      return;
    case 'any':
      p.emit(flags.dotAll ? ANY_ALL : ANY);
      return;
    case 'cat':
      for (const x of node.xs) emit(p, x, flags);
      return;
    case 'alt': {
      // SPLIT L1, next; L1: x0; JMP end; next: SPLIT L2, … ; last branch; end:
      const jumps: number[] = [];
      for (let i = 0; i < node.xs.length; i++) {
        const last = i === node.xs.length - 1;
        const split = last ? -1 : p.emit(SPLIT);
        if (split >= 0) p.a[split] = split + 1;
        emit(p, node.xs[i] as RegexNode, flags);
        if (!last) {
          jumps.push(p.emit(JMP));
          p.b[split] = p.op.length;
        }
      }
      for (const j of jumps) p.a[j] = p.op.length;
      return;
    }
    case 'rep': {
      const { x, min, max } = node;
      for (let i = 0; i < min; i++) emit(p, x, flags);
      if (max === Infinity) {
        // L: SPLIT body, out; body; JMP L; out:
        const split = p.emit(SPLIT);
        p.a[split] = split + 1;
        emit(p, x, flags);
        p.emit(JMP, split);
        p.b[split] = p.op.length;
        return;
      }
      // each optional copy: SPLIT body, out; body   (all outs point past the last copy)
      const splits: number[] = [];
      for (let i = min; i < max; i++) {
        const split = p.emit(SPLIT);
        p.a[split] = split + 1;
        splits.push(split);
        emit(p, x, flags);
      }
      for (const s of splits) p.b[s] = p.op.length;
      return;
    }
  }
}

/** The simple upper- and lower-case forms of a character (itself included). */
function caseVariants(c: number): number[] {
  const s = String.fromCodePoint(c);
  const out = new Set<number>([c]);
  for (const v of [s.toLowerCase(), s.toUpperCase()]) {
    const cp = v.codePointAt(0) as number;
    // one character only, and never a non-ASCII letter folding onto ASCII (as JavaScript does)
    if (v.length === String.fromCodePoint(cp).length && !(c > 127 && cp <= 127)) out.add(cp);
  }
  return [...out];
}

/** True when `c` lies in one of the (sorted) ranges. */
function inRanges(r: readonly number[], c: number): boolean {
  for (let i = 0; i < r.length; i += 2) {
    if (c < (r[i] as number)) return false;
    if (c <= (r[i + 1] as number)) return true;
  }
  return false;
}

const isLineTerminator = (c: number): boolean => c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;

/**
 * Compiles a `matches` pattern (flags `i`, `s`, `u`) into a linear-time whole-string matcher.
 * Throws {@link RegexRefused} for a pattern outside the subset or too big.
 *
 * @example
 * ```ts
 * compileSafeRegex('(a{1,16})*', '').test('a'.repeat(40) + '!') // false, in microseconds
 * ```
 */
export function compileSafeRegex(pattern: string, flags: string, maxInputLength: number): SafeRegex {
  const unicode = flags.includes('u');
  const ignoreCase = flags.includes('i');
  let tree: RegexNode;
  try {
    tree = parseRegex(pattern, unicode);
  } catch (e) {
    throw new RegexRefused(`${(e as Error).message} (at offset ${(e as { offset?: number }).offset ?? 0})`, 'syntax');
  }
  if (sizeOf(tree) > MAX_PROGRAM_SIZE) {
    throw new RegexRefused(`the pattern expands to more than ${MAX_PROGRAM_SIZE} matcher states`, 'size');
  }
  const p = new Program();
  emit(p, tree, { dotAll: flags.includes('s'), ignoreCase });
  p.emit(MATCH);
  const size = p.op.length;
  const op = Int32Array.from(p.op);
  const A = Int32Array.from(p.a);
  const B = Int32Array.from(p.b);
  const sets = p.sets;
  // A class matches when one of its members has the character's case form (as in JavaScript):
  // the character's case variants are looked up before the class's negation is applied.
  const setHas = ignoreCase
    ? (set: CharSet, c: number): boolean =>
        (inRanges(set.ranges, c) || caseVariants(c).some((v) => v !== c && inRanges(set.ranges, v))) !== set.negated
    : (set: CharSet, c: number): boolean => inRanges(set.ranges, c) !== set.negated;

  let current = new Int32Array(size);
  let next = new Int32Array(size);
  const mark = new Int32Array(size);
  const stack = new Int32Array(size);
  let generation = 0;

  /** Adds `pc` and everything reachable from it without input to `list`; returns the new count. */
  const add = (list: Int32Array, count: number, pc: number): number => {
    let sp = 0;
    stack[sp++] = pc;
    while (sp > 0) {
      const at = stack[--sp] as number;
      if (mark[at] === generation) continue;
      mark[at] = generation;
      const o = op[at] as number;
      if (o === JMP) stack[sp++] = A[at] as number;
      else if (o === SPLIT) {
        stack[sp++] = B[at] as number; // pushed first, so the preferred branch is explored first
        stack[sp++] = A[at] as number;
      } else list[count++] = at;
    }
    return count;
  };

  const maxInput = Math.max(1, Math.min(maxInputLength, Math.floor(MATCH_WORK_BUDGET / size)));

  const test = (input: string): boolean => {
    generation++;
    let count = add(current, 0, 0);
    for (let i = 0; i < input.length && count > 0; ) {
      const c = unicode ? (input.codePointAt(i) as number) : input.charCodeAt(i);
      i += unicode && c > 0xffff ? 2 : 1;
      generation++;
      let nextCount = 0;
      for (let k = 0; k < count; k++) {
        const pc = current[k] as number;
        const o = op[pc] as number;
        let ok: boolean;
        if (o === CHAR) ok = A[pc] === c;
        else if (o === SET) ok = setHas(sets[A[pc] as number] as CharSet, c);
        else if (o === ANY) ok = !isLineTerminator(c);
        else ok = o === ANY_ALL;
        if (ok) nextCount = add(next, nextCount, pc + 1);
      }
      const swap = current;
      current = next;
      next = swap;
      count = nextCount;
    }
    for (let k = 0; k < count; k++) if (op[current[k] as number] === MATCH) return true;
    return false;
  };
  // generation wraps only after 2^31 calls; reset the marks then
  const guarded = (input: string): boolean => {
    if (generation > 0x3fffffff - input.length - 2) {
      generation = 0;
      mark.fill(0);
    }
    return test(input);
  };
  return { test: guarded, size, maxInput };
}

