// A worker process sharing one SQLite file with another: ticks until nothing is due, prints its counts.
import { createEngine, createManualClock, createWorker } from '@dealflow/core';
import { createSqliteStorage } from '../src/index.js';
import { ticketBlueprint } from '@dealflow/storage-testkit';

const ticket = ticketBlueprint();

const [filename, workerId, now] = process.argv.slice(2) as [string, string, string];
const storage = createSqliteStorage({ filename, busyTimeoutMs: 20_000 });
const engine = createEngine({ storage, blueprints: [ticket], clock: createManualClock(now) });
const worker = createWorker({ engine, workerId, batchSize: 10, concurrency: 2, leaseMs: 60_000 });
let idle = 0;
while (idle < 3) {
  const r = await worker.tick();
  idle = r.claimed === 0 ? idle + 1 : 0;
  if (r.claimed === 0) await new Promise((res) => setTimeout(res, 20));
}
const s = await worker.stats();
process.stdout.write(`${JSON.stringify({ workerId, fired: s.fired, leaseLost: s.leaseLost, failed: s.failed })}\n`);
await storage.close();
