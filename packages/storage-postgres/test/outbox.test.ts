import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { createEngine, createOutboxRelay, type OutboxMessage } from '@dealflow/core';
import { ticketBlueprint } from '@dealflow/storage-testkit';
import { dropSchema, freshStore, PG_URL, pgAvailable } from './pg-helpers.js';

if (await pgAvailable('storage-postgres/test/outbox.test.ts')) {
  const pool = new pg.Pool({ connectionString: PG_URL, max: 4 });
  afterAll(() => pool.end());

  it('a relay running while 6 writers commit delivers every event once, in order per record', async () => {
    const storage = await freshStore(pool, 'outbox');
    try {
      const engine = createEngine({ storage, blueprints: [ticketBlueprint()] });
      const delivered: OutboxMessage[] = [];
      const relay = createOutboxRelay({ storage, handler: (m) => { delivered.push(m); }, batchSize: 5, pollMs: 5 });
      relay.start();
      const ids = await Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          const { record } = await engine.create('ticket', { fields: { title: `t${i}` } });
          for (let k = 0; k < 5; k++) await engine.send(record.id, 'work');
          await engine.send(record.id, 'close');
          return record.id;
        }),
      );
      const expected = 6 * 7;
      for (let i = 0; i < 400 && delivered.length < expected; i++) await new Promise((r) => setTimeout(r, 10));
      await relay.stop();
      expect(delivered).toHaveLength(expected);
      for (const id of ids) {
        const historyIds = (await engine.history(id)).map((e) => e.id);
        expect(delivered.filter((m) => m.recordId === id).map((m) => m.id)).toEqual(historyIds);
      }
      const positions = delivered.map((m) => m.position!);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      expect(await storage.readOutbox({ limit: 10 })).toEqual([]);
    } finally {
      await storage.close();
      await dropSchema(pool, storage.schema);
    }
  });
}
