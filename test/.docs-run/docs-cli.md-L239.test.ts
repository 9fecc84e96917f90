import { createEngine, createMemoryStorage, defineBlueprint, testBlueprint } from '@dealflow/core';
import { expect, it } from 'vitest';

const deal = defineBlueprint({
  id: 'deal', version: 1, recordType: 'deal', initialStage: 'new',
  fields: { company: { type: 'string', required: true }, amount: { type: 'money', currency: 'EUR', requiredIn: ['proposal'] } },
  stages: [{ id: 'new' }, { id: 'proposal' }, { id: 'won', kind: 'won' }, { id: 'lost', kind: 'lost' }],
  transitions: [
    { event: 'propose', from: 'new', to: 'proposal', guard: { '>': [{ var: 'fields.amount' }, 0] } },
    { event: 'win', from: 'proposal', to: 'won' },
    { event: 'lose', from: '*', to: 'lost' },
  ],
});

it('every stage and transition of the deal process is tested', async () => {
  const t = testBlueprint(deal);
  const engine = createEngine({ storage: createMemoryStorage(), blueprints: [deal] });
  const stop = t.observe(engine); // counts what the engine really does
  for (const path of t.paths) {
    const { record } = await engine.create('deal', { fields: { company: 'ACME', amount: 5000 } });
    for (const event of path.events) await engine.send(record.id, event);
  }
  stop();
  expect(t.report().messages).toEqual([]); // e.g. "stage 'negotiation' is never visited"
});

export {};
