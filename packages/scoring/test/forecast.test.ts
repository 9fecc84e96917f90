import { describe, expect, it } from 'vitest';
import { weightedPipeline } from '@dealflow/forecast';
import { fitScoring, probabilityFor } from '../src/index.js';
import { buildRecord, closedDeal, collect } from './helpers.js';

// Stages with the forecast's default probabilities.
const stages = [
  { id: 'new', kind: 'open' as const, probability: 0.1 },
  { id: 'qualified', kind: 'open' as const, probability: 0.3 },
  { id: 'proposal', kind: 'open' as const, probability: 0.5 },
  { id: 'won', kind: 'won' as const, probability: 1 },
  { id: 'lost', kind: 'lost' as const, probability: 0 },
];

describe('learned probabilities in the weighted pipeline', () => {
  it('weights each open deal by its own win probability instead of the stage default', () => {
    const train = collect([
      closedDeal('a', { sector: 'retail' }, true, '2024-02-01T00:00:00.000Z'),
      closedDeal('b', { sector: 'retail' }, true, '2024-02-02T00:00:00.000Z'),
      closedDeal('c', { sector: 'retail' }, false, '2024-02-03T00:00:00.000Z'),
      closedDeal('d', { sector: 'education' }, false, '2024-02-04T00:00:00.000Z'),
      closedDeal('e', { sector: 'education' }, false, '2024-02-05T00:00:00.000Z'),
    ]);
    const model = fitScoring({
      ...train,
      stages,
      method: 'naive-bayes',
      asOf: '2024-03-01',
      features: [{ name: 'sector', kind: 'categorical', source: 'fields.sector' }],
    });
    const open = collect([
      buildRecord('o1', '2024-03-01T00:00:00.000Z', { sector: 'retail', amount: 1000, closeDate: '2024-04-15' }),
      buildRecord('o2', '2024-03-01T00:00:00.000Z', { sector: 'education', amount: 1000, closeDate: '2024-04-20' }),
    ]);
    const asOf = '2024-03-10T00:00:00.000Z';
    const scored = open.records.map((r) => ({
      ...r,
      fields: { ...r.fields, winProbability: probabilityFor(model, r, { asOf, history: open.history }) },
    }));
    const period = { from: '2024-04-01', to: '2024-05-01' };
    const byStage = weightedPipeline({ records: open.records, history: open.history, stages, period, asOf });
    // The score is written on the record at asOf (as the scoring plugin does), so history shows it from then on.
    const scoredHistory = [
      ...open.history,
      ...scored.map((r) => ({
        tenantId: r.tenantId, id: `${r.id}:2`, recordId: r.id, seq: 2, at: asOf, kind: 'fields',
        data: { changes: { fields: { winProbability: r.fields['winProbability'] } } },
      })),
    ];
    const byModel = weightedPipeline({ records: scored, history: scoredHistory, stages, period, asOf, probabilityField: 'winProbability' });

    expect(byStage.total).toBeCloseTo(2 * 1000 * 0.1, 9);
    const p1 = scored[0]!.fields['winProbability'] as number;
    const p2 = scored[1]!.fields['winProbability'] as number;
    expect(p1).toBeGreaterThan(p2);
    expect(byModel.total).toBeCloseTo(1000 * p1 + 1000 * p2, 9);
    expect(byModel.deals.map((d) => [d.id, d.probability])).toEqual([
      ['o1', p1],
      ['o2', p2],
    ]);
  });
});
