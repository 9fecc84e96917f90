import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { attainmentOf, createForecaster } from '../src/index.js';
import { dataset, day, deal } from './helpers.js';

/**
 * A book of closed history (so the close model has something to learn) and open deals owned by
 * two reps across two products, all created long before asOf (no deals "created recently", so
 * the forecast is the open deals alone).
 */
function book(openAmounts: number[]) {
  const closed = Array.from({ length: 12 }, (_, i) =>
    deal(`c${i}`, [['lead', i], [i % 3 ? 'won' : 'lost', i + 10 + (i % 5)]], { amount: 100 + 10 * i, product: i % 2 ? 'X' : 'Y' }, i % 2 ? 'ann' : 'bob'),
  );
  const open = openAmounts.map((a, i) => deal(`o${i}`, [['lead', 5 + i]], { amount: a, product: i % 2 ? 'X' : 'Y' }, i % 3 ? 'ann' : 'bob'));
  return dataset(...closed, ...open);
}
const ASOF = day(70);
const segments = { rep: 'owner' as const, product: { field: 'product' } };

describe('segments come from shared trials', () => {
  it('add up to the total: expected value and count, for every segmentation (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 1000 }), (amounts, seed) => {
        const f = createForecaster({ ...book(amounts), segments, trials: 200, seed, observedFrom: day(0) }).forecast({ asOf: ASOF, horizonDays: 30 });
        for (const name of ['rep', 'product']) {
          const rows = f.segments[name]!;
          const sumV = rows.reduce((s, r) => s + r.value.expected, 0);
          const sumC = rows.reduce((s, r) => s + r.count.expected, 0);
          expect(sumV).toBeCloseTo(f.value.expected, 6);
          expect(sumC).toBeCloseTo(f.count.expected, 6);
        }
        // Per deal, the contributions add up to the open-deal part of the total too.
        const fromDeals = f.deals.reduce((s, d) => s + d.contribution, 0);
        expect(fromDeals + f.newDeals.value).toBeCloseTo(f.value.expected, 6);
      }),
      { numRuns: 15 },
    );
  });

  it('a segment never exceeds the total in a trial: P(segment ≥ x) ≤ P(total ≥ x)', () => {
    const f = createForecaster({ ...book([500, 900, 1200, 300, 700]), segments, trials: 500, observedFrom: day(0) }).forecast({ asOf: ASOF, horizonDays: 30 });
    for (const x of [100, 500, 1000, 2000]) {
      for (const row of f.segments.rep!) expect(f.probabilityAtLeast(x, { segment: { by: 'rep', key: row.key } })).toBeLessThanOrEqual(f.probabilityAtLeast(x));
    }
  });
});

describe('P(hit quota)', () => {
  it('matches a brute-force count over every outcome of the open deals', () => {
    const amounts = [400, 700, 1100, 1500, 2300, 3100];
    const data = book(amounts);
    // Independent deals, no period shock, no past windows to recalibrate: P(quota) is exact to compute.
    const forecaster = createForecaster({ ...data, segments, trials: 40_000, seed: 3, intervals: 'independent', observedFrom: day(0), calibration: { minClosed: 10_000 } });
    const f = forecaster.forecast({ asOf: ASOF, horizonDays: 30 });
    expect(f.newDeals.count).toBe(0);
    const deals = f.deals.map((d) => ({ p: d.pWin, v: d.value, owner: data.records.find((r) => r.id === d.id)!.ownerId }));
    const brute = (target: number, who?: string): number => {
      let p = 0;
      for (let mask = 0; mask < 1 << deals.length; mask++) {
        let prob = 1, total = 0;
        deals.forEach((d, i) => {
          const won = (mask >> i) & 1;
          prob *= won ? d.p : 1 - d.p;
          if (won && (who === undefined || d.owner === who)) total += d.v;
        });
        if (total >= target) p += prob;
      }
      return p;
    };
    // Targets between the attainable sums, so the exact value is a step the trials estimate.
    for (const target of [1050, 2550, 4050, 6050]) {
      const exact = brute(target);
      const se = Math.sqrt((exact * (1 - exact)) / 40_000);
      expect(Math.abs(f.probabilityAtLeast(target) - exact)).toBeLessThan(4 * se + 0.002);
    }
    for (const who of ['ann', 'bob']) {
      const exact = brute(1050, who);
      const se = Math.sqrt((exact * (1 - exact)) / 40_000);
      expect(Math.abs(f.probabilityAtLeast(1050, { segment: { by: 'rep', key: who } }) - exact)).toBeLessThan(4 * se + 0.002);
    }
    // With what is already closed added first (`plus`), the same count shifts.
    const exact = brute(3050 - 1000);
    expect(Math.abs(f.probabilityAtLeast(3050, { plus: 1000 }) - exact)).toBeLessThan(4 * Math.sqrt((exact * (1 - exact)) / 40_000) + 0.002);
  });

  it('attainment and pacing of stored quotas from closed deals; pHit from the same trials', () => {
    const data = book([400, 700, 1100]);
    const forecaster = createForecaster({ ...data, segments, trials: 2000, observedFrom: day(0) });
    // Period 2026-Q1 (Jan–Mar); asOf day 20 = 2026-01-21. Closed in the quarter so far by rep:
    const status = attainmentOf(forecaster, [{ scope: 'rep', subject: 'ann', period: '2026-Q1', metric: 'value', amount: 1000 }], { period: '2026-Q1', asOf: day(20) });
    const closedAnn = data.records
      .filter((r) => r.ownerId === 'ann' && r.stage === 'won' && Date.parse(r.stageEnteredAt) <= Date.parse(day(20)))
      .reduce((s, r) => s + Number(r.fields.amount), 0);
    expect(status[0]!.closed).toBe(closedAnn);
    expect(status[0]!.attainment).toBeCloseTo(closedAnn / 1000);
    const elapsed = (Date.parse(day(20)) - Date.UTC(2026, 0, 1)) / (Date.UTC(2026, 3, 1) - Date.UTC(2026, 0, 1));
    expect(status[0]!.elapsed).toBeCloseTo(elapsed);
    expect(status[0]!.pacing).toBeCloseTo(closedAnn / 1000 / elapsed);
    expect(status[0]!.projected.expected).toBeGreaterThanOrEqual(closedAnn);
    expect(status[0]!.pHit).toBeGreaterThanOrEqual(0);
    expect(status[0]!.pHit).toBeLessThanOrEqual(1);
  });
});
