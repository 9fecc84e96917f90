/** Flags `matches` accepts: case-insensitive, dot-all, unicode. */
export const ALLOWED_REGEX_FLAGS = /^[isu]*$/;

/** Most backtracking steps one `matches` may take, by the bound below. */
export const REGEX_STEP_BUDGET = 1e8;
/** Most unbounded repetitions (`*`, `+`, `{n,}`) a pattern may hold. */
export const MAX_REPETITIONS = 6;
/** Most alternative paths (`|`, `?`, short `{n,m}`) a pattern may multiply to. */
export const MAX_ALTERNATIVES = 10_000;

/** What {@link analyzeRegex} found. */
export interface RegexAnalysis {
  /** Why the pattern is refused, if it is. */
  unsafe?: string;
  /** Unbounded repetitions: the exponent of the backtracking bound. */
  repetitions: number;
  /** Product of the choices made outside repetitions (`|` branches, `?`, short ranges). */
  alternatives: number;
}

/**
 * Analyses a `matches` pattern for backtracking cost. Refused: back-references, lookarounds, a
 * repeated group that itself repeats (`(a+)+`) or alternates (`(a|aa)*`), more than
 * {@link MAX_REPETITIONS} unbounded repetitions, more than {@link MAX_ALTERNATIVES} alternative
 * paths. What is left has star height one, so an anchored match of a string of length L takes at
 * most about `alternatives × L^k / k!` steps (k = repetitions); {@link maxSafeInputLength} turns
 * that into a length cap.
 */
export function analyzeRegex(pattern: string): RegexAnalysis {
  interface Group {
    repeats: boolean;
    alternates: boolean;
    branches: number;
    alternatives: number;
  }
  const newGroup = (): Group => ({ repeats: false, alternates: false, branches: 1, alternatives: 1 });
  const stack: Group[] = [newGroup()];
  let repetitions = 0;
  let last: Group | 'atom' | undefined;
  let i = 0;
  const n = pattern.length;
  const refuse = (why: string): RegexAnalysis => ({ unsafe: why, repetitions, alternatives: 1 });
  const mul = (a: number, b: number): number => Math.min(a * b, MAX_ALTERNATIVES + 1);
  while (i < n) {
    const c = pattern[i] as string;
    const top = stack[stack.length - 1] as Group;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== undefined && /[1-9]/.test(next)) return refuse('back-references are not allowed');
      if (next === 'k' && pattern[i + 2] === '<') return refuse('back-references are not allowed');
      i += 2;
      last = 'atom';
      continue;
    }
    if (c === '[') {
      i++;
      if (pattern[i] === '^') i++;
      if (pattern[i] === ']') i++;
      while (i < n && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      i++;
      last = 'atom';
      continue;
    }
    if (c === '(') {
      if (pattern[i + 1] === '?') {
        const kind = pattern[i + 2];
        if (kind === '=' || kind === '!' || (kind === '<' && (pattern[i + 3] === '=' || pattern[i + 3] === '!'))) {
          return refuse('lookarounds are not allowed');
        }
      }
      stack.push(newGroup());
      i++;
      last = undefined;
      continue;
    }
    if (c === ')') {
      const closed = stack.pop();
      if (closed === undefined || stack.length === 0) return refuse('unbalanced parentheses');
      const parent = stack[stack.length - 1] as Group;
      parent.repeats ||= closed.repeats;
      parent.alternates ||= closed.alternates;
      // a group's paths: the sum over its branches, bounded above by branches × product
      parent.alternatives = mul(parent.alternatives, mul(closed.branches, closed.alternatives));
      i++;
      last = closed;
      continue;
    }
    if (c === '|') {
      top.alternates = true;
      top.branches++;
      i++;
      last = undefined;
      continue;
    }
    if (c === '*' || c === '+' || c === '{' || c === '?') {
      let unbounded = c !== '?';
      let choices = 2;
      let len = 1;
      if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
        if (m === null) {
          i++;
          last = 'atom';
          continue;
        }
        len = m[0].length;
        const min = Number(m[1]);
        const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        choices = max - min + 1;
        unbounded = choices > 16;
        if (last !== undefined && last !== 'atom' && max > 1 && (last.repeats || last.alternates)) {
          return refuse(
            last.repeats
              ? 'a repeated group must not itself contain a repetition (nested quantifiers)'
              : 'a repeated group must not contain alternatives (`|`)',
          );
        }
      }
      if (unbounded) {
        if (last !== undefined && last !== 'atom') {
          if (last.repeats) return refuse('a repeated group must not itself contain a repetition (nested quantifiers)');
          if (last.alternates) return refuse('a repeated group must not contain alternatives (`|`)');
        }
        top.repeats = true;
        repetitions++;
      } else if (choices > 1) {
        top.alternatives = mul(top.alternatives, choices);
      }
      i += len;
      if (pattern[i] === '?') i++; // lazy
      last = 'atom';
      continue;
    }
    i++;
    last = 'atom';
  }
  if (stack.length !== 1) return refuse('unbalanced parentheses');
  const root = stack[0] as Group;
  const alternatives = mul(root.branches, root.alternatives);
  if (repetitions > MAX_REPETITIONS) {
    return refuse(`it has ${repetitions} unbounded repetitions (at most ${MAX_REPETITIONS})`);
  }
  if (alternatives > MAX_ALTERNATIVES) return refuse(`it has more than ${MAX_ALTERNATIVES} alternative paths`);
  return { repetitions, alternatives };
}

/** Longest input for which `alternatives × L^k / k!` stays within {@link REGEX_STEP_BUDGET}. */
export function maxSafeInputLength(analysis: RegexAnalysis, maxInputLength: number): number {
  const k = analysis.repetitions;
  if (k <= 1) return maxInputLength;
  let factorial = 1;
  for (let j = 2; j <= k; j++) factorial *= j;
  const bound = Math.floor(Math.pow((REGEX_STEP_BUDGET / analysis.alternatives) * factorial, 1 / k));
  return Math.min(maxInputLength, bound);
}
