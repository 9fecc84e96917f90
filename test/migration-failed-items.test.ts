/**
 * migrateRecords per record, on the memory store, SQLite and PostgreSQL: a record the migration
 * cannot decide (here: stored in a stage its version does not have) is listed in `failed` with
 * its code and message, stays on the old version untouched, and the other records of its batch
 * migrate; the dry run lists the same; running the migration again retries only what is left.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, createManualClock, defineBlueprint, migrateRecords, planMigration, previewMigration, replay } from '../packages/core/src/index.js';
import type { BlueprintInput } from '../packages/core/src/index.js';
import { storeKinds } from './support/stores.js';

const NOW = '2026-03-02T10:00:00.000Z';

const V1: BlueprintInput = {
  id: 'deal',
  version: 1,
  recordType: 'deal',
  initialStage: 'new',
  fields: { amount: { type: 'number' } },
  stages: [{ id: 'new' }, { id: 'qualify' }, { id: 'won', kind: 'won' }, { id: 'lost', kind: 'lost' }],
  transitions: [
    { event: 'qualify', from: 'new', to: 'qualify' },
    { event: 'win', from: 'qualify', to: 'won' },
    { event: 'lose', from: '*', to: 'lost' },
  ],
};
const V2: BlueprintInput = {
  ...V1,
  version: 2,
  stages: [{ id: 'new' }, { id: 'discovery' }, { id: 'won', kind: 'won' }, { id: 'lost', kind: 'lost' }],
  transitions: [
    { event: 'qualify', from: 'new', to: 'discovery' },
    { event: 'win', from: 'discovery', to: 'won' },
    { event: 'lose', from: '*', to: 'lost' },
  ],
};

for (const kind of await storeKinds('test/migration-failed-items.test.ts')) {
  describe(`migrateRecords on ${kind.name}`, () => {
    it('a record it cannot decide is listed in failed and stays on v1; the rest of its batch migrates; a rerun retries only it', async () => {
      const { storage, drop } = await kind.open();
      try {
        const from = defineBlueprint(V1);
        const to = defineBlueprint(V2);
        const old = createEngine({ storage, blueprints: [from], clock: createManualClock(NOW) });
        const made = await old.createMany('deal', Array.from({ length: 12 }, (_, i) => ({ id: `d${String(i).padStart(2, '0')}`, fields: { amount: i } })));
        const ids = made.map((r) => (r.ok ? r.record.id : ''));
        await old.sendMany(ids.filter((_, i) => i % 3 === 0).map((id) => ({ recordId: id, event: 'qualify' })));
        // a record whose stored stage v1 does not have (bad data from elsewhere), between good ones
        const ghost = { ...(await storage.getRecord('default', ids[7]!))!, id: 'd06x', stage: 'ghost' };
        await storage.transaction('default', (tx) => tx.insertRecord(ghost));

        const engine = createEngine({ storage, blueprints: [from, to], clock: createManualClock(NOW) });
        const plan = planMigration(from, to, { stageMap: { qualify: 'discovery' } });
        const preview = await previewMigration(engine, plan, { batchSize: 5 });
        const done = await migrateRecords(engine, plan, { batchSize: 5 });

        expect(done.examined).toBe(13);
        expect(done.migrated).toBe(12);
        expect(done.failed).toHaveLength(1);
        expect(done.failed[0]).toMatchObject({ recordId: 'd06x', from: 'ghost', error: { code: 'DATA_INVALID' } });
        expect(done.failed[0]!.error.message).toContain("record 'd06x' is in stage 'ghost'");
        expect(preview.failed).toEqual(done.failed);
        expect(done.moves).toEqual(preview.moves);
        expect(done.moves).toEqual([{ from: 'new', to: 'new', count: 8 }, { from: 'qualify', to: 'discovery', count: 4 }]);

        // the ghost is untouched; every other record (its batch neighbours too) is on v2 and replays
        expect(await storage.getRecord('default', 'd06x')).toEqual(ghost);
        expect(await storage.listHistory('default', 'd06x')).toEqual([]);
        for (const [i, id] of ids.entries()) {
          const r = (await storage.getRecord('default', id))!;
          expect([r.blueprintVersion, r.stage, r.version]).toEqual([2, i % 3 === 0 ? 'discovery' : 'new', i % 3 === 0 ? 3 : 2]);
          expect(replay(await storage.listHistory('default', id))).toEqual(r);
        }
        const migrated = (await storage.readOutbox({ limit: 1000 })).filter((m) => m.type === 'dealflow.migrated');
        expect(migrated.map((m) => m.recordId).sort()).toEqual([...ids].sort());

        // a rerun: the migrated records are skipped, the ghost is tried again (and fails again)
        const again = await migrateRecords(engine, plan, { batchSize: 5 });
        expect([again.examined, again.migrated, again.failed.map((f) => f.recordId)]).toEqual([1, 0, ['d06x']]);
      } finally {
        await drop();
      }
    });
  });
}
