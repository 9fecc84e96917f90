import { readFileSync } from 'node:fs';
import { createForecaster, parsePipelineCsv } from '../../packages/forecast/src/index.js';
const csv = readFileSync(new URL('../../test/fixtures/crm-sales-opportunities/sales_pipeline.csv', import.meta.url), 'utf8');
const data = parsePipelineCsv(csv);
let t = performance.now();
const f = createForecaster({ ...data, segments: { rep: 'owner', product: { field: 'product' } } });
console.log('create', (performance.now() - t).toFixed(1));
for (const d of ['2017-09-30', '2017-10-07', '2017-10-31', '2017-11-15']) {
  t = performance.now();
  f.forecast({ asOf: d + 'T00:00:00Z', horizonDays: 30 });
  const cold = performance.now() - t;
  t = performance.now();
  f.forecast({ asOf: d + 'T00:00:00Z', horizonDays: 30 });
  console.log(d, 'cold', cold.toFixed(1), 'warm', (performance.now() - t).toFixed(1));
}
