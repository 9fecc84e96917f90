/**
 * One worker process of bench/scaling, started by the parent with `fork`: in `timers` mode a deadline
 * worker firing due timers from `go` until `stop`; in `transitions` mode 4 callers sending `flip` to
 * their own records for the given seconds. Reports its count to the parent and exits.
 *
 * Args: <mode> <pg url> <schema> <index> <processes> <records> <seconds>
 */
import { createEngine, createWorker } from '@dealflow/core';
import { createPostgresStorage } from '@dealflow/storage-postgres';
import { pingPong } from '../support/timers.js';

const [mode, url, schema, indexArg, processesArg, recordsArg, secondsArg] = process.argv.slice(2);
const index = Number(indexArg);
const processes = Number(processesArg);
const records = Number(recordsArg);
const storage = createPostgresStorage({ connectionString: url!, schema: schema!, max: 5 });
const engine = createEngine({ storage, blueprints: [pingPong] });
const send = (m: unknown) => process.send?.(m);

if (mode === 'timers') {
  const worker = createWorker({ engine, workerId: `scaling-${index}`, batchSize: 200, concurrency: 4, leaseMs: 60_000, pollMs: 50 });
  process.on('message', (m) => {
    if (m === 'go') worker.start();
    if (m !== 'stop') return;
    void worker.stop().then(async () => {
      const s = await worker.stats();
      send({ fired: s.fired + s.noop + s.rejected, failed: s.failed });
      await storage.close();
      process.exit(0);
    });
  });
  send('ready');
} else {
  // this process's records: every `processes`-th one, so processes never touch the same record
  const mine: string[] = [];
  for (let g = 1 + index; g <= records; g += processes) mine.push(`rec-${g}`);
  let n = 0;
  let stop = false;
  process.on('message', (m) => {
    if (m === 'go') {
      const until = performance.now() + Number(secondsArg) * 1000;
      void Promise.all(Array.from({ length: 4 }, async (_, lane) => {
        for (let i = lane; !stop && performance.now() < until; i += 4) {
          await engine.send(mine[i % mine.length]!, 'flip', { actor: engine.system });
          n++;
        }
      })).then(async () => {
        send({ transitions: n });
        await storage.close();
        process.exit(0);
      });
    }
  });
  send('ready');
}
