import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { isDealflowError, minorUnitsOf } from '@dealflow/core';
import { createMemoryCatalog, planInstalments, priceLines, splitMinor } from '../src/index.js';

function catalog() {
  return createMemoryCatalog({
    products: [
      { id: 'seat', name: 'CRM seat', family: 'software' },
      { id: 'setup', name: 'Onboarding', family: 'service' },
      { id: 'old', name: 'Retired', active: false },
    ],
    priceBooks: [
      { id: 'list', prices: { seat: { EUR: 19.99, JPY: 2500, KWD: 6.125 }, setup: { EUR: 500 }, old: { EUR: 1 } } },
      { id: 'partner', prices: { seat: { EUR: 15 } } },
    ],
  });
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isDealflowError(e)) return `${e.code} ${e.problems[0]?.path ?? ''}`;
    throw e;
  }
  return 'no error';
}

async function asyncCodeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isDealflowError(e)) return `${e.code} ${e.problems[0]?.path ?? ''}`;
    throw e;
  }
  return 'no error';
}

describe('catalogue', () => {
  test('prices per price book and currency, in whole minor units', async () => {
    const c = catalog();
    expect(await c.getPrice('seat', 'list', 'KWD')).toMatchObject({ unitPrice: 6.125, unitPriceMinor: 6125 });
    expect(await c.getPrice('seat', 'partner', 'EUR')).toMatchObject({ unitPrice: 15, unitPriceMinor: 1500 });
    expect(await c.getPrice('seat', 'partner', 'JPY')).toBeNull();
    expect(c.defaultPriceBook).toBe('list');
    expect((await c.listProducts()).map((p) => p.id)).toEqual(['seat', 'setup', 'old']);
  });

  test('a price with more decimals than its currency, an unknown currency or product is refused with its path', () => {
    expect(codeOf(() => createMemoryCatalog({ products: [{ id: 'a', name: 'A' }], priceBooks: [{ id: 'b', prices: { a: { JPY: 10.5 } } }] }))).toBe('INPUT_INVALID $.priceBooks[0].prices.a.JPY');
    expect(codeOf(() => createMemoryCatalog({ products: [{ id: 'a', name: 'A' }], priceBooks: [{ id: 'b', prices: { a: { XXY: 1 } } }] }))).toBe('INPUT_INVALID $.priceBooks[0].prices.a.XXY');
    expect(codeOf(() => createMemoryCatalog({ products: [{ id: 'a', name: 'A' }], priceBooks: [{ id: 'b', prices: { z: { EUR: 1 } } }] }))).toBe('INPUT_INVALID $.priceBooks[0].prices.z');
    expect(codeOf(() => createMemoryCatalog({ products: [{ id: 'a', name: 'A' }], priceBooks: [{ id: 'b', prices: { a: { EUR: -1 } } }] }))).toBe('INPUT_INVALID $.priceBooks[0].prices.a.EUR');
  });
});

describe('line-item pricing', () => {
  test('line totals, discounts and the total are exact in minor units', async () => {
    const priced = await priceLines(catalog(), [{ product: 'seat', quantity: 3, discountPercent: 12.5 }, { product: 'setup', quantity: 1 }], { currency: 'EUR' });
    // 3 × 19.99 = 59.97; 12.5 % of 5997 minor = 749.625 → 750; 5997 − 750 = 5247
    expect(priced.lines.map((l) => l.lineTotalMinor)).toEqual([5997 - Math.round((5997 * 1250) / 10000), 50000]);
    expect(priced.totalMinor).toBe(priced.lines.reduce((s, l) => s + l.lineTotalMinor, 0));
    expect(priced.total).toBe(priced.totalMinor / 100);
    expect(priced.subtotal).toBe(59.97 + 500);
    expect(priced.maxDiscountPercent).toBe(12.5);
    expect(priced.lines[0]).toMatchObject({ product: 'seat', name: 'CRM seat', unitPrice: 19.99 });
  });

  test('unknown, inactive or unpriced products and bad quantities fail whole, naming the line', async () => {
    const c = catalog();
    expect(await asyncCodeOf(priceLines(c, [{ product: 'seat', quantity: 1 }, { product: 'nope', quantity: 1 }], { currency: 'EUR' }))).toBe('INPUT_INVALID $[1].product');
    expect(await asyncCodeOf(priceLines(c, [{ product: 'old', quantity: 1 }], { currency: 'EUR' }))).toBe('INPUT_INVALID $[0].product');
    expect(await asyncCodeOf(priceLines(c, [{ product: 'setup', quantity: 1 }], { currency: 'JPY' }))).toBe('INPUT_INVALID $[0].product');
    expect(await asyncCodeOf(priceLines(c, [{ product: 'seat', quantity: 0 }], { currency: 'EUR' }))).toBe('INPUT_INVALID $[0].quantity');
    expect(await asyncCodeOf(priceLines(c, [{ product: 'seat', quantity: 1, discountPercent: 101 }], { currency: 'EUR' }))).toBe('INPUT_INVALID $[0].discountPercent');
    expect(await asyncCodeOf(priceLines(c, [{ product: 'seat', quantity: 1 }], { currency: 'EURO' }))).toBe('INPUT_INVALID $.currency');
  });

  test('property: the total is the sum of the line totals and never above the undiscounted subtotal', async () => {
    const c = catalog();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('EUR', 'JPY', 'KWD'),
        fc.array(fc.record({ quantity: fc.integer({ min: 1, max: 10_000 }), discountPercent: fc.integer({ min: 0, max: 10_000 }).map((b) => b / 100) }), { minLength: 1, maxLength: 20 }),
        async (currency, lines) => {
          const priced = await priceLines(c, lines.map((l) => ({ product: 'seat', ...l })), { currency });
          const digits = minorUnitsOf(currency);
          expect(priced.totalMinor).toBe(priced.lines.reduce((s, l) => s + l.lineTotalMinor, 0));
          expect(Number.isInteger(priced.totalMinor)).toBe(true);
          expect(Math.round(priced.total * 10 ** digits)).toBe(priced.totalMinor);
          for (const l of priced.lines) expect(l.lineTotalMinor).toBeLessThanOrEqual(Math.round(l.unitPrice * 10 ** digits) * l.quantity);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('payment plans and instalments', () => {
  test('property: instalments always sum exactly to the contract amount (JPY, EUR, KWD; counts and shares)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('JPY', 'EUR', 'KWD'),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.oneof(fc.integer({ min: 1, max: 36 }).map((count) => ({ count })), fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 24 }).filter((s) => s.some((x) => x > 0)).map((shares) => ({ shares }))),
        (currency, minor, split) => {
          const digits = minorUnitsOf(currency);
          const amount = (minor / 10 ** digits).toFixed(digits);
          const plan = planInstalments({ amount, currency, firstDue: '2026-01-31', ...split });
          expect(plan.reduce((s, i) => s + i.amountMinor, 0)).toBe(minor);
          const weights = 'count' in split ? Array.from({ length: split.count }, () => 1) : split.shares;
          const wsum = weights.reduce((a, b) => a + b, 0);
          plan.forEach((inst, k) => {
            expect(Number.isSafeInteger(inst.amountMinor)).toBe(true);
            expect(inst.amountMinor).toBeGreaterThanOrEqual(0);
            // each part within one minor unit of its exact share
            expect(Math.abs(inst.amountMinor - (minor * weights[k]!) / wsum)).toBeLessThan(1 + 1e-6 * minor);
            expect(Math.round(inst.amount * 10 ** digits)).toBe(inst.amountMinor);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  test('due dates step by months from the first, keeping the day where the month has it', () => {
    const plan = planInstalments({ amount: 100, currency: 'EUR', count: 3, firstDue: '2026-01-31' });
    expect(plan.map((i) => i.dueDate)).toEqual(['2026-01-31', '2026-02-28', '2026-03-31']);
    expect(plan.map((i) => i.amount)).toEqual([33.34, 33.33, 33.33]);
    expect(planInstalments({ amount: 10, currency: 'JPY', count: 2, firstDue: '2026-03-01', every: 'P14D' }).map((i) => i.dueDate)).toEqual(['2026-03-01', '2026-03-15']);
  });

  test('splitMinor gives leftover units to the largest remainders', () => {
    expect(splitMinor(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(splitMinor(5, [0, 1])).toEqual([0, 5]);
  });

  test('bad plans fail whole, naming the path', () => {
    expect(codeOf(() => planInstalments({ amount: 10.5, currency: 'JPY', count: 2, firstDue: '2026-01-01' }))).toBe('INPUT_INVALID $.amount');
    expect(codeOf(() => planInstalments({ amount: 10, currency: 'EUR', count: 2, shares: [1], firstDue: '2026-01-01' }))).toBe('INPUT_INVALID $.count');
    expect(codeOf(() => planInstalments({ amount: 10, currency: 'EUR', firstDue: '2026-01-01' }))).toBe('INPUT_INVALID $.count');
    expect(codeOf(() => planInstalments({ amount: 10, currency: 'EUR', count: 2, firstDue: '2026-02-30' }))).toBe('INPUT_INVALID $.firstDue');
    expect(codeOf(() => planInstalments({ amount: 10, currency: 'EUR', shares: [0, 0], firstDue: '2026-01-01' }))).toBe('INPUT_INVALID $.weights');
    expect(codeOf(() => planInstalments({ amount: -1, currency: 'EUR', count: 1, firstDue: '2026-01-01' }))).toBe('INPUT_INVALID $.amount');
  });
});
