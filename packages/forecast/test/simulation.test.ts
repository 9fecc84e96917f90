import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isDealflowError } from '@dealflow/core';
import { backtest, createRng, forecastBookings, parsePipelineCsv, renderFanChartSvg, simulateBookings } from '../src/index.js';
import { day, deal, dataset } from './helpers.js';

describe('simulateBookings', () => {
  it('is exact for certain deals', () => {
    const r = simulateBookings({ probabilities: [1, 0, 1], amounts: [10, 99, 5], trials: 500, seed: 3 });
    // the p=1 deals always book (15), the p=0 deal never does
    expect([r.p10, r.p50, r.p90, r.mean]).toEqual([15, 15, 15, 15]);
  });

  it('is reproducible with a seed and varies with it', () => {
    const input = { probabilities: [0.3, 0.6, 0.5, 0.1], amounts: [100, 200, 300, 400], trials: 2000 };
    const a = simulateBookings({ ...input, seed: 11 });
    const b = simulateBookings({ ...input, seed: 11 });
    const c = simulateBookings({ ...input, seed: 12 });
    expect(Array.from(a.totals)).toEqual(Array.from(b.totals));
    expect(Array.from(a.totals)).not.toEqual(Array.from(c.totals));
  });

  it('has the expected mean and ordered quantiles (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1000, noNaN: true })), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (deals, seed) => {
          const probabilities = deals.map((d) => d[0]);
          const amounts = deals.map((d) => d[1]);
          const trials = 4000;
          const r = simulateBookings({ probabilities, amounts, trials, seed });
          const mean = deals.reduce((s, [p, v]) => s + p * v, 0);
          const sd = Math.sqrt(deals.reduce((s, [p, v]) => s + p * (1 - p) * v * v, 0) / trials);
          expect(Math.abs(r.mean - mean)).toBeLessThanOrEqual(5 * sd + 1e-6 * (1 + mean));
          expect(r.p10).toBeLessThanOrEqual(r.p50);
          expect(r.p50).toBeLessThanOrEqual(r.p90);
          expect(r.p10).toBeGreaterThanOrEqual(0);
          expect(r.p90).toBeLessThanOrEqual(amounts.reduce((s, v) => s + v, 0) + 1e-6);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('widens the interval with a period shock', () => {
    const probabilities = new Float64Array(1000).fill(0.5);
    const amounts = new Float64Array(1000).fill(100);
    const plain = simulateBookings({ probabilities, amounts, seed: 5 });
    const shocked = simulateBookings({ probabilities, amounts, seed: 5, shockSigma: 0.3 });
    // independent: sd = sqrt(1000·¼)·100 ≈ 1581 on a mean of 50 000 → P90/P10 ≈ 1.08; a 0.3 log-sd shock gives ≈ e^(2·1.28·0.3) ≈ 2.2
    expect(plain.p90 / plain.p10).toBeLessThan(1.15);
    expect(shocked.p90 / shocked.p10).toBeGreaterThan(1.8);
  });

  it('rejects a probability outside [0, 1] naming its index', () => {
    try {
      simulateBookings({ probabilities: [0.5, 1.5], amounts: [1, 1] });
      expect.unreachable();
    } catch (e) {
      expect(isDealflowError(e, 'INPUT_INVALID')).toBe(true);
      expect((e as Error).message).toMatch(/probabilities\[1\]/);
    }
  });
});

describe('createRng', () => {
  it('repeats for a seed and stays in [0, 1)', () => {
    const a = createRng(9), b = createRng(9);
    for (let i = 0; i < 1000; i++) {
      const x = a.next();
      expect(x).toBe(b.next());
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});

/** Four deals created on day 0; on day 1 one is won (100), one lost; two stay open. */
function tinyBook() {
  return dataset(
    deal('w', [['lead', 0], ['won', 1]], { amount: 100, product: 'X' }),
    deal('l', [['lead', 0], ['lost', 1]], { amount: 0, product: 'X' }),
    deal('o1', [['lead', 0]], { product: 'X' }),
    deal('o2', [['lead', 0]], { product: 'X' }),
  );
}

describe('forecastBookings', () => {
  it('matches a hand-computed survival forecast (exact time)', () => {
    const f = forecastBookings({
      ...tinyBook(),
      asOf: day(1),
      horizonDays: 2,
      ageBands: [0],
      observedFrom: day(0),
      calibration: { minClosed: 1000 }, // no past windows: no mix, no bias correction
    });
    // Exposure 4 deal-days (each deal open day 0 → day 1), 2 closes → hazard 0.5 a day (the
    // shrinkage priors pull toward the same pooled value). Win share of closes ½.
    // Open deal over the next 2 days: P(win) = ½ · (1 − e^(−0.5·2)); value = product X mean won 100.
    const pOpen = 0.5 * (1 - Math.exp(-1));
    expect(f.deals.map((d) => d.id)).toEqual(['o1', 'o2']);
    expect(f.deals[0]!.pWin).toBeCloseTo(pOpen, 10);
    expect(f.deals[0]!.value).toBeCloseTo(100);
    expect(f.fromOpenDeals).toBeCloseTo(2 * pOpen * 100, 8);
    // New deals: 4 created in the last 30 days → 4/30 a day, one day at a time, created mid-day:
    // created at 1.5 d has 1.5 d left, created at 2.5 d has 0.5 d.
    const pNew = 0.5 * (1 - Math.exp(-0.75)) + 0.5 * (1 - Math.exp(-0.25));
    expect(f.fromNewDeals).toBeCloseTo((4 / 30) * pNew * 100, 8);
    expect(f.expected).toBeCloseTo(2 * pOpen * 100 + (4 / 30) * pNew * 100, 8);
    expect(f.p10).toBeLessThanOrEqual(f.p50);
    expect(f.p50).toBeLessThanOrEqual(f.p90);
  });

  it('counts a close only once it happened: a 09:00 forecast does not see a 17:00 close the same day', () => {
    const at = (d: number, h: number): string => new Date(Date.parse(day(d)) + h * 3_600_000).toISOString();
    const mk = (closeHour: number) =>
      dataset(
        deal('w', [['lead', 0], ['won', 1]], { amount: 100, product: 'X' }),
        { ...deal('late', [['lead', 0]], { amount: 50, product: 'X' }) },
      ).history.concat(closeHour < 0 ? [] : [{ tenantId: 't', id: 'late:2', recordId: 'late', seq: 2, at: at(5, closeHour), kind: 'transition', from: 'lead', to: 'won', data: {} }]);
    const base = dataset(deal('w', [['lead', 0], ['won', 1]], { amount: 100, product: 'X' }), deal('late', [['lead', 0]], { amount: 50, product: 'X' }));
    const o = { stages: base.stages, records: base.records, asOf: at(5, 9), horizonDays: 3, observedFrom: day(0), calibration: { minClosed: 1000 } };
    const closingAt17 = forecastBookings({ ...o, history: mk(17) });
    const neverCloses = forecastBookings({ ...o, history: mk(-1) });
    expect(closingAt17.expected).toBeCloseTo(neverCloses.expected, 10);
    expect(closingAt17.deals.map((d) => d.id)).toEqual(['late']);
  });

  it('uses only what history shows at asOf (time honesty, property)', () => {
    // Deals created before asOf; what happens after asOf (close day and outcome) must not matter.
    const asOf = 20;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 21, max: 60 }), fc.boolean()), { minLength: 6, maxLength: 6 }),
        (futures) => {
          const base = [
            deal('a', [['lead', 0], ['won', 5]], { amount: 50, product: 'X' }),
            deal('b', [['lead', 2], ['lost', 9]], { amount: 0, product: 'X' }),
            deal('c', [['lead', 3], ['won', 15]], { amount: 70, product: 'X' }),
          ];
          // (Amounts set on the record count as known since creation, so both truths carry the same.)
          const later = futures.map(([d, won], i) => deal(`f${i}`, [['lead', i * 3], [won ? 'won' : 'lost', d]], { amount: 500, product: 'X' }));
          const truthA = dataset(...base, ...later);
          const truthB = dataset(...base, ...futures.map((_, i) => deal(`f${i}`, [['lead', i * 3]], { amount: 500, product: 'X' })));
          const o = { asOf: day(asOf), horizonDays: 10, trials: 200, calibration: { minClosed: 1 } };
          const a = forecastBookings({ ...truthA, ...o });
          const b = forecastBookings({ ...truthB, ...o });
          expect(a.expected).toBeCloseTo(b.expected, 6);
          expect(a.p90).toBeCloseTo(b.p90, 6);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('does not see amounts or outcomes of CSV deals that close after asOf (property)', () => {
    const head = 'opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n';
    const past =
      'a,Ann,P1,,Won,2017-01-02,2017-01-20,500\n' +
      'b,Bob,P1,,Lost,2017-01-03,2017-01-25,0\n' +
      'c,Ann,P2,,Won,2017-01-05,2017-01-28,900\n' +
      'd,Bob,P2,,Won,2017-01-06,2017-02-01,800\n';
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 99_999 }), fc.integer({ min: 10, max: 28 })), { minLength: 3, maxLength: 3 }),
        (futures) => {
          // Same deals, open at asOf (2017-02-05); after it they close in ways that differ per run.
          const later = futures.map(([won, value, dd], i) => `f${i},Ann,P1,,${won ? 'Won' : 'Lost'},2017-01-1${i},2017-02-${dd},${won ? value : 0}\n`).join('');
          const open = futures.map((_, i) => `f${i},Ann,P1,,Engaging,2017-01-1${i},,\n`).join('');
          const o = { asOf: '2017-02-05T00:00:00.000Z', horizonDays: 10, trials: 300, calibration: { minClosed: 1 } };
          const a = forecastBookings({ ...parsePipelineCsv(head + past + later), ...o });
          const b = forecastBookings({ ...parsePipelineCsv(head + past + open), ...o });
          expect(a.expected).toBeCloseTo(b.expected, 6);
          expect(a.deals).toEqual(b.deals);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('forecasts zero, without failing, from an empty or amount-less history', () => {
    const empty = forecastBookings({ records: [], history: [], stages: tinyBook().stages, asOf: day(5) });
    expect([empty.expected, empty.p10, empty.p90]).toEqual([0, 0, 0]);
    const noAmounts = dataset(deal('w', [['lead', 0], ['won', 1]]), deal('o', [['lead', 0]]));
    const f = forecastBookings({ ...noAmounts, asOf: day(2), horizonDays: 5 });
    expect(f.expected).toBe(0);
    expect(f.deals).toHaveLength(1);
  });

  it('rejects a bad horizon and a bad date', () => {
    expect(() => forecastBookings({ ...tinyBook(), asOf: day(1), horizonDays: 0 })).toThrowError(/horizonDays/);
    expect(() => forecastBookings({ ...tinyBook(), asOf: 'yesterday' })).toThrowError(/asOf is not a valid date/);
  });
});

describe('backtest', () => {
  it('compares forecasts with actuals per date (naive method, hand-computed)', () => {
    const data = dataset(
      deal('a', [['lead', 0], ['won', 5]], { amount: 100 }),
      deal('b', [['lead', 0], ['won', 15]], { amount: 300 }),
      deal('c', [['lead', 0], ['won', 25]], { amount: 200 }),
    );
    const r = backtest({ ...data, asOf: [day(10), day(20)], horizon: 10, method: 'naive' });
    // asOf d10: naive = won in (d0, d10] = 100; actual (d10, d20] = 300 → |−200|
    // asOf d20: naive = 300; actual (d20, d30] = 200 → |+100|.  WAPE = 300/500; MAPE = (2/3 + 1/2)/2
    expect(r.rows.map((x) => [x.forecast, x.actual])).toEqual([[100, 300], [300, 200]]);
    expect(r.wape).toBeCloseTo(0.6);
    expect(r.mape).toBeCloseTo((2 / 3 + 1 / 2) / 2);
    expect(r.bias).toBeCloseTo(-100 / 500);
    expect(r.coverage).toBeNull();
  });

  it('computes the simple weighted-pipeline baseline (hand-computed)', () => {
    const data = dataset(
      deal('a', [['lead', 0], ['won', 10]], { amount: 100 }),
      deal('b', [['lead', 0], ['lost', 20]], { amount: 70 }),
      deal('c', [['lead', 5], ['won', 14]], { amount: 40 }),
    );
    const r = backtest({ ...data, asOf: [day(12)], horizon: 10, method: 'weighted' });
    // Known at d12: one close (a, won after 10 d) → win rate 1, cycles [10].
    // b (age 12): no past cycle longer than 12 d → P(close within 10 d) = 0.
    // c (age 7): cycles > 7: [10], of which ≤ 17: [10] → P = 1 → 40 · 1 · 1 = 40. Actual (d12, d22]: c won 40.
    expect(r.rows[0]).toMatchObject({ forecast: 40, actual: 40 });
  });

  it('accepts a custom method with intervals and deal probabilities', () => {
    const data = dataset(deal('a', [['lead', 0], ['won', 15]], { amount: 100 }), deal('b', [['lead', 0]], {}));
    const r = backtest({
      ...data,
      asOf: [day(10)],
      horizon: 10,
      method: () => ({ expected: 80, p10: 50, p90: 150, dealWinProbabilities: new Map([['a', 0.6], ['b', 0.2]]) }),
    });
    // actual 100 in [50, 150] → covered; Brier: a won in period (0.6 − 1)² = 0.16, b not (0.2)² = 0.04 → 0.1
    expect(r.coverage).toBe(1);
    expect(r.brier).toBeCloseTo(0.1);
  });
});

describe('renderFanChartSvg', () => {
  const pts = [
    { label: 'W1', p10: 10, p50: 20, p90: 30, actual: 25 },
    { label: 'W2 <&>', p10: 20, p50: 40, p90: 60 },
  ];
  it('renders a band, a median line, labels and actual dots as plain SVG', () => {
    const svg = renderFanChartSvg(pts, { title: 'Bookings', width: 400, height: 200 });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('<polygon');
    expect(svg).toContain('<polyline');
    expect(svg.match(/<circle/g)).toHaveLength(1);
    expect(svg).toContain('W2 &lt;&amp;&gt;');
    expect(svg).toContain('>Bookings<');
  });

  it('rejects unordered quantiles', () => {
    expect(() => renderFanChartSvg([{ label: 'x', p10: 5, p50: 4, p90: 6 }])).toThrowError(/points\[0\]/);
  });
});
