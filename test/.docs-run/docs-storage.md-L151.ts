import { createEngine, createOutboxRelay, createWorker, defineBlueprint } from '@dealflow/core';
import type { OutboxMessage } from '@dealflow/core';
import { createPostgresStorage, createTimerListener, migrate } from '@dealflow/storage-postgres';

const deal = defineBlueprint({
  id: 'deal', version: 1, recordType: 'deal', initialStage: 'open',
  stages: [{ id: 'open', deadline: { within: 'P3D', onBreach: 'stale' } }, { id: 'won', kind: 'won' }],
  transitions: [{ event: 'win', from: 'open', to: 'won' }, { event: 'stale', from: 'open', to: 'open' }],
});
const postWebhook = async (id: string, m: OutboxMessage) => console.log('deliver', id, m.type); // your delivery

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
await migrate({ connectionString: url }); // idempotent; safe when many instances start at once

const storage = createPostgresStorage({ connectionString: url, max: 8, notify: true });
const engine = createEngine({ storage, blueprints: [deal] });

// deadlines: any number of workers, in any number of processes
const listener = await createTimerListener({ connectionString: url });
const worker = createWorker({ engine, batchSize: 100, concurrency: 4, leaseMs: 30_000, pollMs: 5_000, wakeUp: listener.subscribe });
worker.start();

// events for the outside world: at least once, in order per record, dedupe on message.id
const relay = createOutboxRelay({ storage, handler: async (m) => { await postWebhook(m.id, m); } });
relay.start();

const shutdown = async () => {
  await worker.stop(); // drains the timers in flight
  await relay.stop();
  await listener.close();
  await storage.close();
};
process.on('SIGTERM', () => void shutdown());
await shutdown(); // (this example stops at once; an app waits for SIGTERM)

export {};
