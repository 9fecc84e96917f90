import { describe, expect, it } from 'vitest';
import { createEngine, createManualClock, createMemoryDirectory, createMemoryStorage, defineBlueprint } from '@dealflow/core';
import { activityReport } from '../src/index.js';

const lead = defineBlueprint({
  id: 'lead', version: 1, recordType: 'lead', initialStage: 'new',
  fields: { name: { type: 'text' } },
  stages: [{ id: 'new' }, { id: 'won', kind: 'won' }],
  transitions: [{ event: 'win', from: 'new', to: 'won' }],
});

/** Two reps log calls, e-mails and meetings over two weeks through the real engine; ann finishes a task. */
async function history() {
  const clock = createManualClock('2026-03-02T08:30:00.000Z'); // Monday, 09:30 in Berlin
  const engine = createEngine({ storage: createMemoryStorage(), blueprints: [lead], clock, directory: createMemoryDirectory({ reps: [{ id: 'ann' }, { id: 'bob' }] }) });
  const as = (id: string) => ({ actor: { id, roles: ['rep'] } });
  const { record } = await engine.create('lead', { fields: { name: 'ACME' }, ownerId: 'ann' }, as('ann'));
  await engine.logActivity(record.id, { type: 'call' }, as('ann'));
  await engine.logActivity(record.id, { type: 'email' }, as('ann'));
  await engine.logActivity(record.id, { type: 'call' }, as('bob'));
  const { taskId } = await engine.addTask(record.id, { title: 'Send quote', dueAt: '2026-03-03T09:00:00.000Z' }, as('ann'));
  clock.set('2026-03-03T22:30:00.000Z'); // Tuesday 23:30 in Berlin, still Tuesday in UTC
  await engine.logActivity(record.id, { type: 'meeting' }, as('ann'));
  await engine.completeTask(record.id, taskId, as('ann'));
  clock.set('2026-03-03T23:30:00.000Z'); // Wednesday 00:30 in Berlin
  await engine.logActivity(record.id, { type: 'call' }, as('ann'));
  clock.set('2026-03-10T10:00:00.000Z'); // next week
  await engine.logActivity(record.id, { type: 'note', note: 'follow-up' }, as('bob'));
  // an activity dated back to the first Monday counts there
  await engine.logActivity(record.id, { type: 'visit', at: '2026-03-02T15:00:00.000Z' }, as('bob'));
  return engine.history(record.id);
}

describe('activityReport', () => {
  it('counts each rep\'s activities and finished tasks per day, in the report\'s time zone', async () => {
    const rows = activityReport({ history: await history(), by: 'day', timeZone: 'Europe/Berlin' });
    const pick = (r: (typeof rows)[number]) => [r.repId, r.bucket, r.calls, r.emails, r.meetings, r.visits, r.notes, r.total, r.tasksCompleted];
    expect(rows.map(pick)).toEqual([
      ['ann', '2026-03-02', 1, 1, 0, 0, 0, 2, 0],
      ['ann', '2026-03-03', 0, 0, 1, 0, 0, 1, 1],
      ['ann', '2026-03-04', 1, 0, 0, 0, 0, 1, 0],
      ['bob', '2026-03-02', 1, 0, 0, 1, 0, 2, 0],
      ['bob', '2026-03-10', 0, 0, 0, 0, 1, 1, 0],
    ]);
    // in UTC the late-evening activities fall on Tuesday
    const utc = activityReport({ history: await history(), by: 'day', reps: ['ann'] });
    expect(utc.map((r) => [r.bucket, r.total])).toEqual([['2026-03-02', 2], ['2026-03-03', 2]]);
  });

  it('by week: buckets named by their Monday, every rep and week of the period filled in', async () => {
    const rows = activityReport({ history: await history(), by: 'week', timeZone: 'Europe/Berlin', period: { from: '2026-03-02T00:00:00+01:00', to: '2026-03-23T00:00:00+01:00' } });
    expect(rows.map((r) => [r.repId, r.bucket, r.total, r.tasksCompleted])).toEqual([
      ['ann', '2026-03-02', 4, 1], ['ann', '2026-03-09', 0, 0], ['ann', '2026-03-16', 0, 0],
      ['bob', '2026-03-02', 2, 0], ['bob', '2026-03-09', 1, 0], ['bob', '2026-03-16', 0, 0],
    ]);
  });

  it('rejects an unknown time zone or bucket size', () => {
    expect(() => activityReport({ history: [], by: 'day', timeZone: 'Mars/Olympus' })).toThrow(/time zone/);
    expect(() => activityReport({ history: [], by: 'month' as 'day' })).toThrow(/by must be/);
  });
});
