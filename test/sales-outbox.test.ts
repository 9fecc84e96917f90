/**
 * Sales changes reach live views through the outbox (issue #21): every owner change writes one
 * `dealflow.assigned` message, every logged activity one `dealflow.activity`, every task created
 * or completed one `dealflow.task` — in the transaction of the change, with ids that follow the
 * change's history event (and so `createEngine({ newId })`). On memory, SQLite and PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, createManualClock, createMemoryDirectory } from '../packages/core/src/index.js';
import type { BlueprintInput, HistoryEvent, OutboxMessage, SalesRulesInput, Storage } from '../packages/core/src/index.js';
import { storeKinds } from './support/stores.js';

const lead: BlueprintInput = {
  id: 'lead', version: 1, recordType: 'lead', initialStage: 'new',
  fields: { name: { type: 'string' }, region: { type: 'string' } },
  stages: [{ id: 'new', kind: 'open' }, { id: 'contacted', kind: 'open' }, { id: 'won', kind: 'won' }, { id: 'lost', kind: 'lost' }],
  transitions: [{ event: 'contact', from: 'new', to: 'contacted' }, { event: 'win', from: 'contacted', to: 'won' }, { event: 'lose', from: '*', to: 'lost' }],
};

const rules: SalesRulesInput = {
  assignment: {
    rules: [
      { id: 'east', when: { '==': [{ var: 'fields.region' }, 'east'] }, assign: { strategy: 'roundRobin', team: 'east' } },
      { id: 'rest', assign: { strategy: 'pool', pool: 'east-pool' } },
    ],
  },
  escalations: [{ id: 'untouched', on: 'inactivity', stages: ['contacted'], levels: [{ after: 'P2D', actions: [{ reassign: 'nextInTeam' }] }] }],
};

function directory() {
  return createMemoryDirectory({
    reps: [
      { id: 'mia', roles: ['manager'] },
      { id: 'ann', managerId: 'mia', roles: ['rep'] },
      { id: 'bob', managerId: 'mia', roles: ['rep'] },
      { id: 'cat', managerId: 'mia', roles: ['rep'] },
    ],
    teams: [{ id: 'east', managerId: 'mia', memberIds: ['ann', 'bob', 'cat'] }],
  });
}

const SALES_TYPES = new Set(['dealflow.assigned', 'dealflow.activity', 'dealflow.task']);
const as = (id: string) => ({ actor: { id } });

/** An engine with deterministic ids (`newId`) over `storage`, and a reader of the outbox messages written since the last read. */
function setup(storage: Storage) {
  let n = 0;
  const clock = createManualClock('2026-01-05T09:00:00.000Z');
  const engine = createEngine({ storage, blueprints: [lead], clock, rules, directory: directory(), newId: (prefix) => `${prefix}-${++n}` });
  let seen = 0;
  /** The sales messages written since the previous call (every message is read, so positions move on). */
  const fresh = async (): Promise<OutboxMessage[]> => {
    const all = await storage.readOutbox({ afterPosition: seen, limit: 1000, tenantId: 'default' });
    if (all.length > 0) seen = Math.max(...all.map((m) => m.position ?? 0));
    return all.filter((m) => SALES_TYPES.has(m.type));
  };
  return { engine, clock, fresh };
}

/** The one message `messages` must be, as written by the change of history event `event`. */
function only(messages: OutboxMessage[], type: string, event: HistoryEvent, suffix: string): Record<string, unknown> {
  expect(messages.map((m) => m.type)).toEqual([type]);
  const m = messages[0]!;
  expect(m.id).toBe(`${event.id}:${suffix}`);
  expect(event.id).toMatch(/^evt-\d+$/); // the engine's newId, honoured
  expect(m.recordId).toBe(event.recordId);
  return m.payload;
}

for (const kind of await storeKinds('test/sales-outbox.test.ts')) {
  describe(`sales outbox messages on ${kind.name}`, () => {
    it('every owner change writes one dealflow.assigned: create, claim, assign, return to the pool, handover, escalation', async () => {
      const { storage, drop } = await kind.open();
      try {
        const { engine, clock, fresh } = setup(storage);
        const at = () => clock.now().toISOString();

        // routed on create to ann (round robin in east)
        const routed = await engine.create('lead', { fields: { name: 'A', region: 'east' } }, as('mia'));
        expect(routed.record.ownerId).toBe('ann');
        expect(only(await fresh(), 'dealflow.assigned', routed.events[0]!, 'assigned')).toEqual({ recordId: routed.record.id, ownerId: 'ann', previousOwnerId: null, reason: 'create', actorId: 'mia', at: at() });

        // placed in the pool on create: no owner, no message
        const pooled = await engine.create('lead', { fields: { name: 'P' } }, as('mia'));
        expect(pooled.record.ownerId).toBeNull();
        expect(await fresh()).toEqual([]);

        clock.advance('PT1H');
        const claimed = await engine.claim(pooled.record.id, as('bob'));
        expect(only(await fresh(), 'dealflow.assigned', claimed.events[0]!, 'assigned')).toEqual({ recordId: pooled.record.id, ownerId: 'bob', previousOwnerId: null, reason: 'claim', actorId: 'bob', at: at() });

        const assigned = await engine.assign(pooled.record.id, { to: 'cat' }, as('mia'));
        expect(only(await fresh(), 'dealflow.assigned', assigned.events[0]!, 'assigned')).toMatchObject({ ownerId: 'cat', previousOwnerId: 'bob', reason: 'reassign', actorId: 'mia' });

        const returned = await engine.returnToPool(pooled.record.id, {}, as('cat'));
        expect(only(await fresh(), 'dealflow.assigned', returned.events[0]!, 'assigned')).toMatchObject({ ownerId: null, previousOwnerId: 'cat', reason: 'pool', actorId: 'cat' });

        // handover: one message per moved record (the batch's own audit message is another type)
        const second = await engine.create('lead', { fields: { name: 'B', region: 'east' } }, as('mia'));
        const third = await engine.create('lead', { fields: { name: 'C', region: 'east' } }, as('mia'));
        await engine.assign(third.record.id, { to: 'ann' }, as('mia'));
        await fresh();
        const moved = await engine.handover('ann', { to: 'bob' }, as('mia'));
        expect(moved.moved.map((m) => m.recordId).sort()).toEqual([routed.record.id, third.record.id].sort());
        const handed = await fresh();
        expect(handed.map((m) => [m.recordId, m.type, m.payload.reason, m.payload.previousOwnerId, m.payload.ownerId]).sort()).toEqual(
          [routed.record.id, third.record.id].sort().map((id) => [id, 'dealflow.assigned', 'handover', 'ann', 'bob']),
        );
        for (const m of handed) {
          const event = (await engine.history(m.recordId!, { actor: engine.system })).at(-1)!;
          expect(event.kind).toBe('handover');
          expect(m.id).toBe(`${event.id}:assigned`);
        }

        // an escalation that reassigns: the worker's change carries the message
        expect(second.record.ownerId).not.toBe('ann');
        await engine.send(second.record.id, 'contact', as(second.record.ownerId!));
        await fresh();
        clock.advance('P3D');
        expect((await engine.runDue()).fired).toBe(1);
        const escalated = (await engine.history(second.record.id, { actor: engine.system })).at(-1)!;
        expect(escalated.kind).toBe('escalated');
        expect(only(await fresh(), 'dealflow.assigned', escalated, 'assigned')).toMatchObject({ previousOwnerId: second.record.ownerId, reason: 'escalation', actorId: 'system' });
      } finally {
        await drop();
      }
    });

    it('activities and tasks write dealflow.activity and dealflow.task with the change', async () => {
      const { storage, drop } = await kind.open();
      try {
        const { engine, clock, fresh } = setup(storage);
        const { record } = await engine.create('lead', { fields: { name: 'A', region: 'east' } }, as('mia'));
        await fresh();
        clock.advance('PT2H');
        const logged = await engine.logActivity(record.id, { type: 'call', at: '2026-01-05T10:00:00.000Z', note: 'left a message' }, as('ann'));
        expect(only(await fresh(), 'dealflow.activity', logged.events[0]!, 'activity')).toEqual({ recordId: record.id, activityId: logged.activity.id, kind: 'call', actorId: 'ann', at: '2026-01-05T10:00:00.000Z' });

        const task = await engine.addTask(record.id, { title: 'Send the offer', dueAt: '2026-01-07T09:00:00.000Z' }, as('ann'));
        expect(only(await fresh(), 'dealflow.task', task.events[0]!, 'task')).toEqual({ recordId: record.id, taskId: task.taskId, status: 'open', actorId: 'ann', at: clock.now().toISOString() });
        // its reminder timer was written with the change, at the record's new version
        const reminder = (await engine.timers(record.id, { actor: engine.system })).find((t) => t.key === `task:${task.taskId}`)!;
        expect(reminder).toMatchObject({ status: 'pending', recordVersion: task.record.version });

        clock.advance('PT1H');
        const done = await engine.completeTask(record.id, task.taskId, as('bob'));
        expect(only(await fresh(), 'dealflow.task', done.events[0]!, 'task')).toEqual({ recordId: record.id, taskId: task.taskId, status: 'done', actorId: 'bob', at: clock.now().toISOString() });
        expect((await engine.timers(record.id, { actor: engine.system })).find((t) => t.key === `task:${task.taskId}`)!.status).toBe('cancelled');
      } finally {
        await drop();
      }
    });

    it('a failed operation writes no message: refused before the write, or rolled back after it', async () => {
      const { storage, drop } = await kind.open();
      try {
        const { engine, fresh } = setup(storage);
        const { record } = await engine.create('lead', { fields: { name: 'A', region: 'east' } }, as('mia'));
        await fresh();
        await expect(engine.claim(record.id, as('bob'))).rejects.toMatchObject({ code: 'CONFLICT' });
        await expect(engine.logActivity(record.id, { type: 'call', at: '2030-01-01T00:00:00.000Z' }, as('ann'))).rejects.toMatchObject({ code: 'INPUT_INVALID' });
        await expect(engine.completeTask(record.id, 'task-404', as('ann'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
        expect(await fresh()).toEqual([]);

        // a store whose commit fails after the operation wrote everything: the message goes with the change
        const failing: Storage = Object.create(storage) as Storage;
        failing.transaction = (tenantId, fn) => storage.transaction(tenantId, async (tx) => {
          await fn(tx);
          throw new Error('commit refused');
        });
        const broken = createEngine({ storage: failing, blueprints: [lead], rules, directory: directory() });
        await expect(broken.assign(record.id, { to: 'cat' }, as('mia'))).rejects.toThrow('commit refused');
        await expect(broken.logActivity(record.id, { type: 'email' }, as('ann'))).rejects.toThrow('commit refused');
        await expect(broken.addTask(record.id, { title: 'T', dueAt: '2026-02-01T09:00:00.000Z' }, as('ann'))).rejects.toThrow('commit refused');
        expect(await fresh()).toEqual([]);
        expect(await storage.getRecord('default', record.id)).toMatchObject({ ownerId: 'ann', version: record.version });
      } finally {
        await drop();
      }
    });
  });
}
