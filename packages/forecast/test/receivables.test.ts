import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { isDealflowError } from '@dealflow/core';
import type { StoredRecord } from '@dealflow/core';
import { daysSalesOutstanding, forecastCollections, instalmentPlans, receivablesAgeing, satisfaction } from '../src/index.js';
import { deal } from './helpers.js';

/** An instalment record (the template's fields), created on 2026-01-01. */
function instalment(id: string, amount: number, dueDate: string, payments: Array<{ amount: number; paidOn: string }> = [], stage = 'due', plan?: string): StoredRecord {
  const { record } = deal(id, [[stage, 0]], { amount, dueDate, payments });
  return { ...record, type: 'instalment', meta: plan ? { links: { plan: [plan] } } : {} };
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

describe('receivables ageing', () => {
  test('outstanding amounts by days past due; partial payments and payments after asOf', () => {
    const records = [
      instalment('a', 100.1, '2026-06-30'), // due today → current
      instalment('b', 200.2, '2026-06-29', [{ amount: 50.05, paidOn: '2026-06-01' }]), // 1 day, 150.15 open
      instalment('c', 300.3, '2026-05-31', [{ amount: 300.3, paidOn: '2026-07-05' }]), // paid after asOf → 30 days
      instalment('d', 400.4, '2026-05-30'), // 31 days
      instalment('e', 500.5, '2026-03-01'), // 121 days
      instalment('f', 600.6, '2026-03-01', [{ amount: 600.6, paidOn: '2026-03-02' }], 'paid'), // paid
      instalment('g', 700.7, '2026-03-01', [], 'written_off'), // excluded
    ];
    const ageing = receivablesAgeing({ records, asOf: '2026-06-30T12:00:00Z', currency: 'EUR' });
    const by = Object.fromEntries(ageing.buckets.map((b) => [b.id, [b.amount, b.count]]));
    expect(by).toEqual({ current: [100.1, 1], '1-30': [(15015 + 30030) / 100, 2], '31-60': [400.4, 1], '61-90': [0, 0], '90+': [500.5, 1] });
    expect(ageing.total).toBe((10010 + 15015 + 30030 + 40040 + 50050) / 100);
    expect(ageing.overdue).toBe((15015 + 30030 + 40040 + 50050) / 100);
    expect(ageing.rows.map((r) => r.recordId)).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(ageing.rows.find((r) => r.recordId === 'b')).toMatchObject({ outstanding: 150.15, daysPastDue: 1 });
  });

  test('property: the buckets add up exactly (minor units) to the unpaid amounts, whatever the currency', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(['JPY', 0], ['EUR', 2], ['KWD', 3]),
        fc.array(fc.record({ minor: fc.integer({ min: 0, max: 10 ** 9 }), due: fc.integer({ min: 0, max: 400 }), paidShare: fc.integer({ min: 0, max: 100 }) }), { maxLength: 30 }),
        ([currency, digits], rows) => {
          const unit = 10 ** (digits as number);
          const records = rows.map((r, i) => {
            const paid = Math.floor((r.minor * r.paidShare) / 100);
            return instalment(`i${i}`, r.minor / unit, new Date(Date.UTC(2026, 0, 1) + r.due * 86_400_000).toISOString().slice(0, 10), paid > 0 ? [{ amount: paid / unit, paidOn: '2026-01-02' }] : []);
          });
          const ageing = receivablesAgeing({ records, asOf: '2027-01-01', currency: currency as string });
          const open = rows.reduce((s, r) => s + r.minor - Math.floor((r.minor * r.paidShare) / 100), 0);
          expect(Math.round(ageing.total * unit)).toBe(open);
          expect(ageing.buckets.reduce((s, b) => s + Math.round(b.amount * unit), 0)).toBe(open);
        },
      ),
      { numRuns: 100 },
    );
  });

  test('bad data and options fail naming the record or option', () => {
    expect(codeOf(() => receivablesAgeing({ records: [instalment('x', -5, '2026-01-01')], asOf: '2026-02-01' }))).toBe('DATA_INVALID records[x].fields.amount');
    expect(codeOf(() => receivablesAgeing({ records: [], asOf: '2026-02-01', currency: 'EURO' }))).toBe('INPUT_INVALID $.currency');
    expect(codeOf(() => daysSalesOutstanding({ records: [], asOf: '2026-02-01', days: 0 }))).toBe('INPUT_INVALID $.days');
  });
});

describe('days sales outstanding', () => {
  test('receivables already due ÷ billed in the window × days', () => {
    const records = [
      instalment('a', 1000, '2026-06-01'),
      instalment('b', 1000, '2026-05-01', [{ amount: 1000, paidOn: '2026-05-10' }]),
      instalment('c', 1000, '2026-01-15'), // due before the window: open, not billed in it
      instalment('d', 1000, '2026-08-01'), // not due yet: neither
    ];
    const r = daysSalesOutstanding({ records, asOf: '2026-06-30', days: 90 });
    expect(r).toEqual({ receivables: 2000, billed: 2000, days: 90, dso: (2000 / 2000) * 90 });
    expect(daysSalesOutstanding({ records: [records[3]!], asOf: '2026-06-30' }).dso).toBeNull();
  });
});

describe('collections from instalment records', () => {
  test('instalments grouped by plan become the plans forecastCollections reads', () => {
    const records = [
      instalment('p1-1', 100, '2026-02-01', [{ amount: 40, paidOn: '2026-02-03' }, { amount: 60, paidOn: '2026-02-05' }], 'paid', 'p1'),
      instalment('p1-2', 100, '2026-03-01', [], 'due', 'p1'),
      instalment('solo', 50, '2026-03-10'),
    ];
    const plans = instalmentPlans(records);
    expect(plans.map((p) => [p.id, p.fields.paymentPlan])).toEqual([
      ['p1', [{ dueDate: '2026-02-01', amount: 100, paidAt: '2026-02-05T00:00:00.000Z' }, { dueDate: '2026-03-01', amount: 100, paidAt: null }]],
      ['solo', [{ dueDate: '2026-03-10', amount: 50, paidAt: null }]],
    ]);
    const f = forecastCollections({ records: plans, period: { from: '2026-03-01', to: '2026-04-01' }, asOf: '2026-03-01' });
    expect(f.scheduled).toBe(150);
    expect(f.installments.map((i) => i.recordId).sort()).toEqual(['p1', 'solo']);
    expect(f.delays.paid).toBe(1);
  });
});

describe('satisfaction (CSAT / NPS)', () => {
  test('CSAT is the share of 4–5 ratings; NPS is promoters minus detractors', () => {
    const rec = (id: string, fields: Record<string, unknown>) => deal(id, [['completed', 0]], fields).record;
    const s = satisfaction({ records: [rec('a', { rating: 5, nps: 10 }), rec('b', { rating: 4, nps: 8 }), rec('c', { rating: 2, nps: 3 }), rec('d', { rating: 5 }), rec('e', {})] });
    expect(s).toEqual({ ratings: 4, csat: 3 / 4, averageRating: 16 / 4, npsResponses: 3, nps: ((1 - 1) / 3) * 100, promoters: 1, passives: 1, detractors: 1 });
    expect(satisfaction({ records: [] })).toMatchObject({ csat: null, nps: null });
    expect(codeOf(() => satisfaction({ records: [rec('z', { rating: 6 })] }))).toBe('DATA_INVALID records[z].fields.rating');
  });
});
