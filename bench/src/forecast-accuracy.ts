/**
 * Forecast accuracy on the CRM Sales Opportunities dataset: 30-day won bookings after each
 * month-end 2017-03-31 .. 2017-11-30, forecast with only what history showed at that date.
 * Dealflow's history method beside the naive (last 30 days) and simple weighted-pipeline baselines.
 * Last line: one JSON object (fractions).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { backtest, parsePipelineCsv, type BacktestResult } from '@dealflow/forecast';

const csvPath = fileURLToPath(new URL('../../test/fixtures/crm-sales-opportunities/sales_pipeline.csv', import.meta.url));
const data = parsePipelineCsv(readFileSync(csvPath, 'utf8'));
const asOf = ['2017-03-31', '2017-04-30', '2017-05-31', '2017-06-30', '2017-07-31', '2017-08-31', '2017-09-30', '2017-10-31', '2017-11-30'].map(
  (d) => `${d}T00:00:00.000Z`,
);

const t0 = performance.now();
const history = backtest({ ...data, asOf, horizon: 30, method: 'history' });
const seconds = (performance.now() - t0) / 1000;
const noSeason = backtest({ ...data, asOf, horizon: 30, method: 'history', seasonality: 'none' });
const noBias = backtest({ ...data, asOf, horizon: 30, method: 'history', biasCorrection: false });
const segments = backtest({ ...data, asOf, horizon: 30, method: 'history', winSegments: ['product', 'owner'] });
const independent = backtest({ ...data, asOf, horizon: 30, method: 'history', intervals: 'independent' });
const naive = backtest({ ...data, asOf, horizon: 30, method: 'naive' });
const weighted = backtest({ ...data, asOf, horizon: 30, method: 'weighted' });

const k = (v: number): string => `${(v / 1000).toFixed(0)}k`.padStart(7);
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

console.log('30-day won bookings, CRM Sales Opportunities (8 800 deals), forecast at each month-end\n');
console.log('as of       |  actual | history |   P10   |   P90   | in P10–P90 |  naive | weighted');
console.log('------------|---------|---------|---------|---------|------------|--------|---------');
history.rows.forEach((r, i) => {
  console.log(
    `${r.asOf.slice(0, 10)}  | ${k(r.actual)} | ${k(r.forecast)} | ${k(r.p10!)} | ${k(r.p90!)} | ${(r.covered ? 'yes' : 'no').padStart(10)} | ${k(naive.rows[i]!.forecast)}| ${k(weighted.rows[i]!.forecast)}`,
  );
});
const line = (name: string, r: BacktestResult): string =>
  `${name.padEnd(34)} WAPE ${pct(r.wape).padStart(6)}  MAPE ${pct(r.mape).padStart(6)}  bias ${pct(r.bias).padStart(6)}` +
  (r.coverage === null ? '' : `  P10–P90 coverage ${Math.round(r.coverage * 9)}/9`) +
  (r.brier === null ? '' : `  Brier ${r.brier.toFixed(4)}`);
console.log('');
console.log(line('history (Dealflow, default)', history));
console.log(line('history + product/agent win odds', segments));
console.log(line('history, independent-deal intervals', independent));
console.log(line('history without quarter strata', noSeason));
console.log(line('history without bias correction', noBias));
console.log(line('naive: last 30 days', naive));
console.log(line('simple weighted pipeline', weighted));
console.log('');
console.log(`WAPE ratio vs naive ${(naive.wape / history.wape).toFixed(2)}×, vs weighted ${(weighted.wape / history.wape).toFixed(2)}×; history backtest took ${seconds.toFixed(1)} s`);
console.log(
  JSON.stringify({
    bench: 'forecast-accuracy',
    wape: +history.wape.toFixed(4),
    mape: +history.mape.toFixed(4),
    bias: +history.bias.toFixed(4),
    coverage_p10_p90: +(history.coverage ?? 0).toFixed(4),
    coverage_independent: +(independent.coverage ?? 0).toFixed(4),
    brier: +(history.brier ?? 0).toFixed(4),
    wape_naive: +naive.wape.toFixed(4),
    wape_weighted: +weighted.wape.toFixed(4),
    ratio_vs_naive: +(naive.wape / history.wape).toFixed(3),
    ratio_vs_weighted: +(weighted.wape / history.wape).toFixed(3),
  }),
);
