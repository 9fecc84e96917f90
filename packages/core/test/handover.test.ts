import { describe, expect, test } from 'vitest';
import type { SalesRulesInput } from '../src/index.js';
import { allowAllBut, as, countBy, salesEngine } from './assignment-helpers.js';

const rules: SalesRulesInput = {
  assignment: { rules: [{ id: 'to-cat', assign: { strategy: 'owner', owner: 'cat' } }] },
  permissions: allowAllBut({ handover: { in: ['manager', { var: 'actor.roles' }] } }),
};

async function catsLeads(engine: ReturnType<typeof salesEngine>['engine'], n: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await engine.create('lead', { fields: { name: `C${i}` } }, { actor: engine.system })).record.id);
  return ids;
}

describe('handover (分得出、收得回、带不走)', () => {
  test("moves every open record of a departing rep to one rep in one audited batch; closed records stay", async () => {
    const { engine, storage } = salesEngine(rules);
    const ids = await catsLeads(engine, 4);
    await engine.send(ids[3]!, 'lose', as('cat'));
    const res = await engine.handover('cat', { to: 'ann' }, as('mia', ['manager']));
    expect(res.moved.map((m) => m.recordId).sort()).toEqual(ids.slice(0, 3).sort());
    for (const id of ids.slice(0, 3)) {
      const h = await engine.history(id, { actor: engine.system });
      expect(h.at(-1)).toMatchObject({ kind: 'handover', actorId: 'mia', data: { batchId: res.batchId, from: 'cat', to: 'ann' } });
      expect((await engine.get(id, { actor: engine.system }))!.ownerId).toBe('ann');
    }
    expect((await engine.get(ids[3]!, { actor: engine.system }))!.ownerId).toBe('cat');
    const audit = (await storage.readOutbox({ limit: 100 })).filter((m) => m.type === 'dealflow.handover');
    expect(audit).toHaveLength(1);
    expect(audit[0]!.payload).toMatchObject({ batchId: res.batchId, from: 'cat', actorId: 'mia' });
  });

  test('by strategy: spread over the team without the departing rep', async () => {
    const { engine, directory } = salesEngine(rules);
    await catsLeads(engine, 6);
    directory.deactivateRep('cat');
    const res = await engine.handover('cat', { strategy: { strategy: 'roundRobin', team: 'east' } }, as('mia', ['manager']));
    expect(countBy(res.moved, (m) => m.to)).toEqual({ ann: 3, bob: 3 });
    expect(res.unplaced).toEqual([]);
  });

  test('only allowed actors hand over; a bad target fails whole and moves nothing', async () => {
    const { engine } = salesEngine(rules);
    const ids = await catsLeads(engine, 2);
    await expect(engine.handover('cat', { to: 'ann' }, as('bob'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(engine.handover('cat', { to: 'ghost' }, as('mia', ['manager']))).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    for (const id of ids) expect((await engine.get(id, { actor: engine.system }))!.ownerId).toBe('cat');
  });

  test('records no rep can take are reported, not silently dropped', async () => {
    const { engine, directory } = salesEngine(rules);
    await catsLeads(engine, 2);
    directory.upsertRep({ ...directory.getRep('dan')!, capacity: { maxOpen: 1 } });
    const res = await engine.handover('cat', { strategy: { strategy: 'leastLoaded', reps: ['dan'] } }, as('mia', ['manager']));
    expect(res.moved).toHaveLength(1);
    expect(res.unplaced).toHaveLength(1);
    expect(res.unplaced[0]!.reason).toMatch(/capacity/);
  });
});
