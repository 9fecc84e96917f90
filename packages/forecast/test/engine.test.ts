import { describe, expect, it } from 'vitest';
import { createEngine, createManualClock, createMemoryStorage, defineBlueprint } from '@dealflow/core';
import { conversionRates, fitStageMarkov, funnelAt, loadPipeline, timeInStage, weightedPipeline, type StageInfo } from '../src/index.js';

// A small pipeline run by the real engine on a manual clock, read back from the memory store.
const blueprint = defineBlueprint({
  id: 'deal',
  version: 1,
  recordType: 'deal',
  name: 'Deals',
  initialStage: 'new',
  fields: {
    name: { type: 'string', required: true },
    amount: { type: 'number' },
    closeDate: { type: 'date' },
  },
  stages: [
    { id: 'new', kind: 'open', probability: 0.1, forecastCategory: 'pipeline' },
    { id: 'proposal', kind: 'open', probability: 0.5, forecastCategory: 'best_case' },
    { id: 'won', kind: 'won', probability: 1 },
    { id: 'lost', kind: 'lost', probability: 0 },
  ],
  transitions: [
    { event: 'propose', from: 'new', to: 'proposal' },
    { event: 'win', from: 'proposal', to: 'won' },
    { event: 'lose', from: '*', to: 'lost' },
  ],
});

async function run() {
  const storage = createMemoryStorage();
  const clock = createManualClock('2026-03-02T09:00:00.000Z');
  const engine = createEngine({ storage, blueprints: [blueprint], clock });
  const actor = { actor: { id: 'ana', roles: ['rep'] } };
  const ids: string[] = [];
  for (const name of ['a', 'b', 'c']) ids.push((await engine.create('deal', { fields: { name }, ownerId: 'ana' }, actor)).record.id);
  clock.advance('P2D'); // day 2: a and b get a proposal with an amount
  await engine.send(ids[0]!, { type: 'propose', fields: { amount: 1000, closeDate: '2026-03-20' } }, actor);
  await engine.send(ids[1]!, { type: 'propose', fields: { amount: 400, closeDate: '2026-04-20' } }, actor);
  clock.advance('P4D'); // day 6: a is won, c is lost
  await engine.send(ids[0]!, 'win', actor);
  await engine.send(ids[2]!, 'lose', actor);
  return { storage, ids };
}

describe('on history written by the engine', () => {
  it('reads records and history from a store and reports on them', async () => {
    const { storage, ids } = await run();
    const { records, history } = await loadPipeline(storage, 'default', { type: 'deal' });
    expect(records).toHaveLength(3);
    const stages: StageInfo[] = [...blueprint.stages.values()];
    const data = { records, history, stages };

    // new: entered by a, b, c; → proposal a, b (2/3); → lost c (1/3)
    const conv = conversionRates(data);
    expect(conv.find((c) => c.stage === 'new')!.rates).toEqual({ proposal: 2 / 3, lost: 1 / 3 });
    // time in new: a 2 d, b 2 d, c 6 d → median 2
    expect(timeInStage(data).find((s) => s.stage === 'new')!.median).toBeCloseTo(2);

    // On day 1 nobody had an amount yet (set by the propose event on day 2): the funnel knows none.
    const day1 = funnelAt({ ...data, asOf: '2026-03-03T09:00:00.000Z' });
    expect(day1.find((s) => s.stage === 'new')).toMatchObject({ count: 3, amount: 0 });
    const day3 = funnelAt({ ...data, asOf: '2026-03-05T09:00:00.000Z' });
    expect(day3.find((s) => s.stage === 'proposal')).toMatchObject({ count: 2, amount: 1400 });

    // Weighted pipeline on day 3 for March: a (proposal, 0.5 × 1000); b closes in April.
    const w = weightedPipeline({ ...data, period: { from: '2026-03-01', to: '2026-04-01' }, asOf: '2026-03-05T09:00:00.000Z' });
    expect(w.total).toBeCloseTo(500);

    // Markov: proposal → won 1/1 (b still open, censored); new → proposal 2/3, lost 1/3 → P(win | new) = 2/3
    const m = fitStageMarkov({ ...data, ageBands: [0] });
    expect(m.winProbability('proposal')).toBeCloseTo(1);
    expect(m.winProbability('new')).toBeCloseTo(2 / 3);
    expect(ids).toHaveLength(3);
  });
});
