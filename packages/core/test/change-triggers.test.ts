import { describe, expect, test } from 'vitest';
import { createEngine, createManualClock, createMemoryDirectory, createMemoryStorage, defineBlueprint, isDealflowError, replay } from '../src/index.js';
import type { BlueprintInput } from '../src/index.js';

/** A contract that goes to the legal team on entering review, and to a named desk on signing. */
function contractJson(): BlueprintInput {
  return {
    id: 'contract', version: 1, recordType: 'contract', initialStage: 'draft',
    fields: { title: { type: 'text' } },
    stages: [{ id: 'draft' }, { id: 'review' }, { id: 'signed' }, { id: 'done', kind: 'won' }],
    transitions: [
      { event: 'review', from: 'draft', to: 'review', actions: [{ type: 'assign', strategy: 'roundRobin', team: 'legal' }, { type: 'task', title: 'Check clauses', due: 'P1D' }] },
      { event: 'sign', from: 'review', to: 'signed', actions: [{ type: 'assign', owner: { cat: ['desk-', { var: 'fields.title' }] }, team: 'ops' }] },
      { event: 'close', from: 'signed', to: 'done' },
    ],
  };
}

const directory = () => createMemoryDirectory({
  reps: [{ id: 'ann' }, { id: 'lea', teamIds: ['legal'] }, { id: 'leo', teamIds: ['legal'] }, { id: 'desk-x' }],
  teams: [{ id: 'legal', memberIds: ['lea', 'leo'] }],
});

describe('transition assign action', () => {
  test('entering a stage routes the record by strategy (team round robin) or by an owner rule; tasks follow the new owner', async () => {
    const engine = createEngine({ storage: createMemoryStorage(), blueprints: [contractJson()], clock: createManualClock('2026-03-02T09:00:00.000Z'), rules: {}, directory: directory() });
    const owners: string[] = [];
    for (const title of ['x', 'y']) {
      const { record } = await engine.create('contract', { fields: { title }, ownerId: 'ann' }, { actor: { id: 'ann' } });
      const r = await engine.send(record.id, 'review', { actor: { id: 'ann' } });
      expect(r.ok && r.record.teamId).toBe('legal');
      owners.push(r.ok ? r.record.ownerId! : '');
      if (r.ok) {
        expect(r.events[0]!.data.assignment).toMatchObject({ strategy: 'roundRobin', ownerId: r.record.ownerId });
        expect((r.record.meta.tasks as Array<{ ownerId: string }>)[0]!.ownerId).toBe(r.record.ownerId);
        expect((await engine.tasks({ owner: r.record.ownerId! })).map((t) => t.recordId)).toContain(record.id);
      }
      expect(replay(await engine.history(record.id))).toEqual(await engine.get(record.id));
    }
    expect(owners.sort()).toEqual(['lea', 'leo']);
  });

  test('an owner rule needs no sales rules; a strategy does (refused when the engine is created)', async () => {
    const bp = contractJson();
    expect(() => createEngine({ storage: createMemoryStorage(), blueprints: [bp] })).toThrow(/assign action with strategy 'roundRobin' needs createEngine\(\{ rules, directory \}\)/);
    const onlyOwner = { ...bp, transitions: bp.transitions!.map((t) => (t.event === 'review' ? { ...t, actions: [] } : t)) };
    const engine = createEngine({ storage: createMemoryStorage(), blueprints: [onlyOwner] });
    const { record } = await engine.create('contract', { fields: { title: 'x' } });
    await engine.send(record.id, 'review');
    const signed = await engine.send(record.id, 'sign');
    expect(signed.ok && [signed.record.ownerId, signed.record.teamId]).toEqual(['desk-x', 'ops']);
  });

  test('an assign action needs exactly one of owner and strategy, and a team or pool for its strategy', () => {
    const bad = (action: Record<string, unknown>) => {
      try {
        defineBlueprint({ ...contractJson(), transitions: [{ event: 'review', from: 'draft', to: 'review', actions: [action] }, { event: 'sign', from: 'review', to: 'signed' }, { event: 'close', from: 'signed', to: 'done' }] } as BlueprintInput);
        return [];
      } catch (e) {
        return isDealflowError(e, 'BLUEPRINT_INVALID') ? e.problems.map((p) => `${p.code} ${p.path}`) : [String(e)];
      }
    };
    expect(bad({ type: 'assign' })).toEqual(['assign_target $.transitions[0].actions[0]']);
    expect(bad({ type: 'assign', owner: 'a', strategy: 'rules' })).toEqual(['assign_target $.transitions[0].actions[0]']);
    expect(bad({ type: 'assign', strategy: 'leastLoaded' })).toEqual(['assign_target $.transitions[0].actions[0].team']);
    expect(bad({ type: 'assign', strategy: 'pool' })).toEqual(['assign_target $.transitions[0].actions[0].pool']);
  });
});
