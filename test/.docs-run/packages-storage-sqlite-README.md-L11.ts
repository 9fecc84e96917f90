import { createEngine, createWorker, defineBlueprint } from '@dealflow/core';
import { createSqliteStorage } from '@dealflow/storage-sqlite';

const deal = defineBlueprint({
  id: 'deal', version: 1, recordType: 'deal', initialStage: 'open',
  stages: [{ id: 'open', deadline: { within: 'P3D', onBreach: 'stale' } }, { id: 'won', kind: 'won' }],
  transitions: [{ event: 'win', from: 'open', to: 'won' }, { event: 'stale', from: 'open', to: 'open' }],
});
const storage = createSqliteStorage({ filename: ':memory:' }); // or a file: './deals.db'
const engine = createEngine({ storage, blueprints: [deal] });
const worker = createWorker({ engine });
worker.start(); // fires deadlines durably
await engine.create('deal', {}, { actor: { id: 'ann' } });
await worker.stop();
await storage.close();

export {};
