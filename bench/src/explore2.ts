import { readFileSync } from 'node:fs';
import { createForecaster, parsePipelineCsv } from '../../packages/forecast/src/index.js';
const csv = readFileSync(new URL('../../test/fixtures/crm-sales-opportunities/sales_pipeline.csv', import.meta.url), 'utf8');
const data = parsePipelineCsv(csv);
const f = createForecaster({ ...data });
const DAY = 86400000;
const ix = f.index;
for (let c = Date.UTC(2017, 4, 5); c <= Date.UTC(2017, 10, 1); c += 14 * DAY) {
  const H = 30, e = c + H * DAY;
  const r = f.forecast({ asOf: new Date(c), horizonDays: H });
  let aOpenV = 0, aNewV = 0, aOpenN = 0, aNewN = 0, pOpenN = 0;
  for (let i = 0; i < ix.n; i++) {
    if (!(ix.closed[i]! > c && ix.closed[i]! <= e) || !ix.won[i]) continue;
    const v = Number((ix.timelines[i]!.record.fields as any).amount);
    if (ix.created[i]! <= c) { aOpenV += v; aOpenN++; } else { aNewV += v; aNewN++; }
  }
  for (const d of r.deals) pOpenN += d.pWin;
  const pv = r.components.value.pipeline, nv = r.newDeals;
  console.log(new Date(c).toISOString().slice(0, 10), 'open: act', aOpenN, 'pred', pOpenN.toFixed(0), '| new: act', aNewN, 'pred', (r.components.count.pipeline - pOpenN).toFixed(0), '| opendeals', r.deals.length);
}
