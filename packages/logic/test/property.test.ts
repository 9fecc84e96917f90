import fc from 'fast-check';
import jsonLogic from 'json-logic-js';
import { describe, expect, it } from 'vitest';
import { createRuleEngine } from '../src/index.js';

// Random rules over the standard operators, random data, both engines: same value, or both throw.
const KEYS = ['a', 'b', 'c', 'a.b', 'a.c', 'list', 'list.0', 'n', ''];
const primitive = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.double({ min: -10, max: 10, noNaN: true }),
  fc.constantFrom('', 'a', 'b', 'ab', '1', '2.5', '0', 'true', ' x '),
  fc.boolean(),
  fc.constant(null),
);
const dataValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'n', 'list'), tie('value'), { maxKeys: 3 }),
  ),
})).value;
const data = fc.oneof(
  fc.record(
    { a: dataValue, b: dataValue, c: dataValue, n: fc.integer({ min: -3, max: 9 }), list: fc.array(dataValue, { maxLength: 5 }) },
    { requiredKeys: [] },
  ),
  dataValue,
);

const { rule } = fc.letrec<{ rule: unknown; inner: unknown }>((tie) => {
  const r = tie('rule');
  const args = (min: number, max: number) => fc.array(r, { minLength: min, maxLength: max });
  const op = (name: string, min: number, max: number) => args(min, max).map((xs) => ({ [name]: xs }));
  return {
    rule: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      primitive,
      fc.constantFrom(...KEYS).map((k) => ({ var: k })),
      fc.tuple(fc.constantFrom(...KEYS), primitive).map(([k, d]) => ({ var: [k, d] })),
      ...['==', '===', '!=', '!==', '>', '>=', '%', '/', 'in'].map((o) => op(o, 2, 2)),
      op('<', 2, 3),
      op('<=', 2, 3),
      op('!', 1, 1),
      op('!!', 1, 1),
      op('-', 1, 2),
      op('+', 0, 3),
      op('*', 1, 3),
      op('min', 1, 3),
      op('max', 1, 3),
      op('cat', 0, 3),
      op('substr', 2, 3),
      op('merge', 0, 3),
      op('and', 1, 3),
      op('or', 1, 3),
      op('if', 0, 5),
      op('?:', 3, 3),
      fc.array(r, { maxLength: 3 }),
      fc.array(fc.constantFrom('a', 'b', 'c', 'a.b', 'n'), { maxLength: 3 }).map((ks) => ({ missing: ks })),
      fc
        .tuple(fc.integer({ min: 0, max: 3 }), fc.array(fc.constantFrom('a', 'b', 'c', 'n'), { maxLength: 3 }))
        .map(([need, ks]) => ({ missing_some: [need, ks] })),
      fc
        .tuple(fc.constantFrom('map', 'filter', 'all', 'some', 'none'), r, tie('inner'))
        .map(([o, src, body]) => ({ [o]: [src, body] })),
      fc.tuple(r, tie('inner'), primitive).map(([src, body, init]) => ({ reduce: [src, body, init] })),
    ),
    // Rules run on array items: they read the item itself or reduce's current/accumulator.
    inner: fc.oneof(
      fc.constantFrom({ var: '' }, { var: 'a' }, { '+': [{ var: 'current' }, { var: 'accumulator' }] }),
      fc.tuple(fc.constantFrom('==', '<', '>', 'in', 'cat', '!=', '*'), primitive).map(([o, v]) => ({ [o]: [{ var: '' }, v] })),
      r,
    ),
  };
});

function run(f: () => unknown): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: f() };
  } catch {
    return { ok: false };
  }
}

describe.each([
  ['generated code', createRuleEngine()],
  ['closures', createRuleEngine({ compiler: 'closures' })],
])('property (%s): compiled rules agree with json-logic-js', (_name, engine) => {

  it('random rules over random data give identical results', () => {
    fc.assert(
      fc.property(rule, data, (r, d) => {
        expect(engine.validate(r)).toEqual([]);
        const reference = run(() => jsonLogic.apply(r as jsonLogic.RulesLogic, d as object));
        const ours = run(() => engine.compile(r)(d));
        expect(ours.ok).toBe(reference.ok);
        if (reference.ok && ours.ok) expect(ours.value).toStrictEqual(reference.value);
      }),
      { numRuns: 3000 },
    );
  });

  it('a compiled rule gives the same result on every call (no state leaks between calls)', () => {
    fc.assert(
      fc.property(rule, fc.array(data, { minLength: 2, maxLength: 4 }), (r, ds) => {
        const f = engine.compile(r);
        const first = ds.map((d) => run(() => f(d)));
        const again = ds.map((d) => run(() => f(d)));
        expect(again).toStrictEqual(first);
      }),
      { numRuns: 300 },
    );
  });
});
