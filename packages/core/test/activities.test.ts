import { describe, expect, test } from 'vitest';
import { isDealflowError, replay } from '../src/index.js';
import type { SalesRulesInput } from '../src/index.js';
import { as, salesEngine } from './assignment-helpers.js';

const rules: SalesRulesInput = {
  assignment: {
    rules: [
      // rules can read the last activity time: a lead touched in the last day goes to ann
      { id: 'recently-touched', when: { '!!': [{ var: 'record.lastActivityAt' }] }, assign: { strategy: 'owner', owner: 'ann' } },
      { id: 'default', assign: { strategy: 'owner', owner: 'bob' } },
    ],
  },
};

describe('activities', () => {
  test('activities are logged with author and time; lastActivityAt is a field rules read', async () => {
    const { engine, clock } = salesEngine(rules);
    const { record } = await engine.create('lead', { fields: { name: 'Act' } });
    expect(record.ownerId).toBe('bob');
    clock.advance('PT2H');
    const call = await engine.logActivity(record.id, { type: 'call', subject: 'intro', outcome: 'reached' }, as('bob'));
    expect(call.activity).toMatchObject({ type: 'call', authorId: 'bob', at: '2026-01-05T10:00:00.000Z' });
    expect(call.record.meta).toMatchObject({ lastActivityAt: '2026-01-05T10:00:00.000Z', lastActivityType: 'call', activityCount: 1 });
    // an earlier, back-dated note does not move lastActivityAt back
    await engine.logActivity(record.id, { type: 'note', at: '2026-01-05T09:00:00.000Z', note: 'met at fair' }, as('bob'));
    const r = (await engine.get(record.id))!;
    expect(r.meta).toMatchObject({ lastActivityAt: '2026-01-05T10:00:00.000Z', activityCount: 2 });
    const h = await engine.history(record.id);
    expect(h.filter((e) => e.kind === 'activity').map((e) => [(e.data.activity as { type: string }).type, e.actorId])).toEqual([['call', 'bob'], ['note', 'bob']]);
    // the assignment rule sees record.lastActivityAt
    const again = await engine.assign(record.id);
    expect(again.decision.ruleId).toBe('recently-touched');
    expect(again.record.ownerId).toBe('ann');
  });

  test('bad activities fail whole: unknown type, future time, unknown record', async () => {
    const { engine } = salesEngine(rules);
    const { record } = await engine.create('lead', { fields: { name: 'Act' } });
    await expect(engine.logActivity(record.id, { type: 'telegram' as 'call' })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    const err = await engine.logActivity(record.id, { type: 'call', at: '2030-01-01T00:00:00Z' }).catch((e) => e);
    expect(isDealflowError(err, 'INPUT_INVALID')).toBe(true);
    expect(err.message).toContain(record.id);
    await expect(engine.logActivity('nope', { type: 'call' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await engine.get(record.id))!.version).toBe(1);
  });
});

describe('tasks', () => {
  test('a task has an owner and a due time; its reminder is a durable timer that notifies the owner', async () => {
    const { engine, clock, storage } = salesEngine(rules);
    const { record } = await engine.create('lead', { fields: { name: 'Todo' } });
    const { taskId } = await engine.addTask(record.id, { title: 'Send quote', dueAt: '2026-01-06T12:00:00Z', remindBefore: 'PT1H' }, as('bob'));
    const task = ((await engine.get(record.id))!.meta.tasks as Array<{ id: string; ownerId: string; status: string }>).find((t) => t.id === taskId);
    expect(task).toMatchObject({ ownerId: 'bob', status: 'open' });
    const timer = (await engine.timers(record.id, { status: ['pending'] })).find((t) => t.kind === 'task');
    expect(timer?.dueAt).toBe('2026-01-06T11:00:00.000Z');
    clock.set('2026-01-06T10:59:00.000Z');
    expect((await engine.runDue()).fired).toBe(0);
    clock.set('2026-01-06T11:00:00.000Z');
    expect((await engine.runDue()).fired).toBe(1);
    const msgs = (await storage.readOutbox({ limit: 100 })).filter((m) => m.type === 'dealflow.notify');
    expect(msgs.at(-1)!.payload).toMatchObject({ to: ['bob'], taskId });
    expect((await engine.history(record.id)).at(-1)).toMatchObject({ kind: 'task_reminder', data: { taskId } });
    expect(replay(await engine.history(record.id))).toEqual(await engine.get(record.id));
  });

  test('completing a task cancels its reminder', async () => {
    const { engine, clock } = salesEngine(rules);
    const { record } = await engine.create('lead', { fields: { name: 'Todo' } });
    const { taskId } = await engine.addTask(record.id, { title: 'Call back', dueAt: '2026-01-06T12:00:00Z', ownerId: 'ann' });
    await engine.completeTask(record.id, taskId, as('ann'));
    clock.set('2026-01-07T00:00:00Z');
    expect((await engine.runDue()).fired).toBe(0);
    await expect(engine.completeTask(record.id, taskId)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(engine.addTask(record.id, { title: '', dueAt: 'tomorrow' })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });
});
