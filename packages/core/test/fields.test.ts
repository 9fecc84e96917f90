import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  createEngine,
  createManualClock,
  createMemoryStorage,
  defineBlueprint,
  fromMinorUnits,
  isDealflowError,
  lintBlueprint,
  minorUnitsOf,
  replay,
  toMinorUnits,
} from '../src/index.js';
import type { BlueprintInput } from '../src/index.js';

const rep = { actor: { id: 'ana', roles: ['rep'] } };

/** A deal with every field type, product lines and computed totals. */
export function typedDealJson(): BlueprintInput {
  return {
    id: 'typed-deal',
    version: 1,
    recordType: 'deal',
    initialStage: 'open',
    fields: {
      name: { type: 'text', required: true, maxLength: 80 },
      seats: { type: 'number', integer: true, min: 1 },
      budget: { type: 'money', currency: 'EUR' },
      budgetYen: { type: 'money', currency: 'JPY' },
      closeDate: { type: 'date' },
      callAt: { type: 'datetime' },
      temperature: { type: 'picklist', values: ['hot', 'cold'], labels: { hot: { en: 'Hot', zh: '热' }, cold: { en: 'Cold', zh: '冷' } } },
      vip: { type: 'boolean' },
      email: { type: 'email' },
      phone: { type: 'phone', defaultCountry: 'DE' },
      account: { type: 'reference', to: 'account' },
      lines: {
        type: 'list',
        maxItems: 5,
        item: {
          product: { type: 'text', required: true },
          quantity: { type: 'number', min: 0, required: true },
          unitPrice: { type: 'money', currency: 'EUR', required: true },
          discount: { type: 'number', min: 0, max: 1, default: 0 },
          total: {
            type: 'money',
            currency: 'EUR',
            computed: { '*': [{ var: 'item.quantity' }, { var: 'item.unitPrice' }, { '-': [1, { var: 'item.discount' }] }] },
          },
        },
      },
      amount: {
        type: 'money',
        currency: 'EUR',
        computed: { reduce: [{ var: 'fields.lines' }, { '+': [{ var: 'accumulator' }, { var: 'current.total' }] }, 0] },
      },
      big: { type: 'boolean', computed: { '>=': [{ var: 'fields.amount' }, 1000] } },
    },
    stages: [
      { id: 'open', kind: 'open' },
      { id: 'approved', kind: 'open' },
      { id: 'won', kind: 'won' },
    ],
    transitions: [
      { event: 'approve', from: 'open', to: 'approved', guard: { var: 'fields.big' } },
      { event: 'win', from: 'approved', to: 'won' },
    ],
  };
}

function setup() {
  const clock = createManualClock('2026-03-02T09:00:00.000Z');
  const engine = createEngine({ storage: createMemoryStorage(), blueprints: [defineBlueprint(typedDealJson())], clock });
  return { engine, clock };
}

async function problemsOf(p: Promise<unknown>): Promise<Array<{ path: string; code?: string }>> {
  try {
    await p;
  } catch (e) {
    if (isDealflowError(e, 'INPUT_INVALID')) return e.problems.map((x) => ({ path: x.path, code: x.code }));
    throw e;
  }
  throw new Error('expected INPUT_INVALID');
}

describe('field types', () => {
  test('values are stored normalized: e-mail, phone (E.164), datetime (UTC), date, money in minor units', async () => {
    const { engine } = setup();
    const { record } = await engine.create('deal', {
      fields: {
        name: 'ACME',
        email: '  Ann.Lee@Example.COM ',
        phone: '030 1234567',
        callAt: '2026-03-05T10:30:00+01:00',
        closeDate: '2026-04-30',
        budget: 19.99,
        budgetYen: 1500,
        temperature: 'hot',
        account: 'acc_1',
      },
    }, rep);
    expect(record.fields).toMatchObject({
      email: 'ann.lee@example.com',
      phone: '+49301234567',
      callAt: '2026-03-05T09:30:00.000Z',
      closeDate: '2026-04-30',
      budget: 19.99,
      budgetYen: 1500,
    });
  });

  test('every wrong value is reported at once, each with its path', async () => {
    const { engine } = setup();
    const problems = await problemsOf(engine.create('deal', {
      fields: {
        name: 'x'.repeat(81),
        seats: 2.5,
        budget: 12.345,
        budgetYen: 10.5,
        callAt: '2026-03-05T10:30:00',
        closeDate: '2026-02-30',
        temperature: 'warm',
        email: 'not-an-email',
        phone: '12',
        account: 7,
        vip: 'yes',
      },
    }, rep));
    expect(problems.map((p) => p.path).sort()).toEqual([
      '$.fields.account', '$.fields.budget', '$.fields.budgetYen', '$.fields.callAt', '$.fields.closeDate', '$.fields.email',
      '$.fields.name', '$.fields.phone', '$.fields.seats', '$.fields.temperature', '$.fields.vip',
    ]);
    expect(problems.find((p) => p.path === '$.fields.budget')?.code).toBe('invalid_money');
  });

  test('list items follow their item schema: unknown, missing and wrong item fields name the item', async () => {
    const { engine } = setup();
    const problems = await problemsOf(engine.create('deal', {
      fields: { name: 'ACME', lines: [{ product: 'A', quantity: 1, unitPrice: 10, colour: 'red' }, { product: 'B', unitPrice: 'ten' }] },
    }, rep));
    expect(problems.map((p) => p.path).sort()).toEqual(['$.fields.lines[0].colour', '$.fields.lines[1].quantity', '$.fields.lines[1].unitPrice']);
    const tooMany = await problemsOf(engine.create('deal', { fields: { name: 'ACME', lines: Array.from({ length: 6 }, () => ({ product: 'A', quantity: 1, unitPrice: 1 })) } }, rep));
    expect(tooMany).toEqual([{ path: '$.fields.lines', code: 'too_big' }]);
  });

  test('money helpers: minor units per currency, exact conversion', () => {
    expect([minorUnitsOf('EUR'), minorUnitsOf('JPY'), minorUnitsOf('BHD')]).toEqual([2, 0, 3]);
    expect(toMinorUnits(19.99, 2)).toBe(1999);
    expect(toMinorUnits('1234.50', 2)).toBe(123450);
    expect(typeof toMinorUnits(12.345, 2)).toBe('string');
    expect(toMinorUnits(0.1 + 0.2, 2, { exact: false })).toBe(30);
    expect(fromMinorUnits(1999, 2)).toBe(19.99);
  });
});

describe('computed fields', () => {
  test('line totals and the amount are computed on create and on every change; rules read them', async () => {
    const { engine } = setup();
    const { record } = await engine.create('deal', {
      fields: { name: 'ACME', lines: [{ product: 'Seat', quantity: 3, unitPrice: 19.99 }, { product: 'Setup', quantity: 1, unitPrice: 100, discount: 0.15 }] },
    }, rep);
    // 3 × 19.99 = 59.97 exactly (not 59.970000000000006); 100 × 0.85 = 85
    expect(record.fields.lines).toEqual([
      { product: 'Seat', quantity: 3, unitPrice: 19.99, discount: 0, total: 59.97 },
      { product: 'Setup', quantity: 1, unitPrice: 100, discount: 0.15, total: 85 },
    ]);
    expect(record.fields).toMatchObject({ amount: 144.97, big: false });
    const no = await engine.send(record.id, 'approve', rep);
    expect(no.ok).toBe(false);
    const yes = await engine.send(record.id, { type: 'approve', fields: { lines: [{ product: 'Seat', quantity: 60, unitPrice: 19.99 }] } }, rep);
    expect(yes.ok && yes.record.fields).toMatchObject({ amount: 1199.4, big: true });
    expect(replay(await engine.history(record.id))).toEqual(await engine.get(record.id));
  });

  test('a computed field cannot be written', async () => {
    const { engine } = setup();
    expect(await problemsOf(engine.create('deal', { fields: { name: 'ACME', amount: 5 } }, rep))).toEqual([{ path: '$.fields.amount', code: 'computed_field' }]);
  });

  test('the amount is the exact sum of its lines for any lines (minor units, no float residue)', async () => {
    const { engine } = setup();
    const line = fc.record({ quantity: fc.integer({ min: 0, max: 50 }), cents: fc.integer({ min: 0, max: 100_000 }), pct: fc.integer({ min: 0, max: 100 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 5 }), async (ls) => {
        const { record } = await engine.create('deal', {
          fields: { name: 'P', lines: ls.map((l, i) => ({ product: `p${i}`, quantity: l.quantity, unitPrice: l.cents / 100, discount: l.pct / 100 })) },
        }, rep);
        // each line total is a whole number of cents within half a cent of the exact product (a tie may round either way in binary)
        const exact = ls.map((l) => (l.quantity * l.cents * (100 - l.pct)) / 100);
        const lines = record.fields.lines as Array<{ total: number }>;
        const cents = lines.map((it) => it.total * 100);
        cents.forEach((c, i) => {
          expect(Math.abs(c - Math.round(c))).toBeLessThan(1e-6);
          expect(Math.abs(Math.round(c) - exact[i]!)).toBeLessThanOrEqual(0.5 + 1e-9);
        });
        // the amount is exactly the sum of the line totals, in cents
        expect(Math.round((record.fields.amount as number) * 100)).toBe(cents.reduce((a, c) => a + Math.round(c), 0));
        expect(Math.abs((record.fields.amount as number) * 100 - Math.round((record.fields.amount as number) * 100))).toBeLessThan(1e-6);
      }),
      { numRuns: 60 },
    );
  });
});

describe('blueprint checks and lint for fields', () => {
  const withFields = (fields: Record<string, unknown>): BlueprintInput => ({ ...typedDealJson(), fields: fields as BlueprintInput['fields'], transitions: [{ event: 'win', from: 'open', to: 'won' }], stages: [{ id: 'open' }, { id: 'won', kind: 'won' }] });

  test('a formula naming an unknown field is an error with its path and a hint', () => {
    const json = withFields({ amount: { type: 'number' }, total: { type: 'number', computed: { '*': [{ var: 'fields.amout' }, 2] } } });
    const findings = lintBlueprint(json).filter((f) => f.severity === 'error');
    expect(findings).toEqual([expect.objectContaining({ code: 'unknown_field', path: '$.fields.total.computed', hint: "did you mean 'amount'?" })]);
    expect(() => defineBlueprint(json)).toThrow(/\$\.fields\.total\.computed/);
  });

  test('item formulas read their item; unknown item fields, cycles and settings of other types are errors', () => {
    const codes = (fields: Record<string, unknown>) => lintBlueprint(withFields(fields)).filter((f) => f.severity === 'error').map((f) => `${f.code} ${f.path}`);
    expect(codes({ lines: { type: 'list', item: { q: { type: 'number' }, t: { type: 'number', computed: { var: 'item.qty' } } } } })).toEqual(['unknown_field $.fields.lines.item.t.computed']);
    expect(codes({ a: { type: 'number', computed: { var: 'fields.b' } }, b: { type: 'number', computed: { var: 'fields.a' } } })).toEqual(['computed_cycle $.fields.a.computed']);
    expect(codes({ p: { type: 'picklist' }, m: { type: 'money', currency: 'EUX' }, t: { type: 'text', currency: 'EUR' }, r: { type: 'reference' }, l: { type: 'list' } }).sort()).toEqual([
      'enum_values_missing $.fields.p.values',
      'list_item_missing $.fields.l.item',
      'reference_target_missing $.fields.r.to',
      'setting_of_other_type $.fields.t.currency',
      'unknown_currency $.fields.m.currency',
    ]);
  });

  test('a set action may not write a computed field', () => {
    const json = { ...withFields({ a: { type: 'number' }, b: { type: 'number', computed: { var: 'fields.a' } } }), transitions: [{ event: 'win', from: 'open', to: 'won', actions: [{ type: 'set', field: 'b', value: 1 }] }] } as BlueprintInput;
    expect(lintBlueprint(json).map((f) => f.code)).toContain('computed_field');
  });
});
