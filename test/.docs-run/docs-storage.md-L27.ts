import { createEngine, createWorker, defineBlueprint } from '@dealflow/core';
import { createSqliteStorage } from '@dealflow/storage-sqlite';

const deal = defineBlueprint({
  id: 'deal', version: 1, recordType: 'deal', initialStage: 'open',
  stages: [{ id: 'open', deadline: { within: 'P3D', onBreach: 'stale' } }, { id: 'won', kind: 'won' }],
  transitions: [{ event: 'win', from: 'open', to: 'won' }, { event: 'stale', from: 'open', to: 'open' }],
});
const storage = createSqliteStorage({ filename: './dealflow.db' }); // or ':memory:'
const engine = createEngine({ storage, blueprints: [deal] });
const worker = createWorker({ engine, pollMs: 1_000 });
worker.start();
// … on shutdown: the worker finishes the timer it is firing, then the file is closed
await worker.stop();
await storage.close();

export {};
