import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backtest, parsePipelineCsv } from '../src/index.js';

// The CRM Sales Opportunities dataset (8 800 opportunities), see test/fixtures/crm-sales-opportunities/SOURCE.md.
const csv = readFileSync(fileURLToPath(new URL('../../../test/fixtures/crm-sales-opportunities/sales_pipeline.csv', import.meta.url)), 'utf8');

// Protocol: 30-day won bookings after each of the 9 month-ends 2017-03-31 .. 2017-11-30,
// forecast with only what history showed at that date.
const asOf = ['2017-03-31', '2017-04-30', '2017-05-31', '2017-06-30', '2017-07-31', '2017-08-31', '2017-09-30', '2017-10-31', '2017-11-30'].map(
  (d) => `${d}T00:00:00.000Z`,
);

describe('forecast accuracy on the CRM dataset (backtest)', () => {
  const data = parsePipelineCsv(csv);
  const history = backtest({ ...data, asOf, horizon: 30, method: 'history' });
  const naive = backtest({ ...data, asOf, horizon: 30, method: 'naive' });
  const weighted = backtest({ ...data, asOf, horizon: 30, method: 'weighted' });

  it('loads the whole dataset', () => {
    expect(data.records).toHaveLength(8800);
    expect(data.records.filter((r) => r.stage === 'won')).toHaveLength(4238);
  });

  it('beats the naive and weighted-pipeline baselines computed in the same run', () => {
    expect(history.wape).toBeLessThan(naive.wape);
    expect(history.wape).toBeLessThan(weighted.wape);
  });

  it('carries the seasonal baseline (same window one quarter earlier) for every date', () => {
    const seasonal = backtest({ ...data, asOf, horizon: 30, method: 'seasonal' });
    expect(seasonal.rows.map((r) => r.actual)).toEqual(history.rows.map((r) => r.actual));
    // Before a quarter of closes is known it falls back to naive; afterwards it differs from it.
    expect(seasonal.rows[0]!.forecast).toBe(naive.rows[0]!.forecast);
    expect(seasonal.rows.at(-1)!.forecast).not.toBe(naive.rows.at(-1)!.forecast);
  });

  it('has P10–P90 intervals that hold the actual in most periods and are not vacuous', () => {
    const covered = history.rows.filter((r) => r.covered).length;
    expect(covered).toBeGreaterThanOrEqual(5);
    for (const r of history.rows) expect(r.p90! / r.p10!).toBeLessThan(2);
  });

  it('needs the calibration: independent-deal intervals cover far fewer periods', () => {
    const independent = backtest({ ...data, asOf, horizon: 30, method: 'history', intervals: 'independent', trials: 2000 });
    const covered = (r: typeof history) => r.rows.filter((x) => x.covered).length;
    expect(covered(independent)).toBeLessThan(covered(history));
    const width = (r: typeof history) => r.rows.reduce((s, x) => s + (x.p90! - x.p10!), 0);
    expect(width(independent)).toBeLessThan(0.6 * width(history));
  });

  it('gives per-deal win probabilities that beat a time-honest constant (Brier score)', () => {
    // Baseline: every open deal gets the share of deals open 30 days earlier that were won within
    // those 30 days (known at asOf).
    const DAY = 86_400_000;
    const constant = backtest({
      ...data,
      asOf,
      horizon: 30,
      method: ({ index: d, asOfMs }) => {
        const start = asOfMs - 30 * DAY;
        let open = 0, won = 0;
        const openNow: string[] = [];
        for (let i = 0; i < d.n; i++) {
          if (d.created[i]! <= start && d.closed[i]! > start) {
            open++;
            if (d.won[i] && d.closed[i]! <= asOfMs) won++;
          }
          if (d.created[i]! <= asOfMs && d.closed[i]! > asOfMs) openNow.push(d.timelines[i]!.record.id);
        }
        const p = open > 0 ? won / open : 0;
        return { expected: 0, dealWinProbabilities: new Map(openNow.map((id) => [id, p])) };
      },
    });
    expect(history.brier!).toBeGreaterThan(0);
    expect(history.brier!).toBeLessThan(constant.brier!);
  });

  it('reports the same actuals for every method', () => {
    expect(history.rows.map((r) => r.actual)).toEqual(naive.rows.map((r) => r.actual));
    expect(history.rows.map((r) => r.actual)).toEqual(weighted.rows.map((r) => r.actual));
  });
});
