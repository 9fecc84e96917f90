/**
 * engine.handover on the batch runner, on the memory store, SQLite and PostgreSQL: a handover in
 * several batches ends as the same handover in one transaction; a record that changed meanwhile is
 * refused without sinking its batch; records no rep can take are reported; running it again moves
 * only what is still the departing rep's; every batch writes its own `dealflow.handover` audit. A
 * fast-check property (memory store): every open record of the rep ends with exactly one new owner
 * or pool from the target, closed records stay, and history replays to the stored record.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, createManualClock, createMemoryStorage, replay } from '../packages/core/src/index.js';
import type { Engine, HandoverResult, HandoverTarget, SalesRulesInput, Storage } from '../packages/core/src/index.js';
import { allowAllBut, leadJson, office, sampleDirectory } from '../packages/core/test/assignment-helpers.js';
import { storeKinds } from './support/stores.js';

const NOW = '2026-01-05T08:00:00.000Z';
const manager = { actor: { id: 'mia', roles: ['manager'] } };

const rules: SalesRulesInput = {
  assignment: { rules: [{ id: 'to-cat', assign: { strategy: 'owner', owner: 'cat' } }] },
  pool: { returnAfter: 'P7D' },
  permissions: allowAllBut({ handover: { in: ['manager', { var: 'actor.roles' }] } }),
};

/** Ids drawn from a counter: two engines that make the same calls make the same ids. */
function counterIds(): (prefix: string) => string {
  let n = 0;
  return (prefix) => `${prefix}_${(++n).toString(36).padStart(4, '0')}`;
}

function engineOn(storage: Storage, directory = sampleDirectory()): Engine {
  return createEngine({ storage, blueprints: [leadJson()], clock: createManualClock(NOW), rules, directory, calendars: [office], newId: counterIds() });
}

/** `n` leads of cat (ids `c000`…), the ones in `closed` lost. */
async function catsLeads(engine: Engine, n: number, closed: ReadonlySet<number> = new Set()): Promise<string[]> {
  const made = await engine.createMany('lead', Array.from({ length: n }, (_, i) => ({ id: `c${String(i).padStart(3, '0')}`, fields: { name: `C${i}` } })), { actor: engine.system });
  const ids = made.map((r) => (r.ok ? r.record.id : ''));
  expect(ids.every((id) => id !== '')).toBe(true);
  if (closed.size > 0) await engine.sendMany([...closed].map((i) => ({ recordId: ids[i]!, event: 'lose' })), { actor: engine.system });
  return ids;
}

/** What a store holds of the records after a handover: owner, team, version, and the history kinds. */
async function snapshot(storage: Storage, ids: readonly string[]) {
  const out: unknown[] = [];
  for (const id of ids) {
    const record = (await storage.getRecord('default', id))!;
    const history = await storage.listHistory('default', id);
    expect(replay(history)).toEqual(record);
    out.push({ id, ownerId: record.ownerId, teamId: record.teamId, version: record.version, history: history.map((e) => [e.kind, e.data ?? null]) });
  }
  return out;
}

/** The payload of a `dealflow.handover` message: one batch's records. */
type Audit = Omit<HandoverResult, 'items'> & { offset: number; actorId: string; at: string };

async function audits(storage: Storage, batchId: string) {
  return (await storage.readOutbox({ limit: 10_000 })).filter((m) => m.type === 'dealflow.handover' && (m.payload as unknown as Audit).batchId === batchId);
}

for (const kind of await storeKinds('test/bulk-handover.test.ts')) {
  describe(`handover on ${kind.name}`, () => {
    it('in several batches ends as the same handover in one transaction (records, history, assigned messages), one audit per batch', async () => {
      const targets: HandoverTarget[] = [{ to: 'ann' }, { strategy: { strategy: 'roundRobin', team: 'east' } }, { pool: 'east-pool' }];
      for (const target of targets) {
        const one = await kind.open();
        const many = await kind.open();
        try {
          const e1 = engineOn(one.storage);
          const eN = engineOn(many.storage);
          const ids = await catsLeads(e1, 23, new Set([4, 17]));
          await catsLeads(eN, 23, new Set([4, 17]));
          const whole = await e1.handover('cat', target, { ...manager, allOrNothing: true });
          const batches: Array<[number, number]> = [];
          const split = await eN.handover('cat', target, { ...manager, batchSize: 5, onBatch: (b) => { batches.push([b.from, b.to]); } });
          expect(batches).toEqual([[0, 5], [5, 10], [10, 15], [15, 20], [20, 21]]);
          expect(split).toEqual(whole);
          expect(split.items).toHaveLength(21);
          expect(split.items.every((i) => i.status === 'moved')).toBe(true);
          expect(split.moved.map((m) => m.recordId)).toEqual(ids.filter((_, i) => i !== 4 && i !== 17));
          expect(await snapshot(many.storage, ids)).toEqual(await snapshot(one.storage, ids));
          const assigned = async (s: Storage) => (await s.readOutbox({ limit: 10_000 })).filter((m) => m.type === 'dealflow.assigned').map((m) => [m.id, m.payload]);
          expect(await assigned(many.storage)).toEqual(await assigned(one.storage));
          expect(await audits(one.storage, whole.batchId)).toHaveLength(1);
          const parts = await audits(many.storage, split.batchId);
          expect(parts.map((m) => m.id).sort()).toEqual([`handover:${split.batchId}`, ...[5, 10, 15, 20].map((o) => `handover:${split.batchId}:${o}`)].sort());
          expect(parts.map((m) => (m.payload as unknown as Audit)).map((a) => [a.offset, a.actorId, a.from]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([0, 5, 10, 15, 20].map((o) => [o, 'mia', 'cat']));
          expect(parts.flatMap((m) => (m.payload as unknown as Audit).moved).sort((a, b) => a.recordId.localeCompare(b.recordId))).toEqual(split.moved);
        } finally {
          await one.drop();
          await many.drop();
        }
      }
    });

    it('a record changed meanwhile is refused and does not sink its batch; unplaced records are reported; a second run moves only what is still the rep\'s', async () => {
      const { storage, drop } = await kind.open();
      try {
        const directory = sampleDirectory();
        directory.upsertRep({ ...directory.getRep('dan')!, capacity: { maxOpen: 2 } });
        const engine = engineOn(storage, directory);
        const ids = await catsLeads(engine, 12);
        // after the first batch commits, two records of the second batch change: one reassigned, one lost
        const first = await engine.handover('cat', { strategy: { strategy: 'leastLoaded', reps: ['dan'] } }, {
          ...manager,
          batchSize: 4,
          onBatch: async (b) => {
            if (b.from !== 0) return;
            await engine.assign(ids[5]!, { to: 'bob' }, { actor: engine.system });
            await engine.send(ids[6]!, 'lose', { actor: engine.system });
          },
        });
        const status = first.items.map((i) => i.status);
        expect(status).toEqual(['moved', 'moved', 'unplaced', 'unplaced', 'unplaced', 'refused', 'refused', 'unplaced', 'unplaced', 'unplaced', 'unplaced', 'unplaced']);
        expect(first.refused.map((r) => [r.recordId, r.error.code])).toEqual([[ids[5], 'REJECTED'], [ids[6], 'REJECTED']]);
        expect(first.refused[0]!.error.message).toContain(`record '${ids[5]}' is now owned by 'bob'`);
        expect(first.refused[1]!.error.message).toContain(`record '${ids[6]}' is no longer open (stage 'lost')`);
        expect(first.unplaced.every((u) => /capacity/.test(u.reason))).toBe(true);
        // the refused items' batch still moved nothing else wrongly, and wrote its audit with them
        const parts = await audits(storage, first.batchId);
        expect(parts).toHaveLength(3);
        expect(parts.flatMap((m) => (m.payload as unknown as Audit).refused.map((r) => r.recordId))).toEqual([ids[5], ids[6]]);
        expect((await storage.getRecord('default', ids[5]!))!.ownerId).toBe('bob');
        expect((await storage.getRecord('default', ids[6]!))!).toMatchObject({ ownerId: 'cat', stage: 'lost' });
        for (const m of first.moved) expect((await storage.getRecord('default', m.recordId))!.ownerId).toBe('dan');
        // resumable: a second run (another target) takes exactly what cat still has open
        const stillCats = first.unplaced.map((u) => u.recordId);
        const second = await engine.handover('cat', { to: 'ann' }, { ...manager, batchSize: 3 });
        expect(second.moved.map((m) => m.recordId)).toEqual(stillCats);
        expect(second.refused).toEqual([]);
        const third = await engine.handover('cat', { to: 'ann' }, manager);
        expect(third.items).toEqual([]);
        expect(await audits(storage, third.batchId)).toHaveLength(1);
        for (const id of ids) {
          const history = await storage.listHistory('default', id);
          expect(replay(history)).toEqual(await storage.getRecord('default', id));
          expect(history.filter((e) => e.kind === 'handover').length).toBeLessThanOrEqual(1);
        }
      } finally {
        await drop();
      }
    });

    it('checks permission and target once, before anything is written', async () => {
      const { storage, drop } = await kind.open();
      try {
        const engine = engineOn(storage);
        const ids = await catsLeads(engine, 3);
        await expect(engine.handover('cat', { to: 'ann' }, { actor: { id: 'bob' }, batchSize: 1 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
        await expect(engine.handover('cat', { to: 'ghost' }, { ...manager, batchSize: 1 })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
        await expect(engine.handover('cat', { to: 'ann' }, { ...manager, batchSize: 0 })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
        for (const id of ids) expect((await storage.getRecord('default', id))!.ownerId).toBe('cat');
        expect((await storage.readOutbox({ limit: 100 })).filter((m) => m.type === 'dealflow.handover')).toEqual([]);
      } finally {
        await drop();
      }
    });
  });
}

describe('handover property (memory store)', () => {
  it('every open record of the rep ends with exactly one new owner or pool from the target; closed ones stay; history replays', async () => {
    const targetArb = fc.constantFrom<HandoverTarget>({ to: 'ann' }, { strategy: { strategy: 'roundRobin', team: 'east' } }, { strategy: { strategy: 'roundRobin', reps: ['dan', 'eve'] } }, { pool: 'east-pool' }, { pool: true });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 8 }), fc.uniqueArray(fc.nat(19), { maxLength: 6 }), targetArb, async (n, batchSize, closedAt, target) => {
        const storage = createMemoryStorage();
        const engine = engineOn(storage);
        const closed = new Set(closedAt.filter((i) => i < n));
        const ids = n === 0 ? [] : await catsLeads(engine, n, closed);
        const res = await engine.handover('cat', target, { ...manager, batchSize });
        const allowed = (owner: string | null, teamId: string | null): boolean => {
          if ('to' in target) return owner === target.to;
          if ('pool' in target) return owner === null && (target.pool === true ? typeof teamId === 'string' && teamId.length > 0 : teamId === target.pool);
          const reps = target.strategy !== 'rules' && 'reps' in target.strategy ? target.strategy.reps! : ['ann', 'bob'];
          return owner !== null && reps.includes(owner);
        };
        expect(res.refused).toEqual([]);
        for (const [i, id] of ids.entries()) {
          const record = (await storage.getRecord('default', id))!;
          const history = await storage.listHistory('default', id);
          expect(replay(history)).toEqual(record);
          const handovers = history.filter((e) => e.kind === 'handover');
          if (closed.has(i)) {
            expect(record.ownerId).toBe('cat');
            expect(handovers).toEqual([]);
          } else {
            expect(allowed(record.ownerId, record.teamId)).toBe(true);
            expect(handovers).toHaveLength(1);
            expect(handovers[0]!.data).toMatchObject({ batchId: res.batchId, from: 'cat', to: record.ownerId, poolId: record.ownerId === null ? record.teamId : null });
          }
        }
        expect(res.moved.map((m) => m.recordId).sort()).toEqual(ids.filter((_, i) => !closed.has(i)).sort());
        const moved = (await audits(storage, res.batchId)).flatMap((m) => (m.payload as unknown as Audit).moved.map((x) => x.recordId));
        expect(moved.sort()).toEqual(res.moved.map((m) => m.recordId).sort());
      }),
      { numRuns: 40 },
    );
  });
});
