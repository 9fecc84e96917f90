import { readFileSync } from 'node:fs';
import { createForecaster, parsePipelineCsv } from '../../packages/forecast/src/index.js';
const csv = readFileSync(new URL('../../test/fixtures/crm-sales-opportunities/sales_pipeline.csv', import.meta.url), 'utf8');
const data = parsePipelineCsv(csv);
const opts = JSON.parse(process.argv[2] ?? '{}');
const t0 = performance.now();
const f = createForecaster({ ...data, ...opts });
console.log('index ms', (performance.now() - t0).toFixed(0));
const DAY = 86400000;
const cutoffs: number[] = [];
for (let t = Date.UTC(2017, 4, 5); t <= Date.UTC(2017, 7, 1); t += 7 * DAY) cutoffs.push(t);
for (const H of [30, 7]) {
  let pe = 0, se = 0, ae = 0, an = 0, as = 0, A = 0, cov = 0, n = 0, bias = 0;
  const t1 = performance.now();
  for (const c of cutoffs) {
    const r = f.forecast({ asOf: new Date(c), horizonDays: H });
    const b = f.baselines({ asOf: new Date(c), horizonDays: H });
    const a = f.actuals({ from: new Date(c), to: new Date(c + H * DAY) }).value;
    ae += Math.abs(r.value.expected - a); an += Math.abs(b.naive.value - a); as += Math.abs((b.seasonal?.value ?? b.naive.value) - a); A += a;
    bias += r.value.expected - a; pe += Math.abs(r.components.value.pipeline - a); se += Math.abs((r.components.value.seasonal ?? r.components.value.pipeline) - a);
    cov += a >= r.value.p10 && a <= r.value.p90 ? 1 : 0; n++;
    if (process.env.V) console.log(new Date(c).toISOString().slice(0, 10), a.toFixed(0), r.value.expected.toFixed(0), r.value.p10.toFixed(0), r.value.p90.toFixed(0), b.seasonal?.value.toFixed(0), r.components.value.pipeline.toFixed(0), r.components.value.seasonal?.toFixed(0), r.components.value.calibration.weight.toFixed(2), r.components.value.calibration.bias.toFixed(3), r.components.value.calibration.sigma.toFixed(3));
  }
  console.log(`H=${H} wape ${(ae / A).toFixed(4)} naive ${(an / A).toFixed(4)} seasonal ${(as / A).toFixed(4)} bias ${(bias / A).toFixed(4)} cov ${(cov / n).toFixed(2)} pipe ${(pe/A).toFixed(4)} seas ${(se/A).toFixed(4)} ms/forecast ${((performance.now() - t1) / n).toFixed(1)}`);
}
