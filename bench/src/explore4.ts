import { readFileSync } from 'node:fs';
import { createForecaster, parsePipelineCsv } from '../../packages/forecast/src/index.js';
const csv = readFileSync(new URL('../../test/fixtures/crm-sales-opportunities/sales_pipeline.csv', import.meta.url), 'utf8');
const data = parsePipelineCsv(csv);
const f = createForecaster({ ...data, segments: { rep: 'owner', product: { field: 'product' } } });
f.forecast({ asOf: '2017-10-31T00:00:00Z', horizonDays: 30 });
const t = performance.now();
for (let i = 0; i < 20; i++) f.forecast({ asOf: '2017-10-31T00:00:00Z', horizonDays: 30 });
console.log('warm avg', ((performance.now() - t) / 20).toFixed(1));
