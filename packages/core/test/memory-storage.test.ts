import { describe, expect, test } from 'vitest';
import { createMemoryStorage } from '../src/index.js';
import type { StoredRecord, TimerRecord } from '../src/index.js';

const rec = (id: string, version = 1): StoredRecord => ({
  tenantId: 't1', id, type: 'deal', blueprintId: 'deal', blueprintVersion: 1, stage: 'open', version,
  fields: { n: 1 }, ownerId: null, teamId: null, meta: {}, stageEnteredAt: '2026-01-01T00:00:00.000Z',
  createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
});
const timer = (id: string, dueAt: string, key: string | null = null): TimerRecord => ({
  tenantId: 't1', id, recordId: 'r1', kind: 'breach', key, dueAt, event: 'late', payload: {}, stage: 'open',
  recordVersion: 1, status: 'pending', leaseOwner: null, leaseUntil: null, attempts: 0,
  createdAt: '2026-01-01T00:00:00.000Z', finishedAt: null, outcome: null,
});

describe('createMemoryStorage', () => {
  test('a failing transaction rolls back every write', async () => {
    const s = createMemoryStorage();
    await s.transaction('t1', async (tx) => {
      await tx.insertRecord(rec('r1'));
      await tx.incrementCounter('c');
    });
    await expect(
      s.transaction('t1', async (tx) => {
        await tx.updateRecord({ ...rec('r1', 2), fields: { n: 2 } }, 1);
        await tx.appendHistory([{ tenantId: 't1', id: 'h1', recordId: 'r1', seq: 1, at: 'x', kind: 'created', data: {} }]);
        await tx.scheduleTimers([timer('tm1', '2026-01-02T00:00:00.000Z')]);
        await tx.putIdempotency('k', 'f', { a: 1 }, 'x');
        await tx.incrementCounter('c', 5);
        await tx.claimUniqueKeys('r1', ['mail:a@b']);
        await tx.appendOutbox([{ tenantId: 't1', id: 'o1', recordId: 'r1', type: 't', payload: {}, createdAt: 'x' }]);
        await tx.insertRecord(rec('r2'));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await s.getRecord('t1', 'r1'))?.version).toBe(1);
    expect(await s.getRecord('t1', 'r2')).toBeNull();
    expect(await s.listHistory('t1', 'r1')).toEqual([]);
    expect(await s.readOutbox({ limit: 10 })).toEqual([]);
    await s.transaction('t1', async (tx) => {
      expect(await tx.listTimers('r1')).toEqual([]);
      expect(await tx.getIdempotency('k')).toBeUndefined();
      expect(await tx.getCounter('c')).toBe(1);
      expect(await tx.findUniqueKey('mail:a@b')).toBeNull();
    });
  });

  test('stale updates and out-of-order history are CONFLICTs', async () => {
    const s = createMemoryStorage();
    await s.transaction('t1', (tx) => tx.insertRecord(rec('r1')));
    await expect(s.transaction('t1', (tx) => tx.updateRecord(rec('r1', 3), 2))).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      s.transaction('t1', (tx) => tx.appendHistory([{ tenantId: 't1', id: 'h', recordId: 'r1', seq: 2, at: 'x', kind: 'k', data: {} }])),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  test('a transaction used through a wrapper (Object.create(tx)) commits what the wrapper wrote first', async () => {
    const s = createMemoryStorage();
    await s.transaction('t1', async (tx) => {
      const logged: string[] = [];
      const wrapped: typeof tx = Object.create(tx);
      wrapped.insertRecord = (r) => { logged.push(r.id); return tx.insertRecord.call(wrapped, r); };
      // every table's first touch goes through the wrapper
      await wrapped.insertRecord(rec('r1'));
      await wrapped.scheduleTimers([timer('tm1', '2026-01-02T00:00:00.000Z')]);
      await wrapped.incrementCounter('c');
      await wrapped.claimUniqueKeys('r1', ['email:a@b.c']);
      await wrapped.putIdempotency('k1', 'f', { ok: true }, '2026-01-01T00:00:00.000Z');
      await wrapped.replaceTasks('r1', [{ tenantId: 't1', recordId: 'r1', id: 'task1', kind: 'task', title: 'call', ownerId: null, teamId: null, status: 'open', dueAt: null, recordType: 'deal' }]);
      expect(logged).toEqual(['r1']);
    });
    expect(await s.getRecord('t1', 'r1')).toMatchObject({ id: 'r1', version: 1 });
    await s.transaction('t1', async (tx) => {
      expect(await tx.getTimer('tm1')).toMatchObject({ status: 'pending' });
      expect(await tx.getCounter('c')).toBe(1);
      expect(await tx.findUniqueKey('email:a@b.c')).toBe('r1');
      expect(await tx.getIdempotency('k1')).toMatchObject({ fingerprint: 'f' });
      expect(await tx.listTasks('r1')).toHaveLength(1);
    });
  });

  test('returned objects are copies', async () => {
    const s = createMemoryStorage();
    await s.transaction('t1', (tx) => tx.insertRecord(rec('r1')));
    const a = (await s.getRecord('t1', 'r1'))!;
    a.fields.n = 99;
    expect((await s.getRecord('t1', 'r1'))?.fields.n).toBe(1);
  });

  test('timers: keyed replacement, claims with leases, completion only by the lease holder', async () => {
    const s = createMemoryStorage();
    await s.transaction('t1', (tx) => tx.scheduleTimers([timer('a', '2026-01-02T00:00:00.000Z', 'k'), timer('b', '2026-01-03T00:00:00.000Z')]));
    await s.transaction('t1', (tx) => tx.scheduleTimers([timer('c', '2026-01-01T12:00:00.000Z', 'k')]));
    const now = '2026-01-02T12:00:00.000Z';
    const claimed = await s.claimDueTimers({ now, limit: 10, leaseMs: 1000, workerId: 'w1' });
    expect(claimed.map((t) => [t.id, t.status, t.leaseOwner, t.attempts])).toEqual([['c', 'claimed', 'w1', 1]]);
    expect(await s.claimDueTimers({ now, limit: 10, leaseMs: 1000, workerId: 'w2' })).toEqual([]);
    const later = '2026-01-02T12:00:01.000Z';
    expect((await s.claimDueTimers({ now: later, limit: 10, leaseMs: 1000, workerId: 'w2' })).map((t) => t.id)).toEqual(['c']);
    await s.transaction('t1', async (tx) => {
      expect(await tx.completeTimer('c', 'w1', 'fired', later)).toBe(false);
      expect(await tx.completeTimer('c', 'w2', 'fired', later)).toBe(true);
      expect((await tx.getTimer('a'))?.status).toBe('cancelled');
    });
    expect(await s.oldestDueAt()).toBe('2026-01-03T00:00:00.000Z');
  });

  test('closed stores refuse calls', async () => {
    const s = createMemoryStorage();
    await s.close();
    await expect(s.getRecord('t1', 'x')).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
