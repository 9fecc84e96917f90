import { describe, expect, it } from 'vitest';
import type { Storage, StoredRecord } from '@dealflow/core';
import { InjectedFault, type SuiteContext } from '../context.js';
import { at, makeHistoryEvent, makeOutboxMessage, makeRecord, makeTimer } from '../fixtures.js';

const T = 'tenant-a';

async function snapshot(s: Storage) {
  const outbox = await s.readOutbox({ limit: 100 });
  const inTx = await s.transaction(T, async (tx) => ({
    record: await tx.getRecord('d1'),
    other: await tx.getRecord('d2'),
    history: await tx.listHistory('d1'),
    timers: await tx.listTimers('d1'),
    idem: await tx.getIdempotency('idem-1'),
    counter: await tx.getCounter('rr'),
    key: await tx.findUniqueKey('email:a@x.io'),
    count: await tx.countRecords({}),
  }));
  return { ...inTx, outbox };
}

/** Transactions: commit, whole rollback (incl. injected faults), serialization of one record. */
export function transactionCases(ctx: SuiteContext): void {
  describe('transactions', () => {
    it('returns the callback value and rethrows the very same error', async () => {
      await ctx.withStore(async (s) => {
        expect(await s.transaction(T, async () => ({ ok: 1 }))).toEqual({ ok: 1 });
        const fault = new InjectedFault('boom');
        await expect(s.transaction(T, async () => { throw fault; })).rejects.toBe(fault);
      });
    });

    it('rolls back every kind of write when the callback throws at the end', async () => {
      await ctx.withStore(async (s) => {
        const base = makeRecord({ tenantId: T, id: 'd1' });
        await s.transaction(T, async (tx) => {
          await tx.insertRecord(base);
          await tx.appendHistory([makeHistoryEvent({ tenantId: T, recordId: 'd1', seq: 1 })]);
          await tx.scheduleTimers([makeTimer({ tenantId: T, id: 'tm-1', recordId: 'd1', key: 'deadline', dueAt: at(100) })]);
          await tx.incrementCounter('rr');
          await tx.appendOutbox([makeOutboxMessage({ tenantId: T, id: 'o1', recordId: 'd1' })]);
        });
        const before = await snapshot(s);
        const fault = new InjectedFault();
        await expect(
          s.transaction(T, async (tx) => {
            const next: StoredRecord = { ...base, version: 2, stage: 'won', fields: { amount: 5 } };
            await tx.updateRecord(next, 1);
            await tx.insertRecord(makeRecord({ tenantId: T, id: 'd2' }));
            await tx.appendHistory([makeHistoryEvent({ tenantId: T, recordId: 'd1', seq: 2 })]);
            await tx.cancelTimers('d1');
            await tx.scheduleTimers([makeTimer({ tenantId: T, id: 'tm-2', recordId: 'd1', key: 'deadline', dueAt: at(200) })]);
            await tx.putIdempotency('idem-1', 'fp', { r: 1 }, at(0));
            await tx.incrementCounter('rr', 10);
            await tx.claimUniqueKeys('d1', ['email:a@x.io']);
            await tx.appendOutbox([makeOutboxMessage({ tenantId: T, id: 'o2', recordId: 'd1' })]);
            expect((await tx.getRecord('d1'))?.stage).toBe('won');
            throw fault;
          }),
        ).rejects.toBe(fault);
        expect(await snapshot(s)).toEqual(before);
        expect(before.record?.version).toBe(1);
        expect(before.timers.map((t) => [t.id, t.status])).toEqual([['tm-1', 'pending']]);
      });
    });

    it('rolls back whole when a store call fails mid-transaction (a conflict inside)', async () => {
      await ctx.withStore(async (s) => {
        await s.transaction(T, (tx) => tx.insertRecord(makeRecord({ tenantId: T, id: 'd1' })));
        const before = await snapshot(s);
        await expect(
          s.transaction(T, async (tx) => {
            await tx.incrementCounter('rr', 3);
            await tx.appendOutbox([makeOutboxMessage({ tenantId: T, id: 'o-mid' })]);
            await tx.insertRecord(makeRecord({ tenantId: T, id: 'd2' }));
            await tx.insertRecord(makeRecord({ tenantId: T, id: 'd1' }));
          }),
        ).rejects.toMatchObject({ code: 'CONFLICT' });
        expect(await snapshot(s)).toEqual(before);
      });
    });

    it('is usable again after a rollback', async () => {
      await ctx.withStore(async (s) => {
        await expect(s.transaction(T, async (tx) => {
          await tx.insertRecord(makeRecord({ tenantId: T, id: 'd1' }));
          throw new InjectedFault();
        })).rejects.toBeInstanceOf(InjectedFault);
        await s.transaction(T, (tx) => tx.insertRecord(makeRecord({ tenantId: T, id: 'd1', stage: 'second' })));
        expect((await s.getRecord(T, 'd1'))?.stage).toBe('second');
      });
    });

    it.runIf(ctx.supports.concurrency)('serializes read-modify-write transactions on one record: no lost update', async () => {
      await ctx.withStore(async (s) => {
        await s.transaction(T, async (tx) => {
          await tx.insertRecord(makeRecord({ tenantId: T, id: 'd1', fields: { n: 0 } }));
          await tx.appendHistory([makeHistoryEvent({ tenantId: T, recordId: 'd1', seq: 1 })]);
        });
        const writers = 12;
        await Promise.all(
          Array.from({ length: writers }, (_, i) =>
            s.transaction(T, async (tx) => {
              const cur = await tx.getRecord('d1', { forUpdate: true });
              if (!cur) throw new Error('record vanished');
              await new Promise((r) => setTimeout(r, i % 3));
              const next = { ...cur, version: cur.version + 1, fields: { n: (cur.fields.n as number) + 1 } };
              await tx.updateRecord(next, cur.version);
              await tx.appendHistory([makeHistoryEvent({ tenantId: T, recordId: 'd1', seq: next.version, id: `w-${i}` })]);
            }),
          ),
        );
        const rec = await s.getRecord(T, 'd1');
        expect(rec?.version).toBe(writers + 1);
        expect(rec?.fields.n).toBe(writers);
        const history = await s.listHistory(T, 'd1');
        expect(history.map((e) => e.seq)).toEqual(Array.from({ length: writers + 1 }, (_, i) => i + 1));
        expect(new Set(history.slice(1).map((e) => e.id))).toEqual(new Set(Array.from({ length: writers }, (_, i) => `w-${i}`)));
      });
    });
  });
}
