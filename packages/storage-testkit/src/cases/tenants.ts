import { describe, expect, it } from 'vitest';
import { expectDealflowError, type SuiteContext } from '../context.js';
import { at, makeHistoryEvent, makeOutboxMessage, makeRecord, makeTimer } from '../fixtures.js';

const A = 'tenant-a';
const B = 'tenant-b';

/** Tenant isolation: the same ids in two tenants never meet. */
export function tenantCases(ctx: SuiteContext): void {
  describe('tenant isolation', () => {
    it('keeps records, history, timers, idempotency, counters and unique keys apart per tenant', async () => {
      await ctx.withStore(async (s) => {
        await s.transaction(A, async (tx) => {
          await tx.insertRecord(makeRecord({ tenantId: A, id: 'd1', stage: 'a-stage' }));
          await tx.appendHistory([makeHistoryEvent({ tenantId: A, recordId: 'd1', seq: 1, id: 'ha1' })]);
          await tx.scheduleTimers([makeTimer({ tenantId: A, id: 'tm', recordId: 'd1', key: 'k' })]);
          await tx.putIdempotency('idem', 'fa', 'A', at(0));
          await tx.incrementCounter('rr', 5);
          await tx.claimUniqueKeys('d1', ['email:x@y.z']);
        });
        // tenant B sees none of it
        expect(await s.getRecord(B, 'd1')).toBeNull();
        expect(await s.queryRecords(B, {})).toEqual([]);
        expect(await s.listHistory(B, 'd1')).toEqual([]);
        const seenByB = await s.transaction(B, async (tx) => ({
          rec: await tx.getRecord('d1', { forUpdate: true }),
          count: await tx.countRecords({}),
          timers: await tx.listTimers('d1'),
          timer: await tx.getTimer('tm'),
          idem: await tx.getIdempotency('idem'),
          counter: await tx.getCounter('rr'),
          key: await tx.findUniqueKey('email:x@y.z'),
          cancelled: await tx.cancelTimers('d1'),
          completed: await tx.completeTimer('tm', null, 'fired', at(1)),
        }));
        expect(seenByB).toEqual({ rec: null, count: 0, timers: [], timer: null, idem: undefined, counter: 0, key: null, cancelled: 0, completed: false });
        // tenant B cannot modify A's record through update
        await expectDealflowError(
          s.transaction(B, (tx) => tx.updateRecord(makeRecord({ tenantId: B, id: 'd1', version: 2 }), 1)),
          ['CONFLICT', 'NOT_FOUND'],
        );
        // the same ids can be used by B independently
        await s.transaction(B, async (tx) => {
          await tx.insertRecord(makeRecord({ tenantId: B, id: 'd1', stage: 'b-stage' }));
          await tx.appendHistory([makeHistoryEvent({ tenantId: B, recordId: 'd1', seq: 1, id: 'hb1' })]);
          await tx.scheduleTimers([makeTimer({ tenantId: B, id: 'tm', recordId: 'd1', key: 'k', dueAt: at(9) })]);
          await tx.putIdempotency('idem', 'fb', 'B', at(0));
          expect(await tx.incrementCounter('rr')).toBe(1);
          expect(await tx.claimUniqueKeys('d1', ['email:x@y.z'])).toEqual([]);
        });
        expect((await s.getRecord(A, 'd1'))?.stage).toBe('a-stage');
        expect((await s.getRecord(B, 'd1'))?.stage).toBe('b-stage');
        const a = await s.transaction(A, async (tx) => [
          (await tx.getTimer('tm'))?.status,
          (await tx.getTimer('tm'))?.dueAt,
          await tx.getIdempotency('idem'),
          await tx.getCounter('rr'),
        ]);
        expect(a).toEqual(['pending', makeTimer({ tenantId: A, id: 'tm', recordId: 'd1' }).dueAt, { fingerprint: 'fa', result: 'A' }, 5]);
        expect((await s.listHistory(A, 'd1')).map((e) => e.id)).toEqual(['ha1']);
        // claiming within tenant A returns only A's timer
        const claimed = await s.claimDueTimers({ now: at(100), limit: 10, leaseMs: 1000, workerId: 'w', tenantId: A });
        expect(claimed.map((t) => t.tenantId)).toEqual([A]);
        // B cannot complete A's claimed timer, even with the right worker id
        expect(await s.transaction(B, (tx) => tx.completeTimer('tm', 'w', 'fired', at(101)))).toBe(false);
        expect(await s.transaction(A, (tx) => tx.completeTimer('tm', 'w', 'fired', at(101)))).toBe(true);
      });
    });

    it('reads and acks outbox messages per tenant', async () => {
      await ctx.withStore(async (s) => {
        await s.transaction(A, (tx) => tx.appendOutbox([makeOutboxMessage({ tenantId: A, id: 'same' })]));
        await s.transaction(B, (tx) => tx.appendOutbox([makeOutboxMessage({ tenantId: B, id: 'same' })]));
        expect((await s.readOutbox({ limit: 5, tenantId: B })).map((m) => m.tenantId)).toEqual([B]);
      });
    });
  });
}
