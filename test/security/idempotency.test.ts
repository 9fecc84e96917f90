/**
 * Idempotency under concurrency (issue #15): concurrent calls with one idempotency key give one
 * effect and the same stored answer — on PostgreSQL across two engine instances — and a repeated
 * rejected call gets the stored rejection, not a fresh attempt.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, createManualClock, createMemoryStorage } from '../../packages/core/src/index.js';
import type { BlueprintInput, Engine, SendResult, Storage } from '../../packages/core/src/index.js';
import { createSqliteStorage } from '../../packages/storage-sqlite/src/index.js';
import type { PostgresStorage } from '../../packages/storage-postgres/src/index.js';
import { dropAndClose, freshSchema, openPostgres, postgresForTests } from '../support/postgres.js';

const deal: BlueprintInput = {
  id: 'deal', version: 1, recordType: 'deal', initialStage: 'new',
  fields: { amount: { type: 'number' } },
  stages: [{ id: 'new' }, { id: 'proposal' }, { id: 'won', kind: 'won' }],
  transitions: [
    { event: 'propose', from: 'new', to: 'proposal' },
    { event: 'win', from: 'proposal', to: 'won', guard: { '>': [{ var: 'fields.amount' }, 0] } },
  ],
};

const { url: PG_URL, reachable } = await postgresForTests('test/security/idempotency.test.ts');
const opened: PostgresStorage[] = [];
afterAll(async () => {
  for (const s of opened) await dropAndClose(s).catch(() => undefined);
});

/** Two engine instances over one store (two app servers); one instance for in-process stores. */
const setups: Array<[string, () => Promise<[Engine, Engine]>, boolean]> = [
  ['memory', async () => { const e = createEngine({ storage: createMemoryStorage(), blueprints: [deal], maxRetries: 50 }); return [e, e]; }, true],
  ['sqlite', async () => { const e = createEngine({ storage: createSqliteStorage({ filename: ':memory:' }), blueprints: [deal], maxRetries: 50 }); return [e, e]; }, true],
  [
    'postgres (two instances)',
    async () => {
      const schema = await freshSchema(PG_URL, 'dealflow_idem');
      const clock = createManualClock('2026-01-05T09:00:00Z');
      const make = (): Engine => {
        const storage: Storage = openPostgres(PG_URL, schema);
        opened.push(storage as PostgresStorage);
        return createEngine({ storage, clock, blueprints: [deal], maxRetries: 50 });
      };
      return [make(), make()];
    },
    reachable,
  ],
];

const strip = (r: SendResult): unknown => ({ ...r, replayed: undefined });

describe.each(setups)('idempotency under concurrency: %s', (_name, setup, available) => {
  it.skipIf(!available)('20 concurrent sends with one key: one transition, every caller the same result (5 rounds)', async () => {
    const [one, two] = await setup();
    for (let round = 0; round < 5; round++) {
      const { record } = await one.create('deal', {});
      const key = `k-propose-${round}`;
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).send(record.id, 'propose', { idempotencyKey: key })));
      expect(results.map((r) => (r.ok ? 'ok' : r.rejection.reason))).toEqual(Array.from({ length: 20 }, () => 'ok'));
      expect(results.filter((r) => !r.replayed)).toHaveLength(1);
      const first = strip(results.find((r) => !r.replayed)!);
      for (const r of results) expect(strip(r)).toEqual(first);
      expect((await one.history(record.id)).length).toBe(2);
      expect((await one.get(record.id))!.version).toBe(2);
    }
  });

  it.skipIf(!available)('a rejection is stored: repeating the call returns it even after the record changed', async () => {
    const [one, two] = await setup();
    const { record } = await one.create('deal', {});
    await one.send(record.id, 'propose');
    const rejected = await one.send(record.id, 'win', { idempotencyKey: 'k-win' });
    expect(rejected.ok).toBe(false);
    // the guard would pass now, but the key already has its answer
    await two.send(record.id, { type: 'propose', fields: { amount: 5 } }).catch(() => undefined);
    const again = await two.send(record.id, 'win', { idempotencyKey: 'k-win' });
    expect(again).toMatchObject({ ok: false, replayed: true });
    expect(strip(again)).toEqual(strip(rejected));
    expect((await one.get(record.id))!.stage).toBe('proposal');
  });

  it.skipIf(!available)('concurrent creates with one key: one record', async () => {
    const [one, two] = await setup();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? one : two).create('deal', { fields: { amount: 1 } }, { idempotencyKey: 'k-create' })));
    expect(new Set(results.map((r) => r.record.id)).size).toBe(1);
    expect(await one.query({ type: 'deal' })).toHaveLength(1);
  });
});
