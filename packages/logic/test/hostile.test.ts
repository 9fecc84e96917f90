import { describe, expect, it } from 'vitest';
import { compileRule, createRuleEngine, validateRule } from '../src/index.js';
import { codeOf } from './support/error-code.js';


function nest(depth: number, wrap: (inner: unknown) => unknown, leaf: unknown): unknown {
  let r = leaf;
  for (let i = 0; i < depth; i++) r = wrap(r);
  return r;
}

describe('hostile rules', () => {
  it('a rule nested 10 000 deep is RULE_LIMIT, not a stack overflow', () => {
    const deep = nest(10_000, (r) => ({ '!': [r] }), { var: 'a' });
    expect(codeOf(() => compileRule(deep))).toBe('RULE_LIMIT');
    expect(validateRule(deep)[0]).toMatchObject({ code: 'max_depth' });
  });

  it('so are 200 000-deep arrays, constant objects and unary chains', () => {
    expect(codeOf(() => compileRule(nest(200_000, (r) => [r], 1)))).toBe('RULE_LIMIT');
    expect(codeOf(() => compileRule(nest(200_000, (r) => ({ a: r, b: 0 }), 1)))).toBe('RULE_LIMIT');
    expect(codeOf(() => compileRule(nest(200_000, (r) => ({ if: r }), 1)))).toBe('RULE_LIMIT');
  });

  it('a cyclic rule object is RULE_LIMIT', () => {
    const list: unknown[] = [];
    const cyclic = { and: list };
    list.push(cyclic);
    expect(codeOf(() => compileRule(cyclic))).toBe('RULE_LIMIT');
  });

  it('a 1 MB rule is RULE_LIMIT (too many values) and fails fast', () => {
    const big = { in: [{ var: 'x' }, Array.from({ length: 150_000 }, (_, i) => `v${i}`)] };
    expect(JSON.stringify(big).length).toBeGreaterThan(1_000_000);
    expect(codeOf(() => compileRule(big))).toBe('RULE_LIMIT');
    const wide = { or: Array.from({ length: 60_000 }, (_, i) => ({ '==': [{ var: 'x' }, i] })) };
    expect(codeOf(() => compileRule(wide))).toBe('RULE_LIMIT');
  });

  it('limits are per engine', () => {
    const strict = createRuleEngine({ limits: { maxDepth: 3 } });
    expect(codeOf(() => strict.compile({ '!': { '!': { '!': { '!': true } } } }))).toBe('RULE_LIMIT');
    expect(strict.apply({ '!': { '!': true } })).toBe(true);
  });

  it('limits themselves are checked', () => {
    expect(() => createRuleEngine({ limits: { maxDepth: 0 } })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(() => createRuleEngine({ limits: { maxNodes: Number.NaN } })).toThrow(/positive integer/);
    expect(() => createRuleEngine({ limits: { maxDepht: 5 } as never })).toThrow(/unknown limit 'maxDepht'/);
  });

  it('a long string literal is just a value', () => {
    const s = 'x'.repeat(1_000_000);
    expect(compileRule({ '==': [{ var: 'a' }, s] })({ a: s })).toBe(true);
  });

  it('var paths into prototypes are RULE_INVALID and read nothing at run time', () => {
    expect(codeOf(() => compileRule({ var: '__proto__.polluted' }))).toBe('RULE_INVALID');
    expect(codeOf(() => compileRule({ var: 'constructor.prototype' }))).toBe('RULE_INVALID');
    expect(codeOf(() => compileRule({ missing: ['toString'] }))).toBe('RULE_INVALID');
    const dynamic = compileRule({ var: { var: 'path' } });
    expect(dynamic({ path: '__proto__' })).toBe(null);
    expect(dynamic({ path: 'constructor.name' })).toBe(null);
    expect(dynamic({ path: 'valueOf' })).toBe(null);
    // nothing can write: the prototype is untouched
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('operator names from the prototype are not operators', () => {
    for (const op of ['toString', 'hasOwnProperty', 'valueOf', '__proto__', 'constructor']) {
      expect(codeOf(() => compileRule(JSON.parse(`{"${op}": [1]}`)))).toBe('RULE_INVALID');
    }
  });

  it('functions and symbols inside a rule are RULE_INVALID', () => {
    expect(codeOf(() => compileRule({ '==': [() => 1, 1] }))).toBe('RULE_INVALID');
  });
});

describe('hostile regexes', () => {
  // Patterns a backtracking engine takes seconds to forever on are accepted: matches runs them
  // in linear time (see regex.test.ts). What a linear matcher cannot do is refused.
  const refused = ['(a)\\1', '(?=a)a', '(?<!a)b', '\\bx'];
  it.each(refused)('refuses %s at validation', (pattern) => {
    const problems = validateRule({ matches: [{ var: 'x' }, pattern] });
    expect(problems[0]).toMatchObject({ code: 'invalid_regex', path: '$.matches[1]' });
    expect(codeOf(() => compileRule({ matches: [{ var: 'x' }, pattern] }))).toBe('RULE_INVALID');
  });

  it('refuses dynamic, invalid and over-long patterns and unknown flags', () => {
    expect(validateRule({ matches: [{ var: 'x' }, { var: 'p' }] })[0]).toMatchObject({ code: 'invalid_argument' });
    expect(validateRule({ matches: [{ var: 'x' }, '(unclosed'] })[0]).toMatchObject({ code: 'invalid_regex' });
    expect(validateRule({ matches: [{ var: 'x' }, 'a'.repeat(300)] })[0]).toMatchObject({ code: 'regex_too_long' });
    expect(validateRule({ matches: [{ var: 'x' }, 'a', 'g'] })[0]).toMatchObject({ code: 'invalid_argument' });
  });

  it('the issue-15 patterns answer at once on 26 and 40 a\'s and a "!"', () => {
    for (const p of ['(a{1,16})*', '(aa?)*', '(a?a)*', '(a{1,2})*', '(a{1,16}){1,16}']) {
      const f = compileRule({ matches: [{ var: 'x' }, p] });
      expect(f({ x: `${'a'.repeat(26)}!` })).toBe(false);
      expect(f({ x: `${'a'.repeat(40)}!` })).toBe(false);
      expect(f({ x: 'a'.repeat(40) })).toBe(p !== '(a{1,16}){1,16}' || 40 <= 256);
    }
  });

  it('caps the input by the size of the pattern (RULE_LIMIT), so a test stays bounded', () => {
    const f = compileRule({ matches: [{ var: 'x' }, 'a{1,1000}b{1,1000}c{1,1000}'] });
    expect(f({ x: 'a'.repeat(1000) })).toBe(false);
    expect(codeOf(() => f({ x: 'a'.repeat(9000) }))).toBe('RULE_LIMIT');
  });
});

describe('prototype pollution and inherited properties', () => {
  for (const compiler of ['auto', 'closures'] as const) {
    it(`ignores keys added to Object.prototype (${compiler})`, () => {
      const engine = createRuleEngine({ compiler });
      const isAdmin = engine.compile({ '==': [{ var: 'isAdmin' }, true] });
      const nested = engine.compile({ '==': [{ var: 'user.isAdmin' }, true] });
      const missing = engine.compile({ missing: ['isAdmin'] });
      expect(isAdmin({})).toBe(false);
      const proto = Object.prototype as Record<string, unknown>;
      proto.isAdmin = true;
      try {
        expect(({} as Record<string, unknown>).isAdmin).toBe(true); // the pollution is real
        expect(isAdmin({})).toBe(false);
        expect(nested({ user: {} })).toBe(false);
        expect(missing({})).toEqual(['isAdmin']);
        expect(isAdmin({ isAdmin: true })).toBe(true);
        expect(engine.compile({ '==': [{ var: 'isAdmin' }, true] })({})).toBe(false);
      } finally {
        delete proto.isAdmin;
      }
      expect(isAdmin({ isAdmin: true })).toBe(true);
    });

    it(`never returns inherited members of arrays and class instances (${compiler})`, () => {
      const engine = createRuleEngine({ compiler });
      let called = false;
      class Lead {
        own = 1;
        get secret(): number {
          called = true;
          return 42;
        }
      }
      const f = engine.compile({ cat: [{ var: 'lead.secret' }, { var: 'lead.own' }, { var: 'list.map' }, { var: 'list.length' }] });
      expect(f({ lead: new Lead(), list: [1, 2] })).toBe('12');
      // The closure compiler checks ownership before reading; generated code reads first (that is
      // what makes it fast) and discards the inherited value, so an inherited getter may run.
      if (compiler === 'closures') expect(called).toBe(false);
      const bare = Object.create(null) as Record<string, unknown>;
      bare.x = 'y';
      expect(engine.compile({ var: 'x' })(bare)).toBe('y');
    });
  }
});
