import { describe, expect, it } from 'vitest';
import { DealflowError, compileRule, createRuleEngine, isDealflowError, validateRule } from '../src/index.js';

describe('validateRule', () => {
  it('accepts a valid rule', () => {
    expect(validateRule({ and: [{ '==': [{ var: 'region' }, 'EU'] }, { '>': [{ var: 'amount' }, 1000] }] })).toEqual([]);
  });

  it('reports an unknown operator with its path and a hint', () => {
    const problems = validateRule({ and: [true, { '=>': [1, 2] }] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: '$.and[1]["=>"]', code: 'unknown_operator', value: '=>' });
    expect(problems[0]?.hint).toMatch(/did you mean/);
  });

  it('reports wrong arity', () => {
    expect(validateRule({ '==': [1] })[0]).toMatchObject({ path: '$["=="]', code: 'arity', value: 1 });
    expect(validateRule({ map: [[1, 2]] })[0]).toMatchObject({ code: 'arity' });
    expect(validateRule({ '!': [1, 2] })[0]).toMatchObject({ code: 'arity' });
  });

  it('checks var fields against the declared ones, using the path prefix', () => {
    const rule = { and: [{ '==': [{ var: 'region' }, 'EU'] }, { '>': [{ var: 'amout' }, 5] }] };
    const problems = validateRule(rule, { fields: ['region', 'amount'], path: "$.transitions[3].guard" });
    expect(problems).toEqual([
      expect.objectContaining({
        path: '$.transitions[3].guard.and[1][">"][0].var',
        code: 'unknown_field',
        value: 'amout',
        hint: "did you mean 'amount'?",
      }),
    ]);
  });

  it('checks only the first segment of a dotted path, and also missing keys', () => {
    const fields = ['record', 'actor'];
    expect(validateRule({ var: 'record.fields.amount' }, { fields })).toEqual([]);
    expect(validateRule({ missing: ['record.owner', 'deal.owner'] }, { fields })).toEqual([
      expect.objectContaining({ path: '$.missing[1]', code: 'unknown_field' }),
    ]);
    expect(validateRule({ missing_some: [1, ['actor.id', 'nope']] }, { fields })).toEqual([
      expect.objectContaining({ path: '$.missing_some[1][1]', code: 'unknown_field' }),
    ]);
  });

  it('does not check var inside map/filter/reduce bodies against fields (they read the item)', () => {
    const rule = { some: [{ var: 'items' }, { '>': [{ var: 'price' }, 10] }] };
    expect(validateRule(rule, { fields: ['items'] })).toEqual([]);
    expect(validateRule(rule, { fields: ['other'] })).toEqual([expect.objectContaining({ path: '$.some[0].var' })]);
  });

  it('refuses prototype access in var and missing paths and as operators', () => {
    for (const path of ['__proto__', 'a.constructor', 'prototype', 'x.toString', 'hasOwnProperty']) {
      expect(validateRule({ var: path })[0]).toMatchObject({ code: 'forbidden_name' });
    }
    expect(validateRule({ missing: ['__proto__.polluted'] })[0]).toMatchObject({ code: 'forbidden_name' });
    expect(validateRule(JSON.parse('{"__proto__": [1]}'))[0]).toMatchObject({ code: 'forbidden_name' });
    expect(validateRule({ constructor: [1] })[0]).toMatchObject({ code: 'forbidden_name' });
  });

  it('reports every problem at once', () => {
    const problems = validateRule({ and: [{ nope: [1] }, { var: '__proto__' }, { '==': [1] }] });
    expect(problems.map((p) => p.code)).toEqual(['unknown_operator', 'forbidden_name', 'arity']);
  });
});

describe('compileRule', () => {
  it('throws RULE_INVALID with all problems', () => {
    try {
      compileRule({ or: [{ foo: 1 }, { bar: 2 }] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DealflowError);
      expect(isDealflowError(e, 'RULE_INVALID')).toBe(true);
      expect((e as DealflowError).problems).toHaveLength(2);
      expect((e as DealflowError).message).toContain("'foo'");
    }
  });

  it('returns the same function for the same rule object and for an equal rule', () => {
    const rule = { '>': [{ var: 'amount' }, 100] };
    const f = compileRule(rule);
    expect(compileRule(rule)).toBe(f);
    expect(compileRule(JSON.parse(JSON.stringify(rule)))).toBe(f);
    expect(f({ amount: 150 })).toBe(true);
    expect(f({ amount: 50 })).toBe(false);
  });

  it('does not confuse rules that JSON text cannot tell apart', () => {
    expect(compileRule({ if: [false, 1, null] })(null)).toBe(null);
    expect(compileRule({ if: [false, 1, undefined] })(null)).toBe(undefined);
    expect(Object.is(compileRule({ '+': [0] })(null), 0)).toBe(true);
    expect(Object.is(compileRule({ '*': [-0] })(null), -0)).toBe(true);
  });

  it('reads own properties only', () => {
    const proto = { secret: 'inherited' };
    const data = Object.create(proto) as Record<string, unknown>;
    data.visible = 'own';
    expect(compileRule({ var: 'visible' })(data)).toBe('own');
    expect(compileRule({ var: 'secret' })(data)).toBe(null);
    expect(compileRule({ var: ['secret', 'fallback'] })(data)).toBe('fallback');
    expect(compileRule({ missing: ['secret', 'visible'] })(data)).toEqual(['secret']);
    // a computed path cannot reach the prototype either
    expect(compileRule({ var: { cat: ['__pro', 'to__'] } })({})).toBe(null);
    expect(compileRule({ var: { cat: ['a.', 'constructor'] } })({ a: {} })).toBe(null);
    // arrays and strings keep their own length and indexes
    expect(compileRule({ var: 'list.length' })({ list: [1, 2, 3] })).toBe(3);
    expect(compileRule({ var: 'name.0' })({ name: 'Ada' })).toBe('A');
  });

  it('returns fresh arrays and frozen literals, so callers cannot corrupt a cached rule', () => {
    const f = compileRule({ if: [{ var: 'x' }, [1, 2], { a: 1, b: 2 }] });
    const arr = f({ x: true }) as number[];
    arr.push(3);
    expect(f({ x: true })).toEqual([1, 2]);
    const obj = f({ x: false }) as Record<string, number>;
    expect(Object.isFrozen(obj)).toBe(true);
  });
});

describe('createRuleEngine: custom operators per engine', () => {
  it('adds operators to one engine only', () => {
    const a = createRuleEngine({ operators: { double: { fn: (x) => (x as number) * 2, minArgs: 1, maxArgs: 1 } } });
    const b = createRuleEngine();
    expect(a.apply({ double: { var: 'n' } }, { n: 21 })).toBe(42);
    expect(a.hasOperator('double')).toBe(true);
    expect(b.hasOperator('double')).toBe(false);
    expect(() => b.compile({ double: 1 })).toThrow(/unknown operator 'double'/);
    expect(() => compileRule({ double: 1 })).toThrow(DealflowError);
  });

  it('checks custom arity at validation', () => {
    const e = createRuleEngine();
    e.addOperator('pair', { fn: (x, y) => [x, y], minArgs: 2, maxArgs: 2 });
    expect(e.validate({ pair: [1] })[0]).toMatchObject({ code: 'arity' });
    expect(e.apply({ pair: [1, { var: 'z' }] }, { z: 3 })).toEqual([1, 3]);
  });

  it('accepts a bare function as an operator', () => {
    const e = createRuleEngine();
    e.addOperator('sum3', (x, y, z) => (x as number) + (y as number) + (z as number));
    expect(e.apply({ sum3: [1, 2, 3] })).toBe(6);
  });

  it('refuses conflicts and bad names', () => {
    const e = createRuleEngine();
    for (const name of ['==', 'var', 'matches', 'daysSince']) {
      expect(() => e.addOperator(name, () => 1)).toThrow(expect.objectContaining({ code: 'OPERATOR_CONFLICT' }));
    }
    e.addOperator('mine', () => 1);
    expect(() => e.addOperator('mine', () => 2)).toThrow(expect.objectContaining({ code: 'OPERATOR_CONFLICT' }));
    expect(() => e.addOperator('__proto__', () => 1)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(() => e.addOperator('a.b', () => 1)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(() => createRuleEngine({ operators: { in: () => true } })).toThrow(expect.objectContaining({ code: 'OPERATOR_CONFLICT' }));
  });
});

describe('varsOf', () => {
  it('lists literal var paths and missing keys of the top scope', () => {
    const e = createRuleEngine();
    const rule = {
      and: [
        { '==': [{ var: 'region' }, 'EU'] },
        { missing: ['owner', 'amount'] },
        { some: [{ var: 'items' }, { '>': [{ var: 'price' }, 5] }] },
        { '>': [{ var: ['deal.amount', 0] }, { var: 'threshold' }] },
        { '==': [{ var: 'region' }, 'EU'] },
      ],
    };
    expect(e.varsOf(rule).sort()).toEqual(['amount', 'deal.amount', 'items', 'owner', 'region', 'threshold']);
  });
});

describe('generated code backend', () => {
  // no dots: a dot in a var path means nesting
  const payloads = ['"); process[\'exit\'](1); ("', "'; throw 1; '", '`${process[`exit`](1)}`', '\u2028x', '*/ throw 1 /*', 'k0', 't0', 'd'];

  it('never puts rule text into the generated source', () => {
    for (const p of payloads) {
      const rule = {
        and: [
          { '==': [{ var: `${p}.x` }, p] },
          { in: [{ var: p }, [p, `${p}2`]] },
          { '!': { missing: [p] } },
        ],
      };
      const f = createRuleEngine().compile(rule);
      const source = f.toString();
      expect(source).toContain('dealflowRule');
      if (p.length > 2) expect(source).not.toContain(p);
      expect(f({ [p]: p, [`${p}`]: p })).toBe(false);
      const data = { [p]: { x: p } };
      expect(f(data)).toBe(false);
      expect(createRuleEngine().apply({ '==': [{ var: `${p}.x` }, p] }, data)).toBe(true);
    }
  });

  it('gives the same results as the closure compiler', () => {
    const generated = createRuleEngine();
    const closures = createRuleEngine({ compiler: 'closures' });
    const rule = {
      if: [
        { missing: ['a', 'b.c'] },
        'incomplete',
        { and: [{ in: [{ var: 'b.c' }, ['x', 'y', 'z', 1, 2, 3, 4, 5, 6, 7]] }, { '<=': [1, { var: 'a' }, 10] }] },
        { cat: ['ok-', { var: 'b.c' }] },
        { missing_some: [1, ['a', 'z']] },
      ],
    };
    const inputs = [{}, { a: 5, b: { c: 'x' } }, { a: 50, b: { c: 'x' } }, { a: 5, b: { c: 9 } }, { a: '', b: { c: null } }];
    for (const d of inputs) expect(generated.compile(rule)(d)).toStrictEqual(closures.compile(rule)(d));
    expect(generated.compile(rule).toString()).toContain('dealflowRule');
    expect(closures.compile(rule).toString()).not.toContain('dealflowRule');
  });
});
