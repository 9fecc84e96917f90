/**
 * Hostile rules (issue #15): every one fails fast with a coded error, whatever the limits are
 * set to, and compiles in time linear in its size.
 */
import fc from 'fast-check';
import { referenceApply } from '../../packages/logic/test/support/reference.js';
import { describe, expect, it } from 'vitest';
import { DealflowError, createRuleEngine } from '../../packages/logic/src/index.js';
import { codeOf } from '../../packages/logic/test/support/error-code.js';

const compilers = ['auto', 'closures'] as const;


function nest(depth: number, wrap: (inner: unknown) => unknown, leaf: unknown): unknown {
  let r = leaf;
  for (let i = 0; i < depth; i++) r = wrap(r);
  return r;
}

describe.each(compilers)('the evaluation budget (%s)', (compiler) => {
  it('a rule doubling an array with reduce/merge is RULE_LIMIT, not out of memory', () => {
    const engine = createRuleEngine({ compiler });
    const doubling = {
      reduce: [{ var: 'xs' }, { merge: [{ var: 'accumulator' }, { var: 'accumulator' }] }, [1]],
    };
    const f = engine.compile(doubling);
    expect(f({ xs: Array.from({ length: 10 }, (_, i) => i) })).toHaveLength(1024);
    expect(codeOf(() => f({ xs: Array.from({ length: 50 }, (_, i) => i) }))).toBe('RULE_LIMIT');
    const strings = engine.compile({ reduce: [{ var: 'xs' }, { cat: [{ var: 'accumulator' }, { var: 'accumulator' }] }, 'ab'] });
    expect(codeOf(() => strings({ xs: Array.from({ length: 60 }, (_, i) => i) }))).toBe('RULE_LIMIT');
  });

  it('three nested maps over 1 000 items are RULE_LIMIT within the step budget', () => {
    const engine = createRuleEngine({ compiler });
    const rule = { map: [{ var: 'xs' }, { map: [{ var: '' }, { map: [{ var: '' }, 1] }] }] };
    const row = Array.from({ length: 1000 }, (_, i) => i);
    const grid = Array.from({ length: 1000 }, () => Array.from({ length: 1000 }, () => row));
    // without the budget this is 10⁹ evaluations; with it, RULE_LIMIT after 10⁶ steps
    expect(codeOf(() => engine.compile(rule)({ xs: grid }))).toBe('RULE_LIMIT');
    // the budget is per evaluation: a small evaluation afterwards runs
    expect(engine.compile(rule)({ xs: [[[1, 2]]] })).toEqual([[[1, 1]]]);
  });

  it('maxSteps and maxValueLength are per engine', () => {
    const tight = createRuleEngine({ compiler, limits: { maxSteps: 10, maxValueLength: 5 } });
    const some = tight.compile({ some: [{ var: 'xs' }, { '>': [{ var: '' }, 100] }] });
    expect(some({ xs: Array.from({ length: 10 }, (_, i) => i) })).toBe(false);
    expect(codeOf(() => some({ xs: Array.from({ length: 11 }, (_, i) => i) }))).toBe('RULE_LIMIT');
    expect(codeOf(() => tight.compile({ cat: ['abc', 'def'] })({}))).toBe('RULE_LIMIT');
    expect(tight.compile({ cat: ['ab', 'c'] })({})).toBe('abc');
  });

  it('a custom operator that throws gives RULE_ERROR with the cause', () => {
    const boom = new TypeError('boom');
    const engine = createRuleEngine({ compiler, operators: { explode: () => { throw boom; } } });
    let error: unknown;
    try {
      engine.compile({ '==': [{ explode: [] }, 1] })({});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DealflowError);
    expect((error as DealflowError).code).toBe('RULE_ERROR');
    expect((error as DealflowError).cause).toBe(boom);
  });

  it('data a rule cannot handle (BigInt) gives RULE_ERROR, not a TypeError', () => {
    const engine = createRuleEngine({ compiler });
    expect(codeOf(() => engine.compile({ '-': [{ var: 'x' }, 1] })({ x: 10n }))).toBe('RULE_ERROR');
  });
});

describe.each(compilers)('coded errors at any limit setting (%s)', (compiler) => {
  it('a raised maxDepth gives RULE_LIMIT, never a RangeError', () => {
    const engine = createRuleEngine({ compiler, limits: { maxDepth: 10_000_000, maxNodes: 10_000_000 } });
    for (const depth of [3_000, 20_000, 200_000]) {
      const deep = nest(depth, (r) => ({ '!': [r] }), { var: 'a' });
      const code = codeOf(() => engine.compile(deep)({ a: 1 }));
      // a deep rule either runs (the stack sufficed) or is RULE_LIMIT
      expect([undefined, 'RULE_LIMIT']).toContain(code);
    }
    expect(codeOf(() => engine.compile(nest(200_000, (r) => [r], 1))({}))).toBe('RULE_LIMIT');
  });
});

describe('linear compile time', () => {
  // Tests assert no times; a quadratic compiler would take minutes on these sizes (4.5 s for
  // 16 000 segments before, ~70 s for 64 000) and hit the test timeout instead.
  it.each(compilers)('var paths of 16 000 and 64 000 segments compile and read correctly (%s)', (compiler) => {
    for (const n of [16_000, 64_000]) {
      const engine = createRuleEngine({ compiler, limits: { maxNodes: 100_000 } });
      const path = Array.from({ length: n }, () => 'a').join('.');
      let data: unknown = 'found';
      for (let i = 0; i < n; i++) data = { a: data };
      const f = engine.compile({ '==': [{ var: path }, { var: path }] });
      expect(f(data)).toBe(true);
      expect(engine.compile({ var: path })(data)).toBe('found');
      expect(engine.compile({ and: [{ var: path }, { var: `${path}.b` }] })(data)).toBe(null);
    }
  });
});

describe('exact compile-cache keys', () => {
  it.each(compilers)('Infinity, -Infinity, NaN, null, -0 and holes are different rules (%s)', (compiler) => {
    const engine = createRuleEngine({ compiler });
    const values = [Infinity, -Infinity, Number.NaN, null, 0, -0];
    const data = { x: 5 };
    for (const order of [values, [...values].reverse()]) {
      const fresh = createRuleEngine({ compiler });
      for (const v of order) {
        const rule = { '<': [{ var: 'x' }, v] };
        expect(fresh.compile(rule)(data), String(v)).toBe(referenceApply(rule, data));
        expect(fresh.compile({ '/': [1, v] })({}), String(v)).toBe(1 / (v as number));
      }
    }
    // holes vs undefined vs null inside an array literal
    const hole = engine.compile({ merge: [[1, , 3]] })({}) as unknown[]; // eslint-disable-line no-sparse-arrays
    const undef = engine.compile({ merge: [[1, undefined, 3]] })({}) as unknown[];
    expect(1 in hole).toBe(false);
    expect(1 in undef).toBe(true);
  });
});

describe('json-logic-js semantics on sparse arrays', () => {
  it.each(compilers)('reduce, map and filter skip holes; all, some and none visit them (%s)', (compiler) => {
    const engine = createRuleEngine({ compiler });
    const sparse = [1, , 2, , 3]; // eslint-disable-line no-sparse-arrays
    const rules = [
      { reduce: [{ var: 'xs' }, { '+': [{ var: 'accumulator' }, 1] }, 0] },
      { reduce: [{ var: 'xs' }, { cat: [{ var: 'accumulator' }, { var: 'current' }] }, ''] },
      { filter: [{ var: 'xs' }, true] },
      { map: [{ var: 'xs' }, 1] },
      { all: [{ var: 'xs' }, { var: '' }] },
      { some: [{ var: 'xs' }, { '!': { var: '' } }] },
      { none: [{ var: 'xs' }, { '!': { var: '' } }] },
    ];
    for (const rule of rules) {
      expect(engine.compile(rule)({ xs: sparse }), JSON.stringify(rule)).toStrictEqual(referenceApply(rule, { xs: sparse }));
    }
  });

  it('agrees with json-logic-js on random sparse arrays (property)', () => {
    const engine = createRuleEngine();
    const rules = [
      { reduce: [{ var: 'xs' }, { '+': [{ var: 'accumulator' }, { var: 'current' }, 1] }, 0] },
      { filter: [{ var: 'xs' }, { '>': [{ var: '' }, 2] }] },
      { some: [{ var: 'xs' }, { '==': [{ var: '' }, null] }] },
    ];
    fc.assert(
      fc.property(fc.sparseArray(fc.integer({ min: 0, max: 5 }), { maxLength: 12 }), (xs) => {
        for (const rule of rules) expect(engine.apply(rule, { xs })).toStrictEqual(referenceApply(rule, { xs }));
      }),
    );
  });
});

describe('date operators read only the engine clock', () => {
  it('a time without a date is not a date', () => {
    const engine = createRuleEngine({ now: () => new Date('2030-06-15T12:00:00Z') });
    expect(engine.apply({ daysSince: '10:30' })).toBe(null);
    expect(engine.apply({ hoursSince: 'T10:30' })).toBe(null);
    expect(engine.apply({ before: ['10:30', '2030-01-01'] })).toBe(false);
    expect(engine.apply({ daysSince: '2030-06-14T12:00:00Z' })).toBe(1);
    expect(engine.apply({ daysSince: '2030-W24-6' })).toBeCloseTo(0.5, 5);
    expect(engine.apply({ hoursSince: '2030-166T10:00' })).toBe(2);
  });
});
