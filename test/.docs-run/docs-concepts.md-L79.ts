import { createEngine, createMemoryStorage, defineBlueprint, replay } from '@dealflow/core';

const deal = defineBlueprint({
  id: 'deal', version: 1, recordType: 'deal', initialStage: 'open',
  stages: [{ id: 'open' }, { id: 'won', kind: 'won' }], transitions: [{ event: 'win', from: 'open', to: 'won' }],
});
const engine = createEngine({ storage: createMemoryStorage(), blueprints: [deal] });
const { record } = await engine.create('deal', {}, { actor: { id: 'ann' } });
await engine.send(record.id, 'win', { actor: { id: 'ann' } });

console.log(replay(await engine.history(record.id)));        // deep-equals await engine.get(record.id)
console.log(await engine.getAt(record.id, '2026-02-01T00:00:00Z')); // the record as it was then (or null)

export {};
