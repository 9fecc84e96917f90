import { describe, expect, test } from 'vitest';
import { isDealflowError } from '../src/index.js';
import type { SalesRulesInput } from '../src/index.js';
import { as, salesEngine, sampleDirectory } from './assignment-helpers.js';

const ownerOrManagers = {
  or: [
    { '==': [{ var: 'actor.id' }, { var: 'record.ownerId' }] },
    { in: [{ var: 'actor.id' }, { var: 'record.ownerManagerChain' }] },
    { in: ['admin', { var: 'actor.roles' }] },
  ],
};

const rules: SalesRulesInput = {
  assignment: { rules: [{ id: 'rr', assign: { strategy: 'roundRobin', team: 'east' } }] },
  permissions: {
    read: ownerOrManagers,
    edit: ownerOrManagers,
    fields: { discount: { in: ['manager', { var: 'actor.roles' }] } },
    transitions: { lose: { in: ['manager', { var: 'actor.roles' }] }, '*': ownerOrManagers },
    activity: ownerOrManagers,
  },
};

describe('permissions', () => {
  test('reads through the engine filter by the read rule (owner, manager chain, role)', async () => {
    // roles come from the directory (issue #15): root is an admin there
    const { engine } = salesEngine(rules, { directory: sampleDirectory({ reps: [{ id: 'root', roles: ['admin'] }] }) });
    const a = (await engine.create('lead', { fields: { name: 'A' } }, { actor: engine.system })).record; // ann
    const b = (await engine.create('lead', { fields: { name: 'B' } }, { actor: engine.system })).record; // bob
    expect((await engine.queryFor({}, as('ann'))).map((r) => r.id)).toEqual([a.id]);
    expect((await engine.queryFor({}, as('mia', ['manager']))).map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
    expect((await engine.queryFor({}, as('dora', ['director']))).length).toBe(2); // manager's manager
    expect(await engine.queryFor({}, as('dan'))).toEqual([]);
    expect(await engine.getFor(a.id, as('bob'))).toBeNull();
    expect((await engine.getFor(a.id, as('ann')))?.id).toBe(a.id);
    expect(await engine.can('read', a.id, as('root', ['admin']))).toBe(true);
    // the engine's own reads filter too when given an actor
    expect(await engine.get(a.id, as('bob'))).toBeNull();
    expect((await engine.get(a.id, as('ann')))?.id).toBe(a.id);
    expect((await engine.query({}, as('ann'))).map((r) => r.id)).toEqual([a.id]);
    expect(await engine.query({}, { actor: engine.system })).toHaveLength(2);
  });

  test('field edits and transitions are checked against the actor', async () => {
    const { engine } = salesEngine(rules);
    const a = (await engine.create('lead', { fields: { name: 'A' } }, { actor: engine.system })).record; // ann
    // another rep may not fire anything on ann's lead
    const err = await engine.send(a.id, 'contact', as('bob')).catch((e) => e);
    expect(isDealflowError(err, 'FORBIDDEN')).toBe(true);
    expect(err.message).toContain("'bob'");
    expect(err.message).toContain(a.id);
    // the owner may, but not change the discount field
    await expect(engine.send(a.id, { type: 'contact', fields: { discount: 50 } }, as('ann'))).rejects.toMatchObject({ code: 'FORBIDDEN', details: { fields: ['discount'] } });
    expect((await engine.get(a.id, { actor: engine.system }))!).toMatchObject({ stage: 'new', version: 1 });
    expect((await engine.send(a.id, { type: 'contact', fields: { amount: 100 } }, as('ann'))).ok).toBe(true);
    // only a manager may lose a lead
    await expect(engine.send(a.id, 'lose', as('ann'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await engine.send(a.id, 'lose', as('mia', ['manager']))).ok).toBe(true);
    // activities follow their own rule
    await expect(engine.logActivity(a.id, { type: 'call' }, as('dan'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  test('permission rules are validated with paths', () => {
    expect(() => salesEngine({ permissions: { read: { nope: [1] } } })).toThrow(/\$\.permissions\.read/);
    expect(() => salesEngine({ permissions: { delete: true } as never })).toThrow(/\$\.permissions/);
  });
});
