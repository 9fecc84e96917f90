import { describe, expect, test } from 'vitest';
import { isDealflowError } from '../src/index.js';
import type { SalesRulesInput } from '../src/index.js';
import { allowAllBut, as, salesEngine } from './assignment-helpers.js';

const rules: SalesRulesInput = {
  assignment: { rules: [{ id: 'to-pool', assign: { strategy: 'pool', pool: 'east-pool' } }] },
  pool: { claimLimit: { max: 2, period: 'day' }, returnAfter: 'P7D', cooldown: 'P30D' },
  permissions: allowAllBut({
    claim: { in: ['rep', { var: 'actor.roles' }] },
    distribute: { in: ['manager', { var: 'actor.roles' }] },
  }),
};

async function poolLeads(engine: ReturnType<typeof salesEngine>['engine'], n: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await engine.create('lead', { fields: { name: `P${i}` } }, { actor: engine.system })).record.id);
  return ids;
}

describe('public pool', () => {
  test('reps claim pool records; the claim is in history; owned records cannot be claimed', async () => {
    const { engine } = salesEngine(rules);
    const [id] = await poolLeads(engine, 1);
    expect((await engine.get(id!, { actor: engine.system }))!).toMatchObject({ ownerId: null, teamId: 'east-pool' });
    const res = await engine.claim(id!, as('ann'));
    expect(res.record).toMatchObject({ ownerId: 'ann', teamId: 'east' });
    expect(res.events[0]).toMatchObject({ kind: 'claimed', actorId: 'ann', data: { poolId: 'east-pool', ownerId: 'ann' } });
    await expect(engine.claim(id!, as('bob'))).rejects.toMatchObject({ code: 'CONFLICT', message: `Record '${id}' is owned by 'ann'; only records in the public pool can be claimed` });
    expect(res.record.meta.assignment).toMatchObject({ via: 'claim', reason: "claimed from pool 'east-pool'" });
  });

  test('claim limit per rep per period', async () => {
    const { engine, clock } = salesEngine(rules);
    const ids = await poolLeads(engine, 4);
    await engine.claim(ids[0]!, as('ann'));
    await engine.claim(ids[1]!, as('ann'));
    const err = await engine.claim(ids[2]!, as('ann')).catch((e) => e);
    expect(isDealflowError(err, 'REJECTED')).toBe(true);
    expect(err.message).toMatch(/claim limit \(2 per day\)/);
    expect((await engine.get(ids[2]!, { actor: engine.system }))!.ownerId).toBeNull();
    await engine.claim(ids[2]!, as('bob')); // other reps are not affected
    clock.advance('P1D');
    expect((await engine.claim(ids[3]!, as('ann'))).record.ownerId).toBe('ann');
  });

  test('permission rules decide who may claim and who may distribute', async () => {
    const { engine } = salesEngine(rules);
    const [a, b] = await poolLeads(engine, 2);
    await expect(engine.claim(a!, as('dora', ['director']))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(engine.distribute(a!, 'bob', as('ann'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const d = await engine.distribute(a!, 'bob', as('mia', ['manager']));
    expect(d.record.ownerId).toBe('bob');
    expect(d.events[0]).toMatchObject({ kind: 'distributed', actorId: 'mia' });
    await expect(engine.distribute(b!, 'ghost', as('mia', ['manager']))).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });

  test('records return automatically after N days without follow-up; activity keeps them', async () => {
    const { engine, clock } = salesEngine(rules);
    const [idle, busy] = await poolLeads(engine, 2);
    await engine.claim(idle!, as('ann'));
    await engine.claim(busy!, as('bob'));
    clock.advance('P5D');
    await engine.logActivity(busy!, { type: 'visit' }, as('bob'));
    clock.advance('P2D');
    expect((await engine.runDue()).fired).toBe(1);
    const back = (await engine.get(idle!, { actor: engine.system }))!;
    expect(back).toMatchObject({ ownerId: null, teamId: 'east-pool' });
    expect(back.meta.pool).toMatchObject({ reason: 'no_follow_up', returnedFrom: 'ann' });
    expect((await engine.history(idle!, { actor: engine.system })).at(-1)).toMatchObject({ kind: 'returned', data: { reason: 'no_follow_up', from: 'ann' } });
    expect((await engine.get(busy!, { actor: engine.system }))!.ownerId).toBe('bob');
  });

  test('a returned record cannot be re-claimed by the same rep during the cool-down', async () => {
    const { engine, clock } = salesEngine(rules);
    const [id] = await poolLeads(engine, 1);
    await engine.claim(id!, as('ann'));
    await engine.returnToPool(id!, { reason: 'not interested' }, as('ann'));
    const err = await engine.claim(id!, as('ann')).catch((e) => e);
    expect(isDealflowError(err, 'FORBIDDEN')).toBe(true);
    expect(err.details.cooldownUntil).toBe('2026-02-04T08:00:00.000Z');
    clock.advance('P30D');
    expect((await engine.claim(id!, as('ann'))).record.ownerId).toBe('ann');
    // another rep could have claimed it at once
  });

  test('when a rep leaves, handover to the pool returns every open record in one batch', async () => {
    const { engine, directory } = salesEngine(rules);
    const ids = await poolLeads(engine, 3);
    await engine.claim(ids[0]!, as('cat'));
    await engine.claim(ids[1]!, as('cat'));
    directory.deactivateRep('cat');
    const res = await engine.handover('cat', { pool: true }, as('mia', ['manager']));
    expect(res.moved.map((m) => m.recordId).sort()).toEqual([ids[0], ids[1]].sort());
    for (const m of res.moved) expect((await engine.get(m.recordId, { actor: engine.system }))!).toMatchObject({ ownerId: null, teamId: 'east-pool' });
    // an inactive rep cannot claim
    await expect(engine.claim(ids[2]!, as('cat'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  test('pool config is validated', () => {
    expect(() => salesEngine({ pool: { claimLimit: { max: -1, period: 'day' } } })).toThrow(/\$\.pool\.claimLimit\.max/);
    expect(() => salesEngine({ pool: { returnAfter: 'a week' } })).toThrow(/\$\.pool\.returnAfter/);
  });
});
