import fs from 'fs';
import { parsePipelineCsv } from './src/data/pipeline-csv.js';
import { prepareForecastData, forecastPrepared, wonBookingsBetween } from './src/forecast/bookings.js';
const data = parsePipelineCsv(fs.readFileSync('/work/main/test/fixtures/crm-sales-opportunities/sales_pipeline.csv','utf8'));
const p = prepareForecastData(data.records, data.history, data.stages);
const asOfs=['2017-03-31','2017-04-30','2017-05-31','2017-06-30','2017-07-31','2017-08-31','2017-09-30','2017-10-31','2017-11-30'];
const opts = JSON.parse(process.argv[2] ?? '{}');
let se=0, sa=0, cov=0;
for (const a of asOfs) {
  const asMs = Date.parse(a+'T00:00:00Z');
  const f = forecastPrepared(p, { ...data, asOf: a+'T00:00:00Z', horizonDays: 30, ...opts });
  const act = wonBookingsBetween(p, 'amount', asMs, asMs+30*864e5);
  se += Math.abs(f.expected-act); sa += act; const c = act>=f.p10&&act<=f.p90; cov+= c?1:0;
  console.log(a, Math.round(act), Math.round(f.expected), 'open', Math.round(f.fromOpenDeals), 'new', Math.round(f.fromNewDeals), 'p10', Math.round(f.p10), 'p90', Math.round(f.p90), c?'✓':'✗', 'sig', f.calibration.sigma.toFixed(2), 'bias', (f.calibration.logErrors.reduce((a,b)=>a+b,0)/Math.max(1,f.calibration.logErrors.length)).toFixed(2), f.calibration.logErrors.map(x=>x.toFixed(2)).join(' '), f.calibration.periods, ((f.expected-act)/act*100).toFixed(0)+'%');
}
console.log('WAPE', (se/sa).toFixed(3), 'cov', cov);
