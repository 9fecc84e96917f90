import { describe, expect, test } from 'vitest';
import { createEngine, createManualClock, createMemoryStorage, defineBlueprint, replay } from '../src/index.js';
import type { EnginePlugin } from '../src/index.js';
import { TRUSTED, dealJson } from './fixtures.js';

const rep = { actor: { id: 'ana', roles: ['rep', 'manager'] } };

describe('replay and getAt', () => {
  test('replaying history rebuilds the record exactly, and past states are answerable', async () => {
    const clock = createManualClock('2026-03-02T09:00:00.000Z');
    const engine = createEngine({ storage: createMemoryStorage(), blueprints: [defineBlueprint(dealJson())], clock, identity: TRUSTED });
    const { record } = await engine.create('deal', { fields: { name: 'Umbrella', source: 'web' } }, rep);
    clock.advance('P1D');
    await engine.send(record.id, 'qualify', rep);
    clock.advance('P1D');
    await engine.send(record.id, { type: 'propose', fields: { amount: 1000, source: null } }, rep);
    clock.advance('P1D');
    await engine.send(record.id, { type: 'discount', fields: { closeDate: '2026-04-01' }, data: { percent: 15 } }, rep);
    clock.advance('P1D');
    await engine.send(record.id, 'win', rep);

    const stored = await engine.get(record.id);
    expect(replay(await engine.history(record.id))).toEqual(stored);

    expect(await engine.getAt(record.id, '2026-03-01T00:00:00.000Z')).toBeNull();
    expect(await engine.getAt(record.id, '2026-03-02T12:00:00.000Z')).toMatchObject({ stage: 'prospecting', version: 1 });
    const mid = await engine.getAt(record.id, '2026-03-04T10:00:00.000Z');
    expect(mid).toMatchObject({ stage: 'proposal', version: 3, fields: { amount: 1000 } });
    expect(mid?.fields).not.toHaveProperty('source');
    expect(await engine.getAt(record.id, new Date('2026-03-05T09:00:00.000Z'))).toMatchObject({ stage: 'negotiation', fields: { discount: 15 } });
    expect(await engine.getAt(record.id, '2030-01-01T00:00:00.000Z')).toEqual(stored);
  });

  test('replay refuses a broken history', () => {
    expect(() => replay([])).toThrow(/empty/);
  });
});

describe('plugins', () => {
  test('beforeCommit runs in the transaction; its changes are in history so replay stays exact', async () => {
    const calls: string[] = [];
    const touch: EnginePlugin = {
      name: 'touch',
      async beforeCommit({ before, after, events, tx }) {
        calls.push(`${before?.stage ?? 'new'}→${after.stage}:${events[0]?.kind}`);
        after.meta.touches = ((after.meta.touches as number | undefined) ?? 0) + 1;
        if (after.stage === 'qualified') after.ownerId = 'closer';
        after.fields.escalated = after.stage === 'qualified';
        after.meta.seen = { ...((after.meta.seen as Record<string, boolean> | undefined) ?? {}), [after.stage]: true };
        await tx.incrementCounter('touches');
      },
    };
    const storage = createMemoryStorage();
    const engine = createEngine({ storage, blueprints: [defineBlueprint(dealJson())], plugins: [touch] });
    const { record } = await engine.create('deal', { fields: { name: 'Stark' } }, rep);
    expect(record.meta.touches).toBe(1);
    const res = await engine.send(record.id, 'qualify', rep);
    expect(res.ok && res.record).toMatchObject({
      ownerId: 'closer',
      meta: { touches: 2, seen: { prospecting: true, qualified: true } },
      fields: { escalated: true },
    });
    expect(calls).toEqual(['new→prospecting:created', 'prospecting→qualified:transition']);
    expect(replay(await engine.history(record.id))).toEqual(await engine.get(record.id));
    expect(await storage.transaction('default', (tx) => tx.getCounter('touches'))).toBe(2);
  });

  test('a plugin writes extra effects through the writer: they commit with the change, or not at all', async () => {
    const sync: EnginePlugin = {
      name: 'crm-sync',
      async beforeCommit({ after, events, tx, writeEffects }) {
        const event = events[0]!;
        await writeEffects({
          outbox: [{ tenantId: tx.tenantId, id: `${event.id}:crm`, recordId: after.id, type: 'crm.sync', payload: { stage: after.stage }, createdAt: after.updatedAt }],
          scheduleTimers: [{ tenantId: tx.tenantId, id: `${event.id}:follow-up`, recordId: after.id, kind: 'crm', key: 'crm:follow-up', dueAt: '2030-01-01T00:00:00.000Z', event: 'noop', payload: {}, stage: null, recordVersion: after.version, status: 'pending', attempts: 0, leaseOwner: null, leaseUntil: null, createdAt: after.updatedAt, finishedAt: null, outcome: null }],
        });
      },
    };
    const boom: EnginePlugin = { name: 'boom', beforeCommit({ after }) { if (after.stage === 'lost') throw new Error('not today'); } };
    const storage = createMemoryStorage();
    const engine = createEngine({ storage, blueprints: [defineBlueprint(dealJson())], plugins: [sync, boom], identity: TRUSTED });
    const { record, events } = await engine.create('deal', { fields: { name: 'Acme' } }, rep);
    const sent = await engine.send(record.id, 'qualify', rep);
    const crm = async () => (await storage.readOutbox({ limit: 100 })).filter((m) => m.type === 'crm.sync').map((m) => [m.id, m.payload.stage]);
    expect(await crm()).toEqual([[`${events[0]!.id}:crm`, 'prospecting'], [`${sent.ok ? sent.events[0]!.id : ''}:crm`, 'qualified']]);
    // one follow-up timer: the second replaced the first (same key), as every timer the writer schedules
    expect((await engine.timers(record.id, { status: ['pending'] })).filter((t) => t.kind === 'crm')).toHaveLength(1);
    // a later plugin throws: the effects the first one wrote roll back with the change
    await expect(engine.send(record.id, 'lose', rep)).rejects.toThrow('not today');
    expect(await crm()).toHaveLength(2);
    expect((await engine.timers(record.id)).filter((t) => t.kind === 'crm')).toHaveLength(2);
  });

  test('a throwing plugin aborts the whole call', async () => {
    const boom: EnginePlugin = {
      name: 'boom',
      beforeCommit({ after }) {
        if (after.stage === 'qualified') throw new Error('no qualifying today');
      },
    };
    const engine = createEngine({ storage: createMemoryStorage(), blueprints: [defineBlueprint(dealJson())], plugins: [boom] });
    const { record } = await engine.create('deal', { fields: { name: 'Wayne' } }, rep);
    await expect(engine.send(record.id, 'qualify', rep)).rejects.toThrow('no qualifying today');
    expect(await engine.get(record.id)).toEqual(record);
    expect(await engine.timers(record.id)).toEqual([]);
  });
});
