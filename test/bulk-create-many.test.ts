/**
 * engine.createMany on the memory store, SQLite and PostgreSQL: refused items never sink the
 * others, the accepted ones are what single creates would have written (history, timers, outbox,
 * duplicate guard), past stages replay exactly, per-item idempotency keys, all-or-nothing.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, createManualClock, replay } from '../packages/core/src/index.js';
import type { Engine, Storage } from '../packages/core/src/index.js';
import { leadBlueprint } from './support/bulk-fixture.js';
import { storeKinds } from './support/stores.js';

const NOW = '2026-03-02T10:00:00.000Z';

function engineOn(storage: Storage, extra: Partial<Parameters<typeof createEngine>[0]> = {}): Engine {
  return createEngine({ storage, blueprints: [leadBlueprint()], clock: createManualClock(NOW), ...extra });
}

for (const kind of await storeKinds('test/bulk-create-many.test.ts')) {
  describe(`createMany on ${kind.name}`, () => {
    it('commits the accepted items of a batch with refused ones, each as a single create would write it', async () => {
      const { storage, drop } = await kind.open();
      try {
        const engine = engineOn(storage);
        const items = Array.from({ length: 60 }, (_, i) =>
          i % 7 === 3 ? { fields: { email: `x${i}@a.com` } } // no name: refused
            : i % 11 === 5 ? { fields: { name: `L${i}`, amount: 'lots' } } // wrong type: refused
              : { id: `lead-${i}`, fields: { name: `L${i}`, amount: i } });
        const created: string[] = [];
        engine.on('created', (e) => { created.push(e.record.id); });
        const results = await engine.createMany('lead', items, { batchSize: 16 });
        expect(results).toHaveLength(60);
        const refused = results.filter((r) => !r.ok);
        expect(refused.map((r) => r.index)).toEqual(items.flatMap((it, i) => ('id' in it ? [] : [i])));
        for (const r of refused) if (!r.ok) expect(r.error.code).toBe('INPUT_INVALID');
        const ok = results.filter((r) => r.ok);
        expect(created.sort()).toEqual(ok.map((r) => (r.ok ? r.record.id : '')).sort());
        // same rows as engine.create: compare with a single create on the same store
        const single = await engine.create('lead', { id: 'single', fields: { name: 'S', amount: 1 } });
        for (const r of ok) {
          if (!r.ok) continue;
          const stored = await storage.getRecord('default', r.record.id);
          expect(stored).toEqual(r.record);
          const history = await storage.listHistory('default', r.record.id);
          expect(history.map((e) => e.kind)).toEqual(['created']);
          expect(replay(history)).toEqual(stored);
          const timers = await engine.timers(r.record.id);
          const singleTimers = await engine.timers('single');
          expect(timers.map((t) => [t.kind, t.key, t.dueAt, t.status])).toEqual(singleTimers.map((t) => [t.kind, t.key, t.dueAt, t.status]));
        }
        const outbox = await storage.readOutbox({ limit: 1000 });
        expect(outbox.filter((m) => m.type === 'dealflow.created').map((m) => m.recordId).sort()).toEqual([...ok.map((r) => (r.ok ? r.record.id : '')), 'single'].sort());
      } finally {
        await drop();
      }
    });

    it('refuses an id that exists (DUPLICATE) or repeats within the call, and the others still commit', async () => {
      const { storage, drop } = await kind.open();
      try {
        const engine = engineOn(storage);
        await engine.create('lead', { id: 'taken', fields: { name: 'T' } });
        const results = await engine.createMany('lead', [
          { id: 'a', fields: { name: 'A' } }, { id: 'taken', fields: { name: 'X' } }, { id: 'b', fields: { name: 'B' } }, { id: 'a', fields: { name: 'again' } },
        ]);
        expect(results.map((r) => r.ok)).toEqual([true, false, true, false]);
        expect(results.map((r) => (r.ok ? null : r.error.code))).toEqual([null, 'DUPLICATE', null, 'DUPLICATE']);
        expect((await storage.getRecord('default', 'a'))?.fields.name).toBe('A');
        expect((await storage.getRecord('default', 'taken'))?.fields.name).toBe('T');
      } finally {
        await drop();
      }
    });

    it('with allOrNothing, one refused item fails the call and writes nothing', async () => {
      const { storage, drop } = await kind.open();
      try {
        const engine = engineOn(storage);
        await expect(engine.createMany('lead', [{ id: 'a', fields: { name: 'A' } }, { id: 'b', fields: {} }], { allOrNothing: true })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
        expect(await storage.getRecord('default', 'a')).toBeNull();
        const all = await engine.createMany('lead', [{ id: 'a', fields: { name: 'A' } }, { id: 'b', fields: { name: 'B' } }], { allOrNothing: true });
        expect(all.every((r) => r.ok)).toBe(true);
      } finally {
        await drop();
      }
    });

    it('the duplicate guard holds inside a batch and against stored records', async () => {
      const { storage, drop } = await kind.open();
      try {
        const engine = engineOn(storage, { rules: { duplicates: { keys: [{ name: 'email', normalize: 'email' }] } } });
        await engine.create('lead', { fields: { name: 'Old', email: 'old@x.com' } });
        const results = await engine.createMany('lead', [
          { fields: { name: 'A', email: 'a@x.com' } },
          { fields: { name: 'B', email: 'A@X.com' } }, // same key as the first item
          { fields: { name: 'C', email: 'old@x.com' } }, // held by the stored record
          { fields: { name: 'D', email: 'd@x.com' } },
        ]);
        expect(results.map((r) => r.ok)).toEqual([true, false, false, true]);
        expect((await storage.queryRecords('default', { type: 'lead' })).length).toBe(3);
      } finally {
        await drop();
      }
    });

    it('writes past stages as history that replays to the record, and per-item idempotency keys replay', async () => {
      const { storage, drop } = await kind.open();
      try {
        const engine = engineOn(storage);
        const item = {
          id: 'old', fields: { name: 'Old deal' }, createdAt: '2025-01-10T08:00:00.000Z', idempotencyKey: 'imp:1',
          stages: [{ stage: 'contacted', at: '2025-01-12T09:00:00Z' }, { stage: 'qualified', at: '2025-02-01T10:00:00Z' }],
        };
        const [first] = await engine.createMany('lead', [item, { fields: { name: 'Bad' }, stages: [{ stage: 'nowhere', at: NOW }] }]);
        expect(first!.ok).toBe(true);
        const record = await storage.getRecord('default', 'old');
        expect(record).toMatchObject({ stage: 'qualified', stageEnteredAt: '2025-02-01T10:00:00.000Z', createdAt: '2025-01-10T08:00:00.000Z', version: 3 });
        const history = await storage.listHistory('default', 'old');
        expect(history.map((e) => [e.kind, e.event ?? null, e.to, e.at])).toEqual([
          ['created', null, 'new', '2025-01-10T08:00:00.000Z'],
          ['transition', '$import', 'contacted', '2025-01-12T09:00:00.000Z'],
          ['transition', '$import', 'qualified', '2025-02-01T10:00:00.000Z'],
        ]);
        expect(replay(history)).toEqual(record);
        expect((await engine.getAt('old', '2025-01-20T00:00:00Z'))?.stage).toBe('contacted');
        // qualified has no deadline: the first stage's breach was cancelled
        expect((await engine.timers('old', { status: ['pending'] }))).toEqual([]);
        const again = await engine.createMany('lead', [item]);
        expect(again[0]!.ok && again[0]!.replayed).toBe(true);
        expect((await storage.listHistory('default', 'old')).length).toBe(3);
      } finally {
        await drop();
      }
    });
  });
}
