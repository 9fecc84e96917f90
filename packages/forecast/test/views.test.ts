import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createForecaster, explainForecast, parsePipelineCsv, quarterView } from '../src/index.js';

// The CRM Sales Opportunities dataset, see test/fixtures/crm-sales-opportunities/SOURCE.md.
const csv = readFileSync(fileURLToPath(new URL('../../../test/fixtures/crm-sales-opportunities/sales_pipeline.csv', import.meta.url)), 'utf8');
const data = parsePipelineCsv(csv);
const forecaster = createForecaster({ ...data, segments: { rep: 'owner', product: { field: 'product' } }, trials: 300 });

describe('quarter view', () => {
  const q = quarterView(forecaster, { asOf: '2017-08-15T00:00:00.000Z' });

  it('is closed so far (counted from history) plus the forecast for the rest of the quarter', () => {
    expect(q.quarter).toBe('2017-Q3');
    const wonInQ = data.records.filter((r) => r.stage === 'won' && r.stageEnteredAt >= '2017-07-01' && r.stageEnteredAt <= '2017-08-15T00:00:00.000Z');
    expect(q.closed.count).toBe(wonInQ.length);
    expect(q.closed.value).toBe(wonInQ.reduce((s, r) => s + Number(r.fields.amount), 0));
    expect(q.rest.until).toBe('2017-09-30T23:59:59.999Z');
    expect(q.total.value.expected).toBeCloseTo(q.closed.value + q.rest.value.expected, 6);
    expect(q.total.value.p10).toBeGreaterThanOrEqual(q.closed.value);
    expect(q.total.count.expected).toBeCloseTo(q.closed.count + q.rest.count.expected, 6);
  });

  it('per rep: closed + rest, adding up to the total', () => {
    const reps = q.segments.rep!;
    expect(reps.reduce((s, r) => s + r.closed.value, 0)).toBeCloseTo(q.closed.value, 6);
    expect(reps.reduce((s, r) => s + r.total.value.expected, 0)).toBeCloseTo(q.total.value.expected, 6);
  });
});

describe('explanation', () => {
  it('top deals by contribution, and a waterfall whose won and lost steps come from the deals that closed', () => {
    const since = '2017-08-08T00:00:00.000Z', asOf = '2017-08-15T00:00:00.000Z';
    const why = explainForecast(forecaster, { asOf, since, top: 5 });
    expect(why.topDeals).toHaveLength(5);
    for (let i = 1; i < 5; i++) expect(why.topDeals[i - 1]!.contribution).toBeGreaterThanOrEqual(why.topDeals[i]!.contribution);
    const w = why.waterfall;
    expect(w.start + w.new + w.moved + w.slipped + w.won + w.lost + w.other).toBeCloseTo(w.end, 6);
    // Independently: the two forecasts' deal contributions and the deals that closed in between.
    const before = forecaster.forecast({ asOf: since, until: '2017-09-30T23:59:59.999Z' });
    const was = new Map(before.deals.map((d) => [d.id, d.contribution]));
    let won = 0, lost = 0;
    for (const r of data.records) {
      const closedAt = r.stageEnteredAt;
      if (!(closedAt > since && closedAt <= asOf) || !was.has(r.id)) continue;
      if (r.stage === 'won') won += Number(r.fields.amount) - was.get(r.id)!;
      if (r.stage === 'lost') lost -= was.get(r.id)!;
    }
    expect(w.won).toBeCloseTo(won, 6);
    expect(w.lost).toBeCloseTo(lost, 6);
    expect(w.lost).toBeLessThan(0);
    expect(w.won).toBeGreaterThan(0);
  });
});
