import { expect, test } from 'vitest';
import { createEngine, createManualClock, createOutboxRelay, createWorker } from '@dealflow/core';
import { tempDatabaseFiles } from './temp-file.js';
import { createSqliteStorage } from '../src/index.js';
import { ticketBlueprint } from '@dealflow/storage-testkit';

const ticket = ticketBlueprint();

const file = tempDatabaseFiles('engine');

test('deadlines survive a restart: a new process (store) on the same file fires them, each once', async () => {
  const filename = file();
  const clock = createManualClock('2026-01-05T09:00:00.000Z');
  const first = createSqliteStorage({ filename });
  const engine1 = createEngine({ storage: first, blueprints: [ticket], clock });
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) ids.push((await engine1.create('ticket', { fields: { title: `t${i}` } })).record.id);
  await engine1.send(ids[0]!, 'work'); // leaves `open`: its deadline is cancelled
  await first.close();

  clock.advance('PT2H');
  const second = createSqliteStorage({ filename });
  const engine2 = createEngine({ storage: second, blueprints: [ticket], clock });
  const workers = [0, 1].map((i) => createWorker({ engine: engine2, batchSize: 4, concurrency: 2, workerId: `w${i}` }));
  for (let round = 0; round < 4; round++) await Promise.all(workers.map((w) => w.tick()));
  const fired = (await Promise.all(workers.map((w) => w.stats()))).reduce((n, s) => n + s.fired, 0);
  expect(fired).toBe(19);
  for (const [i, id] of ids.entries()) {
    const history = await engine2.history(id);
    expect(history.filter((e) => e.event === 'breach')).toHaveLength(i === 0 ? 0 : 1);
    expect((await engine2.get(id))?.stage).toBe(i === 0 ? 'working' : 'escalated');
  }
  // every committed event reaches the outbox subscriber, in order per record
  const seen: string[] = [];
  const relay = createOutboxRelay({ storage: second, handler: (m) => { seen.push(m.id); }, batchSize: 7 });
  while ((await relay.tick()) > 0);
  for (const id of ids) {
    const historyIds = (await engine2.history(id)).map((e) => e.id);
    expect(seen.filter((s) => historyIds.includes(s))).toEqual(historyIds);
  }
  await second.close();
});

test('concurrent sends on one record over SQLite: versions contiguous, no lost update', async () => {
  const storage = createSqliteStorage({ filename: file() });
  const engine = createEngine({ storage, blueprints: [ticket] });
  const { record } = await engine.create('ticket', { fields: { title: 'hot' } });
  const results = await Promise.all(Array.from({ length: 30 }, () => engine.send(record.id, 'work')));
  expect(results.every((r) => r.ok)).toBe(true);
  const history = await engine.history(record.id);
  expect(history.map((e) => e.seq)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
  expect((await engine.get(record.id))?.version).toBe(31);
  await storage.close();
});
