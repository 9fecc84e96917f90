import { describe, expect, test } from 'vitest';
import { replay } from '../src/index.js';
import type { SalesRulesInput, Storage } from '../src/index.js';
import { as, salesEngine } from './assignment-helpers.js';

const noCall: SalesRulesInput = {
  assignment: { rules: [{ id: 'east', assign: { strategy: 'roundRobin', team: 'east' } }] },
  escalations: [
    {
      id: 'no-call',
      description: 'no activity within 3 business days of assignment → next rep, manager notified; 2 days later → director',
      on: 'inactivity',
      calendar: 'office',
      stages: ['new', 'contacted'],
      levels: [
        { after: 'P3D', actions: [{ reassign: 'nextInTeam' }, { notify: 'manager' }] },
        { after: 'P2D', actions: [{ notify: 'director' }, { priority: 'high' }] },
      ],
    },
  ],
};

async function notifications(storage: Storage) {
  return (await storage.readOutbox({ limit: 1000 })).filter((m) => m.type === 'dealflow.notify').map((m) => m.payload as { to: string[]; escalationId?: string; level?: number });
}

describe('inactivity escalation (business days)', () => {
  test('no activity for 3 business days → reassigned to the next rep of the team and the manager notified; 2 more → director', async () => {
    const { engine, clock, storage } = salesEngine(noCall);
    // Monday 2026-01-05 09:00 Berlin
    const { record } = await engine.create('lead', { fields: { name: 'Quiet' } });
    expect(record.ownerId).toBe('ann');
    clock.set('2026-01-08T07:59:00.000Z'); // Thursday 08:59 Berlin: 3 business days not yet over
    expect((await engine.runDue()).fired).toBe(0);
    clock.set('2026-01-08T08:00:00.000Z'); // Thursday 09:00 Berlin
    expect((await engine.runDue()).fired).toBe(1);
    let r = (await engine.get(record.id))!;
    expect(r.ownerId).toBe('bob');
    const h = await engine.history(record.id);
    expect(h.at(-1)).toMatchObject({ kind: 'escalated', actorId: 'system', data: { escalationId: 'no-call', level: 0, from: 'ann', to: 'bob' } });
    expect(await notifications(storage)).toEqual([expect.objectContaining({ to: ['mia'], escalationId: 'no-call', level: 0 })]);

    // level 2: two business days later (Fri, Mon) → the director, priority high
    clock.set('2026-01-12T07:00:00.000Z');
    expect((await engine.runDue()).fired).toBe(0);
    clock.set('2026-01-12T08:00:00.000Z');
    expect((await engine.runDue()).fired).toBe(1);
    r = (await engine.get(record.id))!;
    expect(r.ownerId).toBe('bob');
    expect(r.meta.priority).toBe('high');
    expect((await notifications(storage)).at(-1)).toMatchObject({ to: ['dora'], level: 1 });
    // the chain is over: no escalation timer left, nothing more fires
    expect((await engine.timers(record.id, { status: ['pending'] })).filter((t) => t.kind === 'escalation')).toEqual([]);
    clock.set('2026-02-12T08:00:00.000Z');
    expect((await engine.runDue()).fired).toBe(0);
  });

  test("a rep's activity pushes the inactivity timer", async () => {
    const { engine, clock } = salesEngine(noCall);
    const { record } = await engine.create('lead', { fields: { name: 'Busy' } });
    clock.set('2026-01-07T10:00:00.000Z'); // Wednesday 11:00
    await engine.logActivity(record.id, { type: 'call', outcome: 'reached' }, as('ann'));
    clock.set('2026-01-08T08:00:00.000Z'); // the original due time
    expect((await engine.runDue()).fired).toBe(0);
    expect((await engine.get(record.id))!.ownerId).toBe('ann');
    clock.set('2026-01-12T09:59:00.000Z'); // Monday 10:59: 3 business days after Wed 11:00 not yet over
    expect((await engine.runDue()).fired).toBe(0);
    clock.set('2026-01-12T10:00:00.000Z');
    expect((await engine.runDue()).fired).toBe(1);
    expect((await engine.get(record.id))!.ownerId).toBe('bob');
    // the superseded timer was cancelled, not left to fire as a no-op
    const all = await engine.timers(record.id);
    expect(all.filter((t) => t.kind === 'escalation' && t.status === 'cancelled')).toHaveLength(1);
  });

  test('leaving the watched stages cancels the escalation', async () => {
    const { engine, clock } = salesEngine(noCall);
    const { record } = await engine.create('lead', { fields: { name: 'Fast' } });
    await engine.send(record.id, 'negotiate', as('ann'));
    expect((await engine.timers(record.id, { status: ['pending'] })).filter((t) => t.kind === 'escalation')).toEqual([]);
    clock.set('2026-03-01T00:00:00.000Z');
    await engine.runDue();
    expect((await engine.get(record.id))!.ownerId).toBe('ann');
  });
});

describe('stage escalation', () => {
  const stuck: SalesRulesInput = {
    assignment: { rules: [{ id: 'ann', assign: { strategy: 'owner', owner: 'ann' } }] },
    escalations: [
      { id: 'negotiation-overdue', on: 'stage', stage: 'negotiation', levels: [
        { after: 'P10D', actions: [{ notify: ['manager', 'owner'], message: 'deal stuck in negotiation' }, { addFollower: 'manager' }, { priority: 1 }] },
        { after: 'P5D', actions: [{ transition: 'lose' }] },
      ] },
      { id: 'pool-back', on: 'stage', stage: 'contacted', levels: [{ after: 'P1D', actions: [{ returnToPool: 'east-pool' }] }] },
    ],
  };

  test('a deal past its negotiation deadline is escalated to the manager, then fired through a transition', async () => {
    const { engine, clock, storage } = salesEngine(stuck);
    const { record } = await engine.create('lead', { fields: { name: 'Deal' } });
    await engine.send(record.id, 'negotiate', as('ann'));
    clock.advance('P10D');
    expect((await engine.runDue()).fired).toBe(1);
    let r = (await engine.get(record.id))!;
    expect(r.meta).toMatchObject({ followers: ['mia'], priority: 1 });
    expect((await notifications(storage)).at(-1)).toMatchObject({ to: ['mia', 'ann'] });
    clock.advance('P5D');
    expect((await engine.runDue()).fired).toBe(1);
    r = (await engine.get(record.id))!;
    expect(r.stage).toBe('lost');
    const kinds = (await engine.history(record.id)).map((e) => e.kind);
    expect(kinds.slice(-2)).toEqual(['escalated', 'transition']);
    expect(replay(await engine.history(record.id))).toEqual(r);
  });

  test('return-to-pool action, and re-entering the stage starts over', async () => {
    const { engine, clock } = salesEngine(stuck);
    const { record } = await engine.create('lead', { fields: { name: 'Cold' } });
    await engine.send(record.id, 'contact', as('ann'));
    clock.advance('P1D');
    expect((await engine.runDue()).fired).toBe(1);
    const r = (await engine.get(record.id))!;
    expect(r).toMatchObject({ ownerId: null, teamId: 'east-pool' });
    expect(r.meta.pool).toMatchObject({ poolId: 'east-pool', returnedFrom: 'ann', reason: 'escalation' });
  });

  test('escalation rules are validated with paths (duration, unknown calendar, stage trigger without stage)', () => {
    expect(() => salesEngine({ escalations: [{ id: 'x', on: 'inactivity', levels: [{ after: '3 days', actions: [{ notify: 'manager' }] }] }] })).toThrow(/\$\.escalations\[0\]\.levels\[0\]\.after/);
    expect(() => salesEngine({ escalations: [{ id: 'x', on: 'inactivity', calendar: 'mars', levels: [{ after: 'P1D', actions: [{ notify: 'manager' }] }] }] })).toThrow(/calendar 'mars'/);
    expect(() => salesEngine({ escalations: [{ id: 'x', on: 'stage', levels: [{ after: 'P1D', actions: [{ notify: 'manager' }] }] }] })).toThrow(/\$\.escalations\[0\]\.stage/);
    expect(() => salesEngine({ escalations: [{ id: 'x', on: 'stage', stage: 'new', levels: [{ after: 'P1D', actions: [{ teleport: true }] }] }] })).toThrow(/RULE_INVALID|Invalid escalation/);
  });

  test('stages and events the blueprints do not declare are refused, with a hint', () => {
    const err = (() => { try { salesEngine({
      escalations: [{ id: 'x', on: 'stage', stage: 'negotiaton', levels: [{ after: 'P1D', actions: [{ transition: 'loose' }] }] }],
      approvals: [{ id: 'a', event: 'wim', approver: 'manager' }],
    }); } catch (e) { return e as { code: string; problems: Array<{ path: string; code: string; hint?: string }> }; } })();
    expect(err?.code).toBe('RULE_INVALID');
    expect(err?.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: '$.escalations[0].stage', code: 'unknown_stage', hint: "did you mean 'negotiation'?" }),
      expect.objectContaining({ path: '$.escalations[0].levels[0].actions[0].transition', code: 'unknown_event', hint: "did you mean 'lose'?" }),
      expect.objectContaining({ path: '$.approvals[0].event', code: 'unknown_event', hint: "did you mean 'win'?" }),
    ]));
  });
});
