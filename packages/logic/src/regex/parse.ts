/**
 * Parser of the `matches` pattern language: a documented subset of JavaScript regular
 * expressions that a linear-time matcher can run (see docs/rules.md, "Patterns").
 *
 * Accepted: literal characters; `.`; escapes `\d \D \w \W \s \S \t \n \r \f \v \0 \xHH \uHHHH`
 * (and `\u{H…}` with the `u` flag) and a backslash before any punctuation; classes `[…]` and
 * `[^…]` with ranges and those escapes; groups `(…)`, `(?:…)`, `(?<name>…)` (they only group:
 * `matches` answers true or false, so nothing is captured); alternation `|`; quantifiers `*`,
 * `+`, `?`, `{n}`, `{n,}`, `{n,m}` (n, m ≤ 1000), greedy or lazy; `^` as the first and `$` as the
 * last character (the match is anchored anyway). Everything else — back-references,
 * lookarounds, `\b`, `\p{…}`, a `{` that is not a quantifier — is refused with a message.
 */

/** A set of code points or code units as sorted, disjoint inclusive ranges `[lo0, hi0, lo1, hi1, …]`. */
export interface CharSet {
  ranges: number[];
  negated: boolean;
}

/** The syntax tree of a pattern. */
export type RegexNode =
  | { t: 'empty' }
  | { t: 'char'; c: number }
  | { t: 'set'; set: CharSet }
  | { t: 'any' }
  | { t: 'cat'; xs: RegexNode[] }
  | { t: 'alt'; xs: RegexNode[] }
  | { t: 'rep'; x: RegexNode; min: number; max: number };

/** A pattern outside the subset, with the offset where parsing stopped. */
export class RegexSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Largest `n`/`m` of a counted repetition. */
export const MAX_REPEAT_COUNT = 1000;
/** Deepest group nesting a pattern may have. */
export const MAX_GROUP_DEPTH = 50;

const DIGIT: number[] = [0x30, 0x39];
const WORD: number[] = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
const SPACE: number[] = [
  0x09, 0x0d, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f,
  0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff,
];
const MAX_CHAR = 0x10ffff;

/** Parses `pattern`; `unicode` (flag `u`) reads it by code points instead of UTF-16 code units. */
export function parseRegex(pattern: string, unicode: boolean): RegexNode {
  const chars: number[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < pattern.length; ) {
    const cp = unicode ? (pattern.codePointAt(i) as number) : pattern.charCodeAt(i);
    chars.push(cp);
    offsets.push(i);
    i += cp > 0xffff ? 2 : 1;
  }
  let pos = 0;
  const n = chars.length;
  const fail = (message: string, at = pos): never => {
    throw new RegexSyntaxError(message, offsets[at] ?? pattern.length);
  };
  const peek = (): number | undefined => chars[pos];
  const is = (ch: string): boolean => chars[pos] === ch.charCodeAt(0);

  const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
  const readInt = (): number | undefined => {
    if (!isDigit(peek())) return undefined;
    let v = 0;
    while (isDigit(peek())) {
      v = v * 10 + ((chars[pos] as number) - 0x30);
      if (v > MAX_REPEAT_COUNT) fail(`a repetition count may be at most ${MAX_REPEAT_COUNT}`);
      pos++;
    }
    return v;
  };
  const hex = (digits: number): number => {
    let v = 0;
    for (let k = 0; k < digits; k++) {
      const c = chars[pos];
      const d = c === undefined ? -1 : parseInt(String.fromCharCode(c), 16);
      if (Number.isNaN(d) || d < 0) fail(`expected ${digits} hex digits`);
      v = v * 16 + d;
      pos++;
    }
    return v;
  };

  /** An escape after `\` (pos is on the escaped character); a class set or one character. */
  const escape = (inClass: boolean): CharSet | number => {
    const c = chars[pos];
    if (c === undefined) return fail('the pattern ends with a lone backslash');
    const ch = String.fromCodePoint(c);
    pos++;
    switch (ch) {
      case 'd':
        return { ranges: DIGIT, negated: false };
      case 'D':
        return { ranges: DIGIT, negated: true };
      case 'w':
        return { ranges: WORD, negated: false };
      case 'W':
        return { ranges: WORD, negated: true };
      case 's':
        return { ranges: SPACE, negated: false };
      case 'S':
        return { ranges: SPACE, negated: true };
      case 't':
        return 0x09;
      case 'n':
        return 0x0a;
      case 'r':
        return 0x0d;
      case 'f':
        return 0x0c;
      case 'v':
        return 0x0b;
      case '0':
        if (isDigit(peek())) return fail('octal escapes are not supported', pos - 1);
        return 0;
      case 'x':
        return hex(2);
      case 'u':
        if (unicode && is('{')) {
          pos++;
          let v = 0;
          let digits = 0;
          while (!is('}')) {
            v = v * 16 + hex(1);
            digits++;
            if (v > MAX_CHAR) fail('\\u{…} is beyond U+10FFFF');
          }
          if (digits === 0) fail('\\u{} needs hex digits');
          pos++;
          return v;
        }
        return hex(4);
      default:
        break;
    }
    if (/[0-9]/.test(ch)) return fail('back-references are not supported (matches never backtracks)', pos - 1);
    if (ch === 'k') return fail('named back-references are not supported (matches never backtracks)', pos - 1);
    if (ch === 'b' || ch === 'B') return fail(inClass ? '[\\b] is not supported; write \\x08' : 'word boundaries (\\b, \\B) are not supported', pos - 1);
    if (/[A-Za-z]/.test(ch)) return fail(`the escape \\${ch} is not supported`, pos - 1);
    return c; // any escaped punctuation or other character stands for itself
  };

  const classBody = (): CharSet => {
    // pos is just after '['
    let negated = false;
    if (is('^')) {
      negated = true;
      pos++;
    }
    const ranges: Array<[number, number]> = [];
    let first = true;
    for (;;) {
      const c = peek();
      if (c === undefined) return fail('unterminated character class');
      if (c === 0x5d && !first) {
        pos++;
        break;
      }
      if (c === 0x5d) return fail('an empty class [] is not supported');
      first = false;
      const lo = atomInClass();
      if (is('-') && chars[pos + 1] !== undefined && chars[pos + 1] !== 0x5d) {
        pos++;
        const hi = atomInClass();
        if (typeof lo !== 'number' || typeof hi !== 'number') return fail('a class range needs single characters at both ends');
        if (hi < lo) return fail('a class range is out of order');
        ranges.push([lo, hi]);
      } else if (typeof lo === 'number') {
        ranges.push([lo, lo]);
      } else {
        for (const r of expandSet(lo)) ranges.push(r);
      }
    }
    return { ranges: normalise(ranges), negated };
  };
  const atomInClass = (): CharSet | number => {
    const c = chars[pos] as number;
    pos++;
    if (c === 0x5c) return escape(true);
    if (c === 0x5b) return fail("a '[' inside a class must be escaped", pos - 1);
    return c;
  };

  const quantifier = (): { min: number; max: number } | undefined => {
    const c = peek();
    let q: { min: number; max: number } | undefined;
    if (c === 0x2a) q = { min: 0, max: Infinity };
    else if (c === 0x2b) q = { min: 1, max: Infinity };
    else if (c === 0x3f) q = { min: 0, max: 1 };
    if (q !== undefined) pos++;
    else if (c === 0x7b) {
      const start = pos;
      pos++;
      const min = readInt();
      if (min === undefined) return fail("a '{' that is not a quantifier must be escaped", start);
      let max = min;
      if (is(',')) {
        pos++;
        max = readInt() ?? Infinity;
      }
      if (!is('}')) return fail("a '{' that is not a quantifier must be escaped", start);
      pos++;
      if (max < min) return fail('numbers out of order in a {n,m} quantifier', start);
      q = { min, max };
    } else return undefined;
    if (is('?')) pos++; // lazy: the same yes/no answer for a whole-string match
    return q;
  };

  const alternation = (depth: number): RegexNode => {
    if (depth > MAX_GROUP_DEPTH) fail(`groups are nested deeper than ${MAX_GROUP_DEPTH}`);
    const branches: RegexNode[] = [sequence(depth)];
    while (is('|')) {
      pos++;
      branches.push(sequence(depth));
    }
    return branches.length === 1 ? (branches[0] as RegexNode) : { t: 'alt', xs: branches };
  };

  const sequence = (depth: number): RegexNode => {
    const items: RegexNode[] = [];
    for (;;) {
      const c = peek();
      if (c === undefined || c === 0x7c || c === 0x29) break;
      const atomStart = pos;
      let atom: RegexNode;
      pos++;
      switch (c) {
        case 0x5e: // ^
          if (atomStart !== 0) fail("'^' is only allowed as the first character (matches is anchored)", atomStart);
          continue;
        case 0x24: // $
          if (pos !== n) fail("'$' is only allowed as the last character (matches is anchored)", atomStart);
          continue;
        case 0x2e:
          atom = { t: 'any' };
          break;
        case 0x5c: {
          const e = escape(false);
          atom = typeof e === 'number' ? { t: 'char', c: e } : { t: 'set', set: e };
          break;
        }
        case 0x5b:
          atom = { t: 'set', set: classBody() };
          break;
        case 0x28: {
          if (is('?')) {
            const kind = chars[pos + 1];
            if (kind === 0x3a) pos += 2;
            else if (kind === 0x3c && chars[pos + 2] !== 0x3d && chars[pos + 2] !== 0x21) {
              pos += 2;
              while (peek() !== undefined && !is('>')) {
                if (!/[\w$]/.test(String.fromCodePoint(chars[pos] as number))) fail('invalid group name');
                pos++;
              }
              if (!is('>')) fail('unterminated group name');
              pos++;
            } else return fail('lookarounds and other (?…) groups are not supported (matches never backtracks)', atomStart);
          }
          const inner = alternation(depth + 1);
          if (!is(')')) fail('unbalanced parentheses: missing )', atomStart);
          pos++;
          atom = inner;
          break;
        }
        case 0x2a:
        case 0x2b:
        case 0x3f:
          return fail('nothing to repeat', atomStart);
        case 0x7b:
          return fail("a '{' that is not a quantifier must be escaped", atomStart);
        case 0x7d:
          return fail("a lone '}' must be escaped", atomStart);
        case 0x5d:
          return fail("a lone ']' must be escaped", atomStart);
        default:
          atom = { t: 'char', c };
      }
      for (let q = quantifier(); q !== undefined; q = quantifier()) atom = { t: 'rep', x: atom, ...q };
      items.push(atom);
    }
    if (items.length === 0) return { t: 'empty' };
    return items.length === 1 ? (items[0] as RegexNode) : { t: 'cat', xs: items };
  };

  const tree = alternation(0);
  if (pos < n) fail(is(')') ? 'unbalanced parentheses: unexpected )' : 'unexpected character');
  return tree;
}

/** The ranges a set matches, negation applied. */
export function expandSet(set: CharSet): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const r = set.ranges;
  if (!set.negated) {
    for (let i = 0; i < r.length; i += 2) out.push([r[i] as number, r[i + 1] as number]);
    return out;
  }
  let next = 0;
  for (let i = 0; i < r.length; i += 2) {
    if ((r[i] as number) > next) out.push([next, (r[i] as number) - 1]);
    next = (r[i + 1] as number) + 1;
  }
  if (next <= MAX_CHAR) out.push([next, MAX_CHAR]);
  return out;
}

/** Sorts and merges ranges into the flat form of {@link CharSet}. */
export function normalise(ranges: Array<[number, number]>): number[] {
  const sorted = ranges.slice().sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of sorted) {
    const last = out.length - 1;
    if (last > 0 && lo <= (out[last] as number) + 1) out[last] = Math.max(out[last] as number, hi);
    else out.push(lo, hi);
  }
  return out;
}
