/**
 * engine.returnManyToPool on the batch runner, on the memory store, SQLite and PostgreSQL: N records
 * returned in several batches end as N single `returnToPool` calls (records, history, assigned
 * messages, cool-downs); a refused id (another's record, already in the pool, missing) does not
 * sink its batch; `allOrNothing` writes nothing when one id is refused. `distributeMany` the same
 * way against single `distribute` calls. A fast-check property (memory store): over random ids,
 * owners and batch sizes, the batch call ends as the single calls.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, createManualClock, createMemoryStorage, replay } from '../packages/core/src/index.js';
import type { Engine, SalesRulesInput, Storage } from '../packages/core/src/index.js';
import { allowAllBut, leadJson, office, sampleDirectory } from '../packages/core/test/assignment-helpers.js';
import { storeKinds } from './support/stores.js';

const NOW = '2026-01-05T08:00:00.000Z';
const cat = { actor: { id: 'cat' } };

const rules: SalesRulesInput = {
  assignment: { rules: [{ id: 'to-cat', assign: { strategy: 'owner', owner: 'cat' } }] },
  pool: { cooldown: 'P3D', defaultPool: 'east-pool' },
  // a rep returns their own records; anyone else's needs the assign permission (managers)
  permissions: allowAllBut({ assign: { in: ['manager', { var: 'actor.roles' }] }, distribute: { in: ['manager', { var: 'actor.roles' }] } }),
};

/** Ids drawn from a counter: two engines that make the same calls make the same ids. */
function counterIds(): (prefix: string) => string {
  let n = 0;
  return (prefix) => `${prefix}_${(++n).toString(36).padStart(4, '0')}`;
}

function engineOn(storage: Storage): Engine {
  return createEngine({ storage, blueprints: [leadJson()], clock: createManualClock(NOW), rules, directory: sampleDirectory(), calendars: [office], newId: counterIds() });
}

/** `n` leads of cat (ids `c000`…); the ones in `bobs` reassigned to bob, the ones in `pooled` already returned. */
async function leads(engine: Engine, n: number, bobs: ReadonlySet<number> = new Set(), pooled: ReadonlySet<number> = new Set()): Promise<string[]> {
  const made = await engine.createMany('lead', Array.from({ length: n }, (_, i) => ({ id: `c${String(i).padStart(3, '0')}`, fields: { name: `C${i}` } })), { actor: engine.system });
  const ids = made.map((r) => (r.ok ? r.record.id : ''));
  expect(ids.every((id) => id !== '')).toBe(true);
  for (const i of bobs) await engine.assign(ids[i]!, { to: 'bob' }, { actor: engine.system });
  for (const i of pooled) await engine.returnToPool(ids[i]!, {}, { actor: engine.system });
  return ids;
}

/** What a store holds of the records: the record as stored, and its history (which replays to it). */
async function snapshot(storage: Storage, ids: readonly string[]) {
  const out: unknown[] = [];
  for (const id of ids) {
    const record = await storage.getRecord('default', id);
    const history = await storage.listHistory('default', id);
    if (record) expect(replay(history)).toEqual(record);
    out.push({ id, record, history: history.map((e) => [e.kind, e.actorId, e.data ?? null]) });
  }
  return out;
}

async function assigned(storage: Storage) {
  return (await storage.readOutbox({ limit: 10_000 })).filter((m) => m.type === 'dealflow.assigned').map((m) => [m.id, m.recordId, m.payload]);
}

for (const kind of await storeKinds('test/bulk-pool.test.ts')) {
  describe(`returnManyToPool on ${kind.name}`, () => {
    it('N records in several batches end as N single returnToPool calls (records, history, assigned messages, cool-downs)', async () => {
      const one = await kind.open();
      const many = await kind.open();
      try {
        const e1 = engineOn(one.storage);
        const eN = engineOn(many.storage);
        const ids = await leads(e1, 23);
        await leads(eN, 23);
        const singles = [];
        for (const id of ids) singles.push(await e1.returnToPool(id, { reason: 'stale' }, cat));
        const batches: Array<[number, number, number, number]> = [];
        const res = await eN.returnManyToPool(ids, { reason: 'stale', batchSize: 5, onBatch: (b) => { batches.push([b.from, b.to, b.returned, b.refused]); } }, cat);
        expect(batches).toEqual([[0, 5, 5, 0], [5, 10, 5, 0], [10, 15, 5, 0], [15, 20, 5, 0], [20, 23, 3, 0]]);
        expect(res).toEqual(singles.map((s, index) => ({ ok: true, index, ...s })));
        expect(await snapshot(many.storage, ids)).toEqual(await snapshot(one.storage, ids));
        expect(await assigned(many.storage)).toEqual(await assigned(one.storage));
        for (const r of res) {
          if (!r.ok) throw new Error(r.error.message);
          expect(r.record).toMatchObject({ ownerId: null, teamId: 'east-pool', meta: { pool: { poolId: 'east-pool', reason: 'stale', returnedFrom: 'cat', cooldown: { cat: expect.any(String) } } } });
          expect(r.events.map((e) => [e.kind, e.actorId])).toEqual([['returned', 'cat']]);
        }
        // the cool-down holds after the batch as after a single return
        await expect(eN.claim(ids[0]!, cat)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      } finally {
        await one.drop();
        await many.drop();
      }
    });

    it('a refused id (another rep\'s record, already in the pool, missing) does not sink its batch; a second run refuses what is returned and writes nothing', async () => {
      const { storage, drop } = await kind.open();
      try {
        const engine = engineOn(storage);
        const ids = await leads(engine, 9, new Set([1]), new Set([4]));
        const input = [...ids.slice(0, 6), 'ghost', ...ids.slice(6)];
        const res = await engine.returnManyToPool(input, { batchSize: 3 }, cat);
        expect(res.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['ok', 'FORBIDDEN', 'ok', 'ok', 'REJECTED', 'ok', 'NOT_FOUND', 'ok', 'ok', 'ok']);
        expect(res.map((r) => r.index)).toEqual(input.map((_, i) => i));
        const refused = res.flatMap((r) => (r.ok ? [] : [r.error.message]));
        expect(refused[0]).toContain(ids[1]);
        expect(refused[1]).toContain(`Record '${ids[4]}' is already in the public pool`);
        expect(refused[2]).toContain("Record 'ghost' does not exist");
        expect((await storage.getRecord('default', ids[1]!))!.ownerId).toBe('bob');
        for (const [i, id] of ids.entries()) if (i !== 1) expect((await storage.getRecord('default', id))!.ownerId).toBeNull();
        // the same ids again: every one refused, nothing written
        const before = [await snapshot(storage, ids), await assigned(storage)];
        const again = await engine.returnManyToPool(input, { batchSize: 4 }, cat);
        expect(again.every((r) => !r.ok)).toBe(true);
        expect([await snapshot(storage, ids), await assigned(storage)]).toEqual(before);
        // a manager may return another rep's record (the assign permission), as with returnToPool
        const [bobs] = await engine.returnManyToPool([ids[1]!], {}, { actor: { id: 'mia' } });
        expect(bobs).toMatchObject({ ok: true, index: 0, record: { ownerId: null } });
      } finally {
        await drop();
      }
    });

    it('allOrNothing: one refused id writes nothing; all accepted commit together; bad options fail whole first', async () => {
      const { storage, drop } = await kind.open();
      try {
        const engine = engineOn(storage);
        const ids = await leads(engine, 6, new Set([3]));
        const before = [await snapshot(storage, ids), await assigned(storage)];
        await expect(engine.returnManyToPool(ids, { allOrNothing: true }, cat)).rejects.toMatchObject({ code: 'FORBIDDEN' });
        await expect(engine.returnManyToPool(ids, { batchSize: 0 }, cat)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
        await expect(engine.returnManyToPool([ids[0]!, ''], {}, cat)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
        await expect(engine.returnManyToPool('c000' as unknown as string[], {}, cat)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
        expect([await snapshot(storage, ids), await assigned(storage)]).toEqual(before);
        const ok = ids.filter((_, i) => i !== 3);
        const res = await engine.returnManyToPool(ok, { allOrNothing: true, poolId: 'west-pool' }, cat);
        expect(res.every((r) => r.ok)).toBe(true);
        for (const id of ok) expect((await storage.getRecord('default', id))!).toMatchObject({ ownerId: null, teamId: 'west-pool' });
      } finally {
        await drop();
      }
    });
  });
}

for (const kind of await storeKinds('test/bulk-pool.test.ts distributeMany')) {
  describe(`distributeMany on ${kind.name}`, () => {
    const mia = { actor: { id: 'mia' } };
    it('N pool records in several batches end as N single distribute calls (records, history, assigned messages)', async () => {
      const one = await kind.open();
      const many = await kind.open();
      try {
        const e1 = engineOn(one.storage);
        const eN = engineOn(many.storage);
        const all = new Set(Array.from({ length: 13 }, (_, i) => i));
        const ids = await leads(e1, 13, new Set(), all);
        await leads(eN, 13, new Set(), all);
        const items = ids.map((recordId, i) => ({ recordId, to: ['ann', 'bob', 'dan'][i % 3]! }));
        const singles = [];
        for (const it of items) singles.push(await e1.distribute(it.recordId, it.to, mia));
        const batches: Array<[number, number, number, number]> = [];
        const res = await eN.distributeMany(items, { ...mia, batchSize: 4, onBatch: (b) => { batches.push([b.from, b.to, b.distributed, b.refused]); } });
        expect(batches).toEqual([[0, 4, 4, 0], [4, 8, 4, 0], [8, 12, 4, 0], [12, 13, 1, 0]]);
        expect(res).toEqual(singles.map((s, index) => ({ ok: true, index, ...s })));
        expect(res.map((r) => (r.ok ? r.record.ownerId : null))).toEqual(items.map((it) => it.to));
        expect(await snapshot(many.storage, ids)).toEqual(await snapshot(one.storage, ids));
        expect(await assigned(many.storage)).toEqual(await assigned(one.storage));
      } finally {
        await one.drop();
        await many.drop();
      }
    });

    it('refused items (owned record, unknown rep, missing record) do not sink their batch; no permission refuses each; allOrNothing writes nothing', async () => {
      const { storage, drop } = await kind.open();
      try {
        const engine = engineOn(storage);
        const ids = await leads(engine, 6, new Set(), new Set([0, 1, 2, 4, 5]));
        const items = [{ recordId: ids[0]!, to: 'ann' }, { recordId: ids[3]!, to: 'ann' }, { recordId: ids[1]!, to: 'ghost' }, { recordId: 'nope', to: 'ann' }, { recordId: ids[2]!, to: 'bob' }];
        const before = [await snapshot(storage, ids), await assigned(storage)];
        await expect(engine.distributeMany(items, { ...mia, allOrNothing: true })).rejects.toMatchObject({ code: 'REJECTED' });
        // a rep without the distribute permission: every item refused, nothing written
        const denied = await engine.distributeMany(items, { actor: { id: 'cat' }, batchSize: 2 });
        expect(denied.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['FORBIDDEN', 'REJECTED', 'FORBIDDEN', 'NOT_FOUND', 'FORBIDDEN']);
        // no actor: refused whole, as the single distribute is
        const single = await engine.distribute(ids[0]!, 'ann', {} as typeof mia).catch((e: { code: string }) => e.code);
        await expect(engine.distributeMany(items, {} as typeof mia)).rejects.toMatchObject({ code: single });
        await expect(engine.distributeMany([{ recordId: ids[0]!, to: '' }], mia)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
        expect([await snapshot(storage, ids), await assigned(storage)]).toEqual(before);
        const res = await engine.distributeMany(items, { ...mia, batchSize: 2 });
        expect(res.map((r) => (r.ok ? r.record.ownerId : r.error.code))).toEqual(['ann', 'REJECTED', 'INPUT_INVALID', 'NOT_FOUND', 'bob']);
        expect(res[1]!.ok ? '' : res[1]!.error.message).toContain(`Record '${ids[3]}' is owned by 'cat'`);
        expect(res[2]!.ok ? '' : res[2]!.error.message).toContain("'ghost'");
        expect((await storage.getRecord('default', ids[1]!))!.ownerId).toBeNull();
        // again: the distributed ones are refused, nothing new written
        const after = [await snapshot(storage, ids), await assigned(storage)];
        const again = await engine.distributeMany([items[0]!, items[4]!], mia);
        expect(again.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['REJECTED', 'REJECTED']);
        expect([await snapshot(storage, ids), await assigned(storage)]).toEqual(after);
      } finally {
        await drop();
      }
    });
  });
}

describe('returnManyToPool property (memory store)', () => {
  it('over random ids (repeats, missing ones), owners and batch sizes, the batch call ends as the single calls in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.nat(11), { maxLength: 16 }),
        fc.uniqueArray(fc.nat(9), { maxLength: 4 }),
        fc.uniqueArray(fc.nat(9), { maxLength: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom({ actor: { id: 'cat' } }, { actor: { id: 'mia' } }, { actor: { id: 'bob' } }),
        async (n, picks, bobs, pooled, batchSize, ctx) => {
          const one = createMemoryStorage();
          const many = createMemoryStorage();
          const e1 = engineOn(one);
          const eN = engineOn(many);
          const inRange = (s: number[]) => new Set(s.filter((i) => i < n));
          const ids = await leads(e1, n, inRange(bobs), inRange(pooled));
          await leads(eN, n, inRange(bobs), inRange(pooled));
          const input = picks.map((p) => ids[p] ?? `missing-${p}`);
          const singles: boolean[] = [];
          for (const id of input) singles.push(await e1.returnToPool(id, {}, ctx).then(() => true, () => false));
          const res = await eN.returnManyToPool(input, { batchSize }, ctx);
          expect(res.map((r) => r.ok)).toEqual(singles);
          expect(await snapshot(many, ids)).toEqual(await snapshot(one, ids));
          expect(await assigned(many)).toEqual(await assigned(one));
        },
      ),
      { numRuns: 40 },
    );
  });
});
