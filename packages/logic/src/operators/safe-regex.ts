/** Flags `matches` accepts: case-insensitive, dot-all, unicode. */
export const ALLOWED_REGEX_FLAGS = /^[isu]*$/;

/**
 * Checks that a `matches` pattern cannot backtrack catastrophically. Returns the reason it is
 * refused, or `undefined` when it is safe. Refused: back-references, lookarounds, a repeated
 * group that itself repeats (`(a+)+`) or alternates (`(a|aa)*`). Together with the length cap on
 * the tested string this bounds the work of every match.
 */
export function unsafeRegexReason(pattern: string): string | undefined {
  interface Group {
    repeats: boolean;
    alternates: boolean;
  }
  const stack: Group[] = [{ repeats: false, alternates: false }];
  // What the last atom was: a group just closed (with its facts), or a plain atom.
  let last: Group | 'atom' | undefined;
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i] as string;
    const top = stack[stack.length - 1] as Group;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== undefined && /[1-9]/.test(next)) return 'back-references are not allowed';
      if (next === 'k' && pattern[i + 2] === '<') return 'back-references are not allowed';
      i += 2;
      last = 'atom';
      continue;
    }
    if (c === '[') {
      // character class: skip to the closing bracket, honouring escapes
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
          return 'lookarounds are not allowed';
        }
      }
      stack.push({ repeats: false, alternates: false });
      i++;
      last = undefined;
      continue;
    }
    if (c === ')') {
      const closed = stack.pop();
      if (closed === undefined || stack.length === 0) return 'unbalanced parentheses';
      const parent = stack[stack.length - 1] as Group;
      parent.repeats ||= closed.repeats;
      parent.alternates ||= closed.alternates;
      i++;
      last = closed;
      continue;
    }
    if (c === '|') {
      top.alternates = true;
      i++;
      last = undefined;
      continue;
    }
    if (c === '*' || c === '+' || c === '{' || c === '?') {
      let repeating = c !== '?';
      let len = 1;
      if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
        if (m === null) {
          // a literal brace
          i++;
          last = 'atom';
          continue;
        }
        len = m[0].length;
        repeating = m[2] !== undefined ? m[3] === '' || Number(m[3]) > 1 : Number(m[1]) > 1;
      }
      if (repeating) {
        if (last !== undefined && last !== 'atom') {
          if (last.repeats) return 'a repeated group must not itself contain a repetition (nested quantifiers)';
          if (last.alternates) return 'a repeated group must not contain alternatives (`|`)';
        }
        top.repeats = true;
      }
      i += len;
      if (pattern[i] === '?') i++; // lazy
      last = 'atom';
      continue;
    }
    i++;
    last = 'atom';
  }
  if (stack.length !== 1) return 'unbalanced parentheses';
  return undefined;
}
