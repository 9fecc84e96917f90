import { describe, expect, it } from 'vitest';
import type { HistoryEvent, StoredRecord } from '@dealflow/core';
import { fitStageMarkov } from '@dealflow/forecast';
import { fitScoring, parseScoringModel, recordAsOf, scoreRecord } from '../src/index.js';
import type { StageAgeModel } from '../src/index.js';
import { STAGES, buildRecord, closedDeal, collect } from './helpers.js';

describe('stage-age method', () => {
  const data = collect([
    closedDeal('w1', {}, true, '2024-01-05T00:00:00.000Z'),
    closedDeal('w2', {}, true, '2024-01-20T00:00:00.000Z'),
    closedDeal('l1', {}, false, '2024-01-03T00:00:00.000Z'),
    closedDeal('l2', {}, false, '2024-02-10T00:00:00.000Z'),
    buildRecord('open', '2024-01-01T00:00:00.000Z', {}),
  ]);

  it('is the Markov chain of @dealflow/forecast fitted as of asOf, as a JSON table', () => {
    const model = fitScoring({ ...data, stages: STAGES, method: 'stage-age', asOf: '2024-03-01' }) as StageAgeModel;
    expect(model.method).toBe('stage-age');
    const m = fitStageMarkov({ ...data, stages: STAGES.map((s) => ({ id: s.id, kind: s.kind as 'open' | 'won' | 'lost' })), asOf: '2024-03-01', ageBands: model.ageBands });
    for (const stage of m.stages) expect(model.probabilities[stage]).toEqual(model.ageBands.map((b) => m.winProbability(stage, b)));
    // A record scores by its stage and days in stage as of the date asked.
    const open = data.records.find((r) => r.id === 'open')!;
    const at3 = scoreRecord(model, open, { history: data.history, asOf: '2024-01-04T00:00:00.000Z' });
    const at20 = scoreRecord(model, open, { history: data.history, asOf: '2024-01-21T00:00:00.000Z' });
    expect(at3.probability).toBeCloseTo(m.winProbability('new', 3), 12);
    expect(at20.probability).toBeCloseTo(m.winProbability('new', 20), 12);
    expect(at3.contributions[0]!.value).toMatch(/^new, 0–7 days in stage$/);
    // Plain JSON, shape-checked on the way back.
    expect(parseScoringModel(JSON.stringify(model))).toEqual(model);
  });

  it('does not use closes after asOf', () => {
    const a = fitScoring({ ...data, stages: STAGES, method: 'stage-age', asOf: '2024-01-25' });
    const later = collect([...['w1', 'w2', 'l1'].map((id) => data.records.find((r) => r.id === id)!)].map((r) => ({ record: r, history: data.history.filter((e) => e.recordId === r.id) })));
    const b = fitScoring({
      records: [...later.records, ...data.records.filter((r) => r.id === 'l2' || r.id === 'open')],
      history: [...later.history, ...data.history.filter((e) => e.recordId === 'open'), ...collect([buildRecord('l2', '2024-01-01T00:00:00.000Z', {}, [{ to: 'won', at: '2024-02-10T00:00:00.000Z' }])]).history],
      stages: STAGES,
      method: 'stage-age',
      asOf: '2024-01-25',
    });
    expect(b).toEqual(a);
  });
});

describe('fields as of a date come from history only', () => {
  it('without a created snapshot, a field set later is unknown before it (never the final value)', () => {
    const record: StoredRecord = {
      tenantId: 't1', id: 'csv-1', type: 'deal', blueprintId: 'bp', blueprintVersion: 1, stage: 'won', version: 2,
      fields: { product: 'GTX', amount: 5000 }, ownerId: 'ann', teamId: null, meta: {},
      stageEnteredAt: '2024-02-01T00:00:00.000Z', createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-02-01T00:00:00.000Z',
    };
    const history: HistoryEvent[] = [
      { tenantId: 't1', id: 'csv-1:1', recordId: 'csv-1', seq: 1, at: '2024-01-01T00:00:00.000Z', kind: 'created', to: 'new', data: { fields: { product: 'GTX' } } },
      { tenantId: 't1', id: 'csv-1:2', recordId: 'csv-1', seq: 2, at: '2024-02-01T00:00:00.000Z', kind: 'transition', from: 'new', to: 'won', data: { fields: { amount: 5000 } } },
    ];
    expect(recordAsOf(record, history, '2024-01-15T00:00:00.000Z').record.fields).toEqual({ product: 'GTX' });
    expect(recordAsOf(record, history, '2024-02-01T00:00:00.000Z').record.fields).toEqual({ product: 'GTX', amount: 5000 });
  });
});
