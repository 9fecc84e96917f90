import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { HistoryEvent, StoredRecord } from '@dealflow/core';
import { createForecaster, forecastCategories, parsePipelineCsv, pipelineCoverage, weightedPipeline } from '../src/index.js';

// The CRM Sales Opportunities dataset, see test/fixtures/crm-sales-opportunities/SOURCE.md.
const csv = readFileSync(fileURLToPath(new URL('../../../test/fixtures/crm-sales-opportunities/sales_pipeline.csv', import.meta.url)), 'utf8');
const CUTOFF = '2017-08-15T09:00:00.000Z';
const cut = Date.parse(CUTOFF);

/**
 * Rewrites every fact dated after the cutoff: closes flip won ↔ lost and move (still after the
 * cutoff), booked amounts and fields change, owners change, extra field events appear, deals
 * created later change product, owner and creation time; each record's current state (stage,
 * fields, owner, version, updatedAt, stageEnteredAt) is replaced too. Nothing at or before the
 * cutoff changes.
 */
function mutateAfterCutoff(records: StoredRecord[], history: HistoryEvent[]): { records: StoredRecord[]; history: HistoryEvent[] } {
  const shift = (at: string, k: number): string => new Date(Math.max(cut + 60_000, Date.parse(at) + ((k % 7) - 3) * 86_400_000)).toISOString();
  const out: HistoryEvent[] = [];
  const extra = new Map<string, number>();
  history.forEach((e, k) => {
    if (Date.parse(e.at) <= cut) return out.push(e);
    const data = structuredClone(e.data) as Record<string, any>;
    let to = e.to;
    if (e.kind === 'transition' && (to === 'won' || to === 'lost')) {
      to = to === 'won' ? 'lost' : 'won';
      data.changes = { ...data.changes, stage: to, fields: { amount: 1000 + (k % 5000), product: 'Mutated' } };
    }
    if (e.kind === 'created') {
      data.record = { ...data.record, ownerId: `rep-${k % 3}`, fields: { product: 'GTX Plus Pro', account: 'Zzz' } };
    }
    out.push({ ...e, at: shift(e.at, k), to, actorId: 'someone-else', data });
    extra.set(e.recordId, Math.max(extra.get(e.recordId) ?? 0, e.seq));
  });
  // An extra post-cutoff event on every record that already existed: fields and owner change.
  for (const r of records) {
    const seq = (extra.get(r.id) ?? r.version) + 1;
    out.push({
      tenantId: r.tenantId, id: `${r.id}:x`, recordId: r.id, seq, at: new Date(cut + 3_600_000).toISOString(), kind: 'fields',
      data: { changes: { ownerId: 'Zed', fields: { amount: 99_999, product: 'MG Special', closeDate: '2017-08-20' } } },
    });
  }
  const recs = records.map((r, k) => ({
    ...r,
    stage: k % 2 ? 'won' : 'lost',
    fields: { ...r.fields, amount: 123_456, product: 'Mutated', closeDate: '2017-08-16' },
    ownerId: 'Zed',
    version: r.version + 7,
    updatedAt: '2017-12-31T00:00:00.000Z',
    stageEnteredAt: Date.parse(r.stageEnteredAt) > cut ? '2017-12-30T00:00:00.000Z' : r.stageEnteredAt,
    createdAt: Date.parse(r.createdAt) > cut ? '2017-12-29T00:00:00.000Z' : r.createdAt,
  }));
  return { records: recs, history: out };
}

describe('no leakage: every fact after the cutoff rewritten, the forecast at the cutoff is identical', () => {
  const truth = parsePipelineCsv(csv);
  const mutated = { ...mutateAfterCutoff(truth.records, truth.history), stages: truth.stages };
  const segments = { rep: 'owner' as const, product: { field: 'product' } };

  it('the mutation really changes the data after the cutoff', () => {
    const won = (d: { history: HistoryEvent[] }) => d.history.filter((e) => e.to === 'won' && Date.parse(e.at) > cut).length;
    expect(won(mutated)).not.toBe(won(truth));
    expect(createForecaster({ ...mutated, segments }).actuals({ from: CUTOFF, to: '2017-09-15T09:00:00.000Z' }))
      .not.toEqual(createForecaster({ ...truth, segments }).actuals({ from: CUTOFF, to: '2017-09-15T09:00:00.000Z' }));
  });

  it('forecaster: totals, intervals, counts, segments, deals and calibration', () => {
    const strip = (f: ReturnType<ReturnType<typeof createForecaster>['forecast']>) => ({ ...f, probabilityAtLeast: undefined });
    for (const horizonDays of [7, 30]) {
      const a = createForecaster({ ...truth, segments, trials: 300 }).forecast({ asOf: CUTOFF, horizonDays });
      const b = createForecaster({ ...mutated, segments, trials: 300 }).forecast({ asOf: CUTOFF, horizonDays });
      expect(strip(b)).toEqual(strip(a));
      expect(b.probabilityAtLeast(a.value.p50)).toBe(a.probabilityAtLeast(a.value.p50));
    }
  });

  it('weighted pipeline, categories and coverage as of the cutoff', () => {
    const period = { from: '2017-08-01', to: '2017-10-01' };
    expect(weightedPipeline({ ...mutated, period, asOf: CUTOFF })).toEqual(weightedPipeline({ ...truth, period, asOf: CUTOFF }));
    expect(forecastCategories({ ...mutated, period, quota: 1e6, asOf: CUTOFF })).toEqual(forecastCategories({ ...truth, period, quota: 1e6, asOf: CUTOFF }));
    expect(pipelineCoverage({ ...mutated, period, quota: 1e6, asOf: CUTOFF })).toEqual(pipelineCoverage({ ...truth, period, quota: 1e6, asOf: CUTOFF }));
  });

  it('the weighted pipeline does not select the deals that will close (no close date known before the close)', () => {
    const w = weightedPipeline({ ...truth, period: { from: '2017-07-01', to: '2017-08-01' }, asOf: '2017-06-30T00:00:00.000Z' });
    expect(w.deals).toHaveLength(0);
  });
});
