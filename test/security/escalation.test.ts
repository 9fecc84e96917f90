/** Time edge cases of escalation (issue #15). */
import { describe, expect, test } from 'vitest';
import type { SalesRulesInput } from '../../packages/core/src/index.js';
import { as, salesEngine } from '../../packages/core/test/assignment-helpers.js';

const idle: SalesRulesInput = {
  assignment: { rules: [{ id: 'east', assign: { strategy: 'roundRobin', team: 'east' } }] },
  escalations: [{ id: 'idle', on: 'inactivity', levels: [{ after: 'P1D', actions: [{ reassign: 'nextInTeam' }] }, { after: 'P1D', actions: [{ notify: 'manager' }] }] }],
};

describe('escalation in the same millisecond', () => {
  test('an activity in the same millisecond as a reassignment restarts the chain at level 0', async () => {
    const { engine, clock } = salesEngine(idle);
    const { record } = await engine.create('lead', { fields: { name: 'Quiet' } });
    clock.advance('P1D');
    expect((await engine.runDue()).fired).toBe(1); // level 0: reassigned to the next rep
    const owner = (await engine.get(record.id))!.ownerId!;
    // the new owner calls at once, in the very millisecond of the reassignment
    await engine.logActivity(record.id, { type: 'call' }, as(owner));
    const pending = (await engine.timers(record.id, { status: ['pending'] })).filter((t) => t.kind === 'escalation');
    // one timer: level 0 again (not level 1 of the old chain), due a day after the activity
    expect(pending.map((t) => (t.payload as { level: number }).level)).toEqual([0]);
    expect(pending[0]!.dueAt).toBe(new Date(clock.now().getTime() + 86_400_000).toISOString());
  });
});
