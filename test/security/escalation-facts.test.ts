/**
 * Escalation facts (issue #15): rules read the escalation level and how often a record was
 * reassigned; a policy says whether an activity resets the level.
 */
import { describe, expect, test } from 'vitest';
import type { SalesRulesInput } from '../../packages/core/src/index.js';
import { as, salesEngine } from '../../packages/core/test/assignment-helpers.js';

const sys = (engine: { system: unknown }) => ({ actor: engine.system as never });

describe('escalation facts', () => {
  test('"back to the pool after two reassignments in total" is two rules reading record.reassignments', async () => {
    const rules: SalesRulesInput = {
      assignment: { rules: [{ id: 'east', assign: { strategy: 'roundRobin', team: 'east' } }] },
      escalations: [
        { id: 'pass-on', on: 'inactivity', when: { '<': [{ var: 'record.reassignments' }, 2] }, levels: [{ after: 'P1D', actions: [{ reassign: 'nextInTeam' }] }] },
        { id: 'to-pool', on: 'inactivity', when: { '>=': [{ var: 'record.reassignments' }, 2] }, levels: [{ after: 'P1D', actions: [{ returnToPool: 'east-pool' }] }] },
      ],
    };
    const { engine, clock } = salesEngine(rules);
    const { record } = await engine.create('lead', { fields: { name: 'Quiet' } }, sys(engine));
    const owners = [record.ownerId];
    for (let day = 0; day < 3; day++) {
      clock.advance('P1D');
      await engine.runDue();
      owners.push((await engine.get(record.id, sys(engine)))!.ownerId);
    }
    const last = (await engine.get(record.id, sys(engine)))!;
    // two reassignments to other reps, then the pool
    expect(owners.slice(0, 3).every((o) => o !== null)).toBe(true);
    expect(new Set(owners.slice(0, 3)).size).toBe(3);
    expect(owners[3]).toBeNull();
    expect(last).toMatchObject({ ownerId: null, teamId: 'east-pool', meta: { reassignments: 2 } });
    const kinds = (await engine.history(record.id, sys(engine))).map((h) => [h.kind, h.data.escalationId]);
    expect(kinds.filter(([k]) => k === 'escalated')).toEqual([['escalated', 'pass-on'], ['escalated', 'pass-on'], ['escalated', 'to-pool']]);
  });

  test('rules read the level about to fire and the levels fired before', async () => {
    const rules: SalesRulesInput = {
      assignment: { rules: [{ id: 'east', assign: { strategy: 'roundRobin', team: 'east' } }] },
      escalations: [
        // the third level only runs when the record was escalated at level 1 before (it was) and it is level 2 now
        { id: 'idle', on: 'inactivity', when: { or: [{ '<': [{ var: 'escalation.level' }, 2] }, { '==': [{ var: 'record.escalations.idle.level' }, 1] }] },
          levels: [{ after: 'P1D', actions: [{ priority: 'normal' }] }, { after: 'P1D', actions: [{ priority: 'high' }] }, { after: 'P1D', actions: [{ notify: 'manager' }] }] },
      ],
    };
    const { engine, clock } = salesEngine(rules);
    const { record } = await engine.create('lead', { fields: { name: 'Quiet' } }, sys(engine));
    const levels: number[] = [];
    for (let day = 0; day < 3; day++) {
      clock.advance('P1D');
      await engine.runDue();
      levels.push(((await engine.get(record.id, sys(engine)))!.meta.escalations as Record<string, { level: number }>).idle!.level);
    }
    expect(levels).toEqual([0, 1, 2]);
    // a `when` that stops at level 1: the second level never runs
    const capped = salesEngine({ ...rules, escalations: [{ ...(rules.escalations as Array<Record<string, unknown>>)[0]!, when: { '<': [{ var: 'escalation.level' }, 1] } }] });
    const r2 = (await capped.engine.create('lead', { fields: { name: 'Quiet' } }, sys(capped.engine))).record;
    const outcomes: number[] = [];
    for (let day = 0; day < 3; day++) {
      capped.clock.advance('P1D');
      outcomes.push((await capped.engine.runDue()).fired);
    }
    expect(outcomes).toEqual([1, 0, 0]);
    expect((await capped.engine.get(r2.id, sys(capped.engine)))!.meta.priority).toBe('normal');
  });

  test('activityResets: false — an activity postpones the next level instead of restarting at the first', async () => {
    const chain = (activityResets?: boolean): SalesRulesInput => ({
      assignment: { rules: [{ id: 'east', assign: { strategy: 'owner', owner: 'ann' } }] },
      escalations: [{ id: 'idle', on: 'inactivity', ...(activityResets === undefined ? {} : { activityResets }), levels: [{ after: 'P1D', actions: [{ priority: 'normal' }] }, { after: 'P1D', actions: [{ priority: 'high' }] }] }],
    });
    const pendingLevels = async (engine: ReturnType<typeof salesEngine>['engine'], id: string) =>
      (await engine.timers(id, { status: ['pending'], actor: engine.system })).filter((t) => t.kind === 'escalation').map((t) => [(t.payload as { level: number }).level, t.dueAt]);
    for (const resets of [undefined, false]) {
      const { engine, clock } = salesEngine(chain(resets));
      const { record } = await engine.create('lead', { fields: { name: 'Quiet' } }, sys(engine));
      clock.advance('P1D');
      await engine.runDue(); // level 0 fired
      clock.advance('PT6H');
      await engine.logActivity(record.id, { type: 'call' }, as('ann'));
      const due = new Date(clock.now().getTime() + 86_400_000).toISOString();
      // default: back to level 0, a day after the call; activityResets false: level 1, a day after the call
      expect(await pendingLevels(engine, record.id)).toEqual([[resets === false ? 1 : 0, due]]);
    }
  });
});
