// A worker process for the reliability test: fires due timers until told to stop (SIGTERM) or killed.
import { createEngine, createWorker } from '@dealflow/core';
import { createPostgresStorage } from '../src/index.js';
import { ticketBlueprint } from '@dealflow/storage-testkit';

const [url, schema, workerId] = process.argv.slice(2) as [string, string, string];
const storage = createPostgresStorage({ connectionString: url, schema, max: 8 });
const engine = createEngine({ storage, blueprints: [ticketBlueprint()] });
const worker = createWorker({
  engine, workerId, batchSize: 100, concurrency: 8, leaseMs: 3_000, pollMs: 100,
  onError: (e) => process.stderr.write(`${workerId}: ${(e as Error).message}\n`),
});
worker.start();
const progress = setInterval(() => {
  void worker.stats().then((s) => process.stdout.write(`${JSON.stringify({ workerId, fired: s.fired, claimed: s.claimed })}\n`));
}, 100);
process.on('SIGTERM', () => {
  clearInterval(progress);
  void worker.stop().then(async () => {
    const s = await worker.stats();
    process.stdout.write(`${JSON.stringify({ workerId, fired: s.fired, claimed: s.claimed, done: true })}\n`);
    await storage.close();
    process.exit(0);
  });
});
