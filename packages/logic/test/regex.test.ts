import vm from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRule, createRuleEngine, isDealflowError, validateRule } from '../src/index.js';

/** Patterns of the accepted subset, built from a grammar over a small alphabet. */
const pattern: fc.Arbitrary<string> = fc.letrec((tie) => ({
  atom: fc.oneof(
    fc.constantFrom('a', 'b', 'A', '.', '\\d', '\\w', '\\s', '[ab]', '[^a]', '[a-c]', '\\.', ' ', '1'),
    tie('group') as fc.Arbitrary<string>,
  ),
  group: fc.tuple(fc.constantFrom('(', '(?:'), tie('alt') as fc.Arbitrary<string>).map(([open, inner]) => `${open}${inner})`),
  quantified: fc
    .tuple(tie('atom') as fc.Arbitrary<string>, fc.constantFrom('', '', '*', '+', '?', '{2}', '{1,3}', '{0,}', '*?', '{1,2}?'))
    .map(([a, q]) => a + q),
  seq: fc.array(tie('quantified') as fc.Arbitrary<string>, { minLength: 0, maxLength: 4 }).map((xs) => xs.join('')),
  alt: fc.array(tie('seq') as fc.Arbitrary<string>, { minLength: 1, maxLength: 3 }).map((xs) => xs.join('|')),
})).alt.filter((p) => (p as string).length <= 200) as fc.Arbitrary<string>;

const input = fc.array(fc.constantFrom('a', 'b', 'A', 'c', '1', ' ', '.', '\n'), { maxLength: 10 }).map((xs) => xs.join(''));

/**
 * JavaScript's own answer, the oracle, with a time bound: the generator builds nested quantifiers
 * on which the backtracking engine can take minutes even on 10 characters (the very patterns our
 * matcher exists for), so an answer that takes longer than `budgetMs` is `undefined` (no verdict).
 */
function nativeOracle(budgetMs: number): (p: string, flags: string, x: string) => boolean | undefined {
  const sandbox = vm.createContext({ p: '', flags: '', x: '' });
  const test = new vm.Script('new RegExp(`^(?:${p})$`, flags).test(x)');
  return (p, flags, x) => {
    Object.assign(sandbox, { p, flags, x });
    try {
      return test.runInContext(sandbox, { timeout: budgetMs }) as boolean;
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return undefined;
      throw e;
    }
  };
}

describe('matches: a linear-time matcher', () => {
  it('agrees with JavaScript regular expressions on the accepted subset (property)', () => {
    const native = nativeOracle(100);
    fc.assert(
      fc.property(pattern, fc.constantFrom('', 'i', 's', 'u', 'is'), fc.array(input, { minLength: 1, maxLength: 8 }), (p, flags, inputs) => {
        expect(validateRule({ matches: [{ var: 'x' }, p, flags] })).toEqual([]);
        const ours = compileRule({ matches: [{ var: 'x' }, p, flags] });
        for (const x of inputs) {
          const expected = native(p, flags, x);
          // no verdict from a backtracking blow-up: ours must still answer, the comparison is skipped
          if (expected === undefined) expect(typeof ours({ x })).toBe('boolean');
          else expect(ours({ x }), `/${p}/${flags} on ${JSON.stringify(x)}`).toBe(expected);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('the oracle gives up on a backtracking blow-up instead of hanging, and answers otherwise', () => {
    const native = nativeOracle(100);
    expect(native('(a+)+', '', `${'a'.repeat(40)}!`)).toBeUndefined();
    expect(native('(a+)+', '', 'aaa')).toBe(true);
    expect(native('[ab]\\d', 'i', 'B1')).toBe(true);
  });

  it.each(['(a{1,16})*', '(aa?)*', '(a?a)*', '(a{1,2})*', '(a{1,16}){1,16}', '(a+)+$', '(a|aa)*', '(a*)*b', '(\\w+\\s?)+$', '(.*a){12}'])(
    'runs %s on hostile input in linear time',
    (p) => {
      const f = compileRule({ matches: [{ var: 'x' }, p] });
      // a backtracking engine never returns on these inputs (the test would time out)
      for (const n of [26, 40, 1000, 5000]) expect(f({ x: `${'a'.repeat(n)}!` })).toBe(false);
      // short inputs, where JavaScript's backtracking still finishes, give the same answers
      for (const x of ['', 'a', 'aaaaaa', 'aab', 'ab']) expect(f({ x })).toBe(new RegExp(`^(?:${p})$`).test(x));
    },
  );

  it('refuses what a linear matcher cannot do, with the rule path', () => {
    for (const p of ['(a)\\1', '(?=a)a', '(?<!a)b', '\\bword', 'a\\k<x>', '\\p{L}', 'a^b', 'a$b', 'x{', '(unclosed', 'a)', '*a', '[b-a]']) {
      expect(validateRule({ matches: [{ var: 'x' }, p] })[0], p).toMatchObject({ code: 'invalid_regex', path: '$.matches[1]' });
    }
    expect(validateRule({ matches: [{ var: 'x' }, '(((a{1000}){1000}))'] })[0]).toMatchObject({ code: 'regex_too_complex' });
    expect(validateRule({ matches: [{ var: 'x' }, 'a{1001}'] })[0]).toMatchObject({ code: 'invalid_regex' });
    expect(validateRule({ matches: [{ var: 'x' }, `${'('.repeat(60)}a${')'.repeat(60)}`] })[0]).toMatchObject({ code: 'invalid_regex' });
  });

  it('handles escapes, classes, unicode and anchors', () => {
    const t = (p: string, x: string, flags = ''): unknown => compileRule({ matches: [{ var: 'x' }, p, flags] })({ x });
    expect(t('^[A-Z]{2}-\\d{4}$', 'AB-1234')).toBe(true);
    expect(t('\\x41\\u0042', 'AB')).toBe(true);
    expect(t('\\u{1F600}', '😀', 'u')).toBe(true);
    expect(t('.', '😀', 'u')).toBe(true);
    expect(t('.', '😀')).toBe(false); // two code units without u, as in JavaScript
    expect(t('[^\\s]+@[\\w.]+', 'ann@example.com')).toBe(true);
    expect(t('straße', 'STRASSE', 'i')).toBe(false);
    expect(t('(?<year>\\d{4})-\\d\\d', '2026-12')).toBe(true);
  });

  it('caps the input by the pattern size, as RULE_LIMIT', () => {
    const engine = createRuleEngine({ limits: { maxInputLength: 1000 } });
    const f = engine.compile({ matches: [{ var: 'x' }, '[a-z]+@[a-z]+'] });
    expect(f({ x: 'a'.repeat(1000) })).toBe(false);
    let error: unknown;
    try {
      f({ x: 'a'.repeat(1001) });
    } catch (e) {
      error = e;
    }
    expect(isDealflowError(error, 'RULE_LIMIT')).toBe(true);
  });
});
