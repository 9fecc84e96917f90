import { createEngine, createMemoryStorage, defineBlueprint } from '@dealflow/core';
import type { EnginePlugin } from '@dealflow/core';

const touches: EnginePlugin = {
  name: 'touches',
  beforeCommit({ after }) {
    after.meta.touches = ((after.meta.touches as number | undefined) ?? 0) + 1;
  },
};
const deal = defineBlueprint({
  id: 'deal', version: 1, recordType: 'deal', initialStage: 'open',
  stages: [{ id: 'open' }, { id: 'won', kind: 'won' }], transitions: [{ event: 'win', from: 'open', to: 'won' }],
});
const engine = createEngine({ storage: createMemoryStorage(), blueprints: [deal], plugins: [touches] });
const { record } = await engine.create('deal', {}, { actor: { id: 'ann' } });
const r = await engine.send(record.id, 'win', { actor: { id: 'ann' } });
if (r.ok) console.log(r.record.meta.touches);

export {};
