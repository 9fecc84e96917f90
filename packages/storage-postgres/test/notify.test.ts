import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { createEngine, createManualClock, createWorker } from '@dealflow/core';
import { createTimerListener } from '../src/index.js';
import { ticketBlueprint } from '@dealflow/storage-testkit';
import { dropSchema, freshStore, PG_URL, pgAvailable } from './pg-helpers.js';

if (await pgAvailable('storage-postgres/test/notify.test.ts')) {
  const pool = new pg.Pool({ connectionString: PG_URL, max: 4 });
  afterAll(() => pool.end());

  it('LISTEN/NOTIFY wakes a sleeping worker when a timer is scheduled', async () => {
    const storage = await freshStore(pool, 'notify', { notify: true });
    const listener = await createTimerListener({ connectionString: PG_URL, schema: storage.schema });
    try {
      // the app creates the ticket at 07:00; the worker's clock says 09:00, so its one-hour deadline is due at once
      const app = createEngine({ storage, blueprints: [ticketBlueprint()], clock: createManualClock('2026-01-05T07:00:00.000Z') });
      const engine = createEngine({ storage, blueprints: [ticketBlueprint()], clock: createManualClock('2026-01-05T09:00:00.000Z') });
      let wakes = 0;
      const off = listener.subscribe(() => { wakes++; });
      const worker = createWorker({ engine, pollMs: 60_000, wakeUp: listener.subscribe });
      worker.start();
      await new Promise((r) => setTimeout(r, 50)); // the first round found nothing: it sleeps a minute
      const { record } = await app.create('ticket', { fields: { title: 'wake' } });
      for (let i = 0; i < 200 && (await engine.get(record.id))?.stage !== 'escalated'; i++) await new Promise((r) => setTimeout(r, 25));
      expect((await engine.get(record.id))?.stage).toBe('escalated');
      expect(wakes).toBeGreaterThanOrEqual(1);
      off();
      await worker.stop();
    } finally {
      await listener.close();
      await storage.close();
      await dropSchema(pool, storage.schema);
    }
  });
}
