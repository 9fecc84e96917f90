import { describe, expect, it } from 'vitest';
import { createEngine, createManualClock, createMemoryDirectory, createMemoryStorage } from '@dealflow/core';
import type { BlueprintInput } from '@dealflow/core';

const LEAD: BlueprintInput = {
  id: 'lead', version: 1, recordType: 'lead', initialStage: 'new',
  stages: [{ id: 'new', lint: { ignore: ['stage_without_deadline'] } }, { id: 'lost', kind: 'lost' }],
  transitions: [{ event: 'lose', from: 'new', to: 'lost' }],
};

function setup(repIds: string[]) {
  const directory = createMemoryDirectory({ reps: repIds.map((id) => ({ id, roles: ['rep'] })), teams: [{ id: 'sales', memberIds: repIds }] });
  const engine = createEngine({
    storage: createMemoryStorage(),
    clock: createManualClock('2026-03-02T09:00:00.000Z'),
    blueprints: [LEAD],
    directory,
    rules: { assignment: { rules: [{ id: 'rr', assign: { strategy: 'roundRobin', team: 'sales' } }] } },
  });
  let n = 0;
  const next = async (count: number) => {
    const owners: string[] = [];
    for (let i = 0; i < count; i++) owners.push((await engine.create('lead', { id: `l${n++}` })).record.ownerId!);
    return owners;
  };
  return { directory, engine, next };
}

describe('round robin keeps a stable pointer', () => {
  it('rotates in rep order while the team does not change', async () => {
    const { next } = setup(['ann', 'bob', 'cat']);
    expect(await next(6)).toEqual(['ann', 'bob', 'cat', 'ann', 'bob', 'cat']);
  });

  it('a rep joining gets one record and joins the rotation; nobody else loses their place', async () => {
    const { directory, next } = setup(['ann', 'bob', 'cat']);
    expect(await next(2)).toEqual(['ann', 'bob']); // cat is next
    directory.upsertRep({ id: 'abe', roles: ['rep'] });
    directory.upsertTeam({ id: 'sales', memberIds: ['ann', 'bob', 'cat', 'abe'] });
    // with turn % size, adding 'abe' (sorting first) would shift everyone; here: abe once, then cat as planned
    expect(await next(5)).toEqual(['abe', 'cat', 'ann', 'bob', 'abe']);
  });

  it('a rep returning from absence gets one record, not the backlog of missed turns', async () => {
    const { directory, next } = setup(['ann', 'bob', 'cat']);
    await next(3);
    directory.upsertRep({ id: 'cat', roles: ['rep'], active: false });
    expect(await next(6)).toEqual(['ann', 'bob', 'ann', 'bob', 'ann', 'bob']);
    directory.upsertRep({ id: 'cat', roles: ['rep'] });
    const after = await next(6);
    expect(after).toEqual(['cat', 'ann', 'bob', 'cat', 'ann', 'bob']);
  });

  it('a rep leaving does not move the others', async () => {
    const { directory, next } = setup(['ann', 'bob', 'cat', 'dan']);
    expect(await next(2)).toEqual(['ann', 'bob']);
    directory.deactivateRep('ann');
    expect(await next(4)).toEqual(['cat', 'dan', 'bob', 'cat']);
  });

  it('every choice is explained in history', async () => {
    const { engine, next } = setup(['ann', 'bob']);
    await next(3);
    const h = await engine.history('l2');
    const assignment = h[0]!.data.assignment as { reason: string; turn: number };
    expect(assignment.turn).toBe(3);
    expect(assignment.reason).toContain("'ann'");
    expect(assignment.reason).toContain('last at turn 1');
  });
});

describe('weighted rotation', () => {
  function weighted(weights: Record<string, number>) {
    const ids = Object.keys(weights);
    const directory = createMemoryDirectory({ reps: ids.map((id) => ({ id, roles: ['rep'] })), teams: [{ id: 'sales', memberIds: ids }] });
    const engine = createEngine({
      storage: createMemoryStorage(),
      clock: createManualClock('2026-03-02T09:00:00.000Z'),
      blueprints: [LEAD],
      directory,
      rules: { assignment: { rules: [{ id: 'rr', assign: { strategy: 'roundRobin', team: 'sales', weights } }] } },
    });
    let n = 0;
    const next = async (count: number) => {
      const owners: string[] = [];
      for (let i = 0; i < count; i++) owners.push((await engine.create('lead', { id: `w${n++}` })).record.ownerId!);
      return owners;
    };
    return { directory, next };
  }
  const count = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ({ ...m, [x]: (m[x] ?? 0) + 1 }), {});

  it('gives each rep records in proportion to its weight, interleaved', async () => {
    const { next } = weighted({ ann: 2, bob: 1, cat: 1 });
    const owners = await next(40);
    expect(count(owners)).toEqual({ ann: 20, bob: 10, cat: 10 });
    // interleaved: in every window of 4 consecutive records each rep appears at most its share + 1
    for (let i = 0; i + 4 <= owners.length; i++) {
      const c = count(owners.slice(i, i + 4));
      expect(c.ann ?? 0).toBeLessThanOrEqual(3);
      expect(c.bob ?? 0).toBeLessThanOrEqual(2);
    }
  });

  it('a rep back from absence gets their share from now on, not a backlog', async () => {
    const { directory, next } = weighted({ ann: 1, bob: 1, cat: 1 });
    await next(3);
    directory.upsertRep({ id: 'cat', roles: ['rep'], active: false });
    await next(10);
    directory.upsertRep({ id: 'cat', roles: ['rep'] });
    const after = await next(6);
    expect(count(after)).toEqual({ ann: 2, bob: 2, cat: 2 });
  });
});

describe('availability windows', () => {
  it('a rep outside their hours or away is skipped and keeps their place', async () => {
    const directory = createMemoryDirectory({
      reps: [
        { id: 'ann', roles: ['rep'], availability: { timeZone: 'Europe/Berlin', workingHours: { mon: [['09:00', '17:00']] } } },
        { id: 'bob', roles: ['rep'], availability: { timeZone: 'America/New_York', workingHours: { mon: [['09:00', '17:00']] } } },
        { id: 'cat', roles: ['rep'], availability: { timeZone: 'UTC', away: [{ from: '2026-03-02T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z' }] } },
      ],
      teams: [{ id: 'sales', memberIds: ['ann', 'bob', 'cat'] }],
    });
    const clock = createManualClock('2026-03-02T09:00:00.000Z'); // Mon 10:00 Berlin, 04:00 New York; cat away
    const engine = createEngine({ storage: createMemoryStorage(), clock, blueprints: [LEAD], directory, rules: { assignment: { rules: [{ id: 'rr', assign: { strategy: 'roundRobin', team: 'sales' } }] } } });
    const owner = async (id: string) => (await engine.create('lead', { id })).record.ownerId;
    expect([await owner('a1'), await owner('a2')]).toEqual(['ann', 'ann']);
    clock.set('2026-03-02T15:00:00.000Z'); // Mon 16:00 Berlin, 10:00 New York
    expect([await owner('a3'), await owner('a4')]).toEqual(['bob', 'ann']);
    clock.set('2026-03-03T00:30:00.000Z'); // cat back (Tuesday: ann and bob off)
    expect([await owner('a5'), await owner('a6')]).toEqual(['cat', 'cat']);
    const h = await engine.explainAssignment({ fields: {} });
    expect(h.rules[0]!.candidates!.find((c) => c.repId === 'ann')!.reason).toBe('outside availability window');
  });
});
