import fs from 'fs';
import { parsePipelineCsv } from './src/data/pipeline-csv.js';
import { backtest } from './src/forecast/backtest.js';
const data = parsePipelineCsv(fs.readFileSync('/work/main/test/fixtures/crm-sales-opportunities/sales_pipeline.csv','utf8'));
const asOf=['2017-03-31','2017-04-30','2017-05-31','2017-06-30','2017-07-31','2017-08-31','2017-09-30','2017-10-31','2017-11-30'].map(d=>d+'T00:00:00Z');
for (const m of ['naive','weighted','history'] as const) { const r = backtest({...data, asOf, horizon:30, method:m}); console.log(m, r.wape.toFixed(3), r.mape.toFixed(3), r.bias.toFixed(3), r.coverage, r.brier); }
