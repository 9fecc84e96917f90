/**
 * migrateRecords on the engine's batch runner, on the memory store, SQLite and PostgreSQL: keyset
 * pages of the blueprint's records, one batch per page. Records changed by `engine.send` between
 * pages (or while a batch runs) still migrate exactly once; a run stopped after its first batch,
 * or one where the store refuses a record's write, is finished by running it again, each record
 * migrated once and the two reports adding up; a page that went stale before its batch ran (a
 * record sent on, records another run migrated) is decided on what the batch's transaction reads;
 * `batchSize: 'auto'` sizes the batches itself.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, createManualClock, defineBlueprint, DealflowError, isDealflowError, migrateRecords, planMigration, previewMigration, replay } from '../packages/core/src/index.js';
import type { Blueprint, BlueprintInput, Engine, HistoryEvent, MigrationPlan, RecordQuery, Storage, StorageTx, StoredRecord } from '../packages/core/src/index.js';
import { withOverrides } from './support/overrides.js';
import { storeKinds } from './support/stores.js';

const NOW = '2026-03-02T10:00:00.000Z';

const V1: BlueprintInput = {
  id: 'deal',
  version: 1,
  recordType: 'deal',
  initialStage: 'new',
  fields: { amount: { type: 'number' } },
  stages: [{ id: 'new', deadline: { within: 'P2D', onBreach: 'lose' } }, { id: 'qualify', deadline: { within: 'P5D', onBreach: 'lose' } }, { id: 'won', kind: 'won' }, { id: 'lost', kind: 'lost' }],
  transitions: [
    { event: 'qualify', from: 'new', to: 'qualify' },
    { event: 'win', from: 'qualify', to: 'won' },
    { event: 'lose', from: '*', to: 'lost' },
  ],
};
const V2: BlueprintInput = {
  ...V1,
  version: 2,
  stages: [{ id: 'new', deadline: { within: 'P1D', onBreach: 'lose' } }, { id: 'discovery', deadline: { within: 'P5D', onBreach: 'lose' } }, { id: 'won', kind: 'won' }, { id: 'lost', kind: 'lost' }],
  transitions: [
    { event: 'qualify', from: 'new', to: 'discovery' },
    { event: 'win', from: 'discovery', to: 'won' },
    { event: 'lose', from: '*', to: 'lost' },
  ],
};
const STAGE_MAP = { qualify: 'discovery' };
const id = (i: number) => `r${String(i).padStart(3, '0')}`;

/** `n` records on v1 (all in `new`), and an engine that knows v1 and v2. */
async function seed(storage: Storage, n: number): Promise<{ engine: Engine; ids: string[]; plan: MigrationPlan; blueprints: Blueprint[] }> {
  const from = defineBlueprint(V1);
  const to = defineBlueprint(V2);
  const clock = createManualClock(NOW);
  const old = createEngine({ storage, blueprints: [from], clock });
  const made = await old.createMany('deal', Array.from({ length: n }, (_, i) => ({ id: id(i), fields: { amount: i } })), { batchSize: 500 });
  expect(made.every((r) => r.ok)).toBe(true);
  const engine = createEngine({ storage, blueprints: [from, to], clock });
  return { engine, ids: made.map((_, i) => id(i)), plan: planMigration(from, to, { stageMap: STAGE_MAP }), blueprints: [from, to] };
}

/** Every record is on v2 with exactly one `migrated` event, and its history replays to it. */
async function expectMigratedOnce(storage: Storage, ids: readonly string[]): Promise<Map<string, HistoryEvent[]>> {
  const histories = new Map<string, HistoryEvent[]>();
  for (const rid of ids) {
    const record = (await storage.getRecord('default', rid))!;
    const history = await storage.listHistory('default', rid);
    expect([rid, record.blueprintVersion]).toEqual([rid, 2]);
    expect([rid, history.filter((e) => e.kind === 'migrated').length]).toEqual([rid, 1]);
    expect(replay(history)).toEqual(record);
    histories.set(rid, history);
  }
  const outbox = (await storage.readOutbox({ limit: 100_000 })).filter((m) => m.type === 'dealflow.migrated');
  expect(outbox.map((m) => m.recordId).sort()).toEqual([...ids].sort());
  return histories;
}

/** The store, except that while `poisoned` holds, writing a `migrated` event of `recordId` fails as a store failure. */
function refusingMigrationOf(base: Storage, recordId: string, poisoned: () => boolean): Storage {
  const watchTx = (tx: StorageTx): StorageTx => withOverrides(tx, {
    appendHistory: (events: HistoryEvent[]) => {
      if (poisoned() && events.some((e) => e.recordId === recordId && e.kind === 'migrated')) {
        return Promise.reject(new DealflowError('STORAGE', `injected: the store refuses the history of record '${recordId}'`));
      }
      return tx.appendHistory(events);
    },
  });
  return withOverrides(base, {
    transaction: <R>(tenantId: string, fn: (tx: StorageTx) => Promise<R>) => base.transaction(tenantId, (tx) => fn(watchTx(tx))),
  });
}

/** The store, except that `hook` runs on every page of records read outside a transaction, before it is returned. */
function afterPageRead(base: Storage, hook: (page: StoredRecord[]) => Promise<void>): Storage {
  return withOverrides(base, {
    queryRecords: async (tenantId: string, query: RecordQuery) => {
      const page = await base.queryRecords(tenantId, query);
      await hook(page);
      return page;
    },
  });
}

for (const kind of await storeKinds('test/migration-batches.test.ts')) {
  describe(`migrateRecords on the batch runner, ${kind.name}`, () => {
    it('records changed by engine.send between pages and during batches migrate exactly once, and their history replays', async () => {
      const { storage, drop } = await kind.open();
      try {
        const N = 47;
        const { engine, ids, plan } = await seed(storage, N);
        // between pages: after each batch, one record of a later page and one already migrated change
        const later: string[] = [];
        const earlier: string[] = [];
        let batches = 0;
        const done = await migrateRecords(engine, plan, {
          batchSize: 10,
          onBatch: async (p) => {
            batches++;
            const ahead = ids[p.examined + 3];
            if (ahead) {
              await engine.send(ahead, 'qualify'); // still on v1: new → qualify, then migrated to discovery
              later.push(ahead);
            }
            const behind = ids[p.examined - 2]!;
            await engine.send(behind, 'qualify'); // already on v2: new → discovery
            earlier.push(behind);
          },
        });
        expect(batches).toBe(5);
        expect([done.examined, done.migrated, done.failed]).toEqual([N, N, []]);
        expect(done.moves).toEqual([{ from: 'new', to: 'new', count: N - later.length }, { from: 'qualify', to: 'discovery', count: later.length }]);
        const histories = await expectMigratedOnce(storage, ids);
        for (const rid of later) {
          expect(histories.get(rid)!.map((e) => [e.kind, e.to])).toEqual([['created', 'new'], ['transition', 'qualify'], ['migrated', 'discovery']]);
        }
        for (const rid of earlier) {
          expect(histories.get(rid)!.map((e) => [e.kind, e.to])).toEqual([['created', 'new'], ['migrated', 'new'], ['transition', 'discovery']]);
        }
      } finally {
        await drop();
      }
    });

    it('a page gone stale before its batch runs: a record sent on migrates from where it is, records another run migrated are skipped and not counted', async () => {
      const { storage, drop } = await kind.open();
      try {
        const N = 40;
        const { ids, plan, blueprints } = await seed(storage, N);
        // another app instance on the same store
        const other = createEngine({ storage, blueprints, clock: createManualClock(NOW) });
        let pages = 0;
        let otherRun: Awaited<ReturnType<typeof migrateRecords>> | null = null;
        const sent: string[] = [];
        // after a page was read and before its batch runs
        const staleAfterRead = afterPageRead(storage, async (page) => {
          pages++;
          if (pages === 1) {
            for (const r of [page[3]!, page[7]!]) {
              await other.send(r.id, 'qualify');
              sent.push(r.id);
            }
          }
          if (pages === 3) otherRun = await migrateRecords(other, plan, { batchSize: 10 });
        });
        const engine = createEngine({ storage: staleAfterRead, blueprints, clock: createManualClock(NOW) });
        const done = await migrateRecords(engine, plan, { batchSize: 10 });

        expect(sent).toEqual([id(3), id(7)]);
        // pages 1 and 2 are this run's; the other run took the rest while page 3 waited
        expect([done.examined, done.migrated, done.failed]).toEqual([20, 20, []]);
        expect(done.moves).toEqual([{ from: 'new', to: 'new', count: 18 }, { from: 'qualify', to: 'discovery', count: 2 }]);
        expect([otherRun!.examined, otherRun!.migrated]).toEqual([20, 20]);
        expect(done.migrated + otherRun!.migrated).toBe(N);
        const histories = await expectMigratedOnce(storage, ids);
        for (const rid of sent) {
          expect(histories.get(rid)!.map((e) => [e.kind, e.to])).toEqual([['created', 'new'], ['transition', 'qualify'], ['migrated', 'discovery']]);
        }
      } finally {
        await drop();
      }
    });

    it('stopped after its first batch, a second run migrates the rest: each record once, the totals add up', async () => {
      const { storage, drop } = await kind.open();
      try {
        const N = 35;
        const { engine, ids, plan } = await seed(storage, N);
        let first = { examined: 0, migrated: 0 };
        const stopped = await migrateRecords(engine, plan, {
          batchSize: 10,
          onBatch: (p) => {
            first = p;
            throw new Error('stop after the first batch');
          },
        }).then(() => null, (e: unknown) => e);
        expect(isDealflowError(stopped, 'MIGRATION_INVALID')).toBe(true);
        expect(first).toEqual({ examined: 10, migrated: 10 });
        expect((await previewMigration(engine, plan)).examined).toBe(N - 10);

        const rest = await migrateRecords(engine, plan, { batchSize: 10 });
        expect([rest.examined, rest.migrated, rest.failed]).toEqual([N - 10, N - 10, []]);
        expect(first.migrated + rest.migrated).toBe(N);
        await expectMigratedOnce(storage, ids);
        expect((await migrateRecords(engine, plan)).examined).toBe(0);
      } finally {
        await drop();
      }
    });

    it('a record whose write the store refuses fails alone (its batch is split), the rest commit; a second run migrates it', async () => {
      const { storage, drop } = await kind.open();
      try {
        const N = 30;
        const { ids, plan, blueprints } = await seed(storage, N);
        const victim = ids[13]!;
        let poisoned = true;
        const refusing = refusingMigrationOf(storage, victim, () => poisoned);
        const engine = createEngine({ storage: refusing, blueprints, clock: createManualClock(NOW) });

        const first = await migrateRecords(engine, plan, { batchSize: 8 });
        expect([first.examined, first.migrated]).toEqual([N, N - 1]);
        expect(first.failed).toHaveLength(1);
        expect(first.failed[0]).toMatchObject({ recordId: victim, from: 'new', error: { code: 'STORAGE' } });
        expect(first.failed[0]!.error.message).toContain(`record '${victim}'`);
        const left = (await storage.getRecord('default', victim))!;
        expect([left.blueprintVersion, left.version]).toEqual([1, 1]);

        poisoned = false;
        const second = await migrateRecords(engine, plan, { batchSize: 8 });
        expect([second.examined, second.migrated, second.failed]).toEqual([1, 1, []]);
        expect(first.migrated + second.migrated).toBe(N);
        await expectMigratedOnce(storage, ids);
      } finally {
        await drop();
      }
    });

    it("batchSize 'auto' starts at 100 records per batch and migrates everything; the dry run reports the same", async () => {
      const { storage, drop } = await kind.open();
      try {
        const N = 260;
        const { engine, ids, plan } = await seed(storage, N);
        await engine.sendMany(ids.filter((_, i) => i % 5 === 0).map((rid) => ({ recordId: rid, event: 'qualify' })));
        const preview = await previewMigration(engine, plan, { batchSize: 'auto' });
        const progress: number[] = [];
        const done = await migrateRecords(engine, plan, { batchSize: 'auto', onBatch: (p) => void progress.push(p.examined) });
        expect(progress[0]).toBe(100);
        expect(progress[progress.length - 1]).toBe(N);
        expect(progress).toEqual([...progress].sort((a, b) => a - b));
        expect([done.examined, done.migrated]).toEqual([N, N]);
        expect({ ...done, dryRun: true }).toEqual(preview);
        await expectMigratedOnce(storage, ids);
      } finally {
        await drop();
      }
    });

    it("reads a batch's timers in one listTimersOf call where the store has one, none record by record", async () => {
      const { storage, drop } = await kind.open();
      try {
        const { ids, plan, blueprints } = await seed(storage, 45);
        const calls = { one: 0, many: 0, ids: 0 };
        // the store's own listTimersOf (PostgreSQL), or one made of listTimers (memory, SQLite), counted
        const counted = withOverrides(storage, {
          transaction: <R>(tenantId: string, fn: (tx: StorageTx) => Promise<R>) => storage.transaction(tenantId, (tx) => fn(withOverrides(tx, {
            listTimers: (recordId, options) => { calls.one++; return tx.listTimers(recordId, options); },
            listTimersOf: async (recordIds, options) => {
              calls.many++;
              calls.ids += recordIds.length;
              if (tx.listTimersOf) return tx.listTimersOf(recordIds, options);
              return (await Promise.all(recordIds.map((r) => tx.listTimers(r, options)))).flat();
            },
          }))),
        });
        const engine = createEngine({ storage: counted, blueprints, clock: createManualClock(NOW) });
        const done = await migrateRecords(engine, plan, { batchSize: 20 });
        expect(done.migrated).toBe(45);
        expect(calls).toEqual({ one: 0, many: 3, ids: 45 });
        await expectMigratedOnce(storage, ids);
        for (const rid of ids) {
          const timers = await storage.transaction('default', (tx) => tx.listTimers(rid, { status: ['pending'] }));
          expect([rid, timers.map((t) => [t.kind, t.stage, t.recordVersion])]).toEqual([rid, [['breach', 'new', 2]]]);
        }
      } finally {
        await drop();
      }
    });

    it('refuses a bad batchSize before anything is written', async () => {
      const { storage, drop } = await kind.open();
      try {
        const { engine, ids, plan } = await seed(storage, 3);
        for (const batchSize of [0, 1.5, 10_001, 'big']) {
          const err = await migrateRecords(engine, plan, { batchSize: batchSize as number }).then(() => null, (e: unknown) => e);
          expect(isDealflowError(err, 'INPUT_INVALID')).toBe(true);
          expect((err as Error).message).toContain('batchSize');
          const dry = await previewMigration(engine, plan, { batchSize: batchSize as number }).then(() => null, (e: unknown) => e);
          expect(isDealflowError(dry, 'INPUT_INVALID')).toBe(true);
        }
        for (const rid of ids) expect((await storage.getRecord('default', rid))!.blueprintVersion).toBe(1);
      } finally {
        await drop();
      }
    });
  });
}
