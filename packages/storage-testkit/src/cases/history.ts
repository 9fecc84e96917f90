import { describe, expect, it } from 'vitest';
import { expectDealflowError, type SuiteContext } from '../context.js';
import { at, makeHistoryEvent, makeRecord } from '../fixtures.js';

const T = 'tenant-a';

/** History: append-only, ordered per record by `seq` without gaps. */
export function historyCases(ctx: SuiteContext): void {
  describe('history', () => {
    it('appends events and lists them in seq order, with afterSeq and limit', async () => {
      await ctx.withStore(async (s) => {
        await s.transaction(T, async (tx) => {
          await tx.insertRecord(makeRecord({ tenantId: T, id: 'd1' }));
          await tx.insertRecord(makeRecord({ tenantId: T, id: 'd2' }));
          await tx.appendHistory([
            makeHistoryEvent({ tenantId: T, recordId: 'd1', seq: 1, at: at(0) }),
            makeHistoryEvent({ tenantId: T, recordId: 'd2', seq: 1, at: at(0) }),
            makeHistoryEvent({ tenantId: T, recordId: 'd1', seq: 2, at: at(5), event: 'qualify', from: 'new', to: 'qualified', data: { note: 'ok', n: [1, 2] } }),
          ]);
        });
        for (let seq = 3; seq <= 6; seq++) {
          await s.transaction(T, (tx) =>
            tx.appendHistory([makeHistoryEvent({ tenantId: T, recordId: 'd1', seq, at: at(seq), actorId: null })]),
          );
        }
        const all = await s.listHistory(T, 'd1');
        expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
        expect(all[1]).toEqual(
          makeHistoryEvent({ tenantId: T, recordId: 'd1', seq: 2, at: at(5), event: 'qualify', from: 'new', to: 'qualified', data: { note: 'ok', n: [1, 2] } }),
        );
        expect(all[3]?.actorId ?? null).toBeNull();
        expect((await s.listHistory(T, 'd1', { afterSeq: 4 })).map((e) => e.seq)).toEqual([5, 6]);
        expect((await s.listHistory(T, 'd1', { afterSeq: 1, limit: 2 })).map((e) => e.seq)).toEqual([2, 3]);
        expect((await s.listHistory(T, 'd2')).map((e) => e.id)).toEqual([`${T}:d2:1`]);
        expect(await s.listHistory(T, 'nobody')).toEqual([]);
        const inTx = await s.transaction(T, (tx) => tx.listHistory('d1', { afterSeq: 5 }));
        expect(inTx.map((e) => e.seq)).toEqual([6]);
      });
    });

    it('rejects a gap or a repeated seq as CONFLICT and writes none of the batch', async () => {
      await ctx.withStore(async (s) => {
        await s.transaction(T, (tx) => tx.appendHistory([makeHistoryEvent({ tenantId: T, recordId: 'd1', seq: 1 })]));
        const gap = await expectDealflowError(
          s.transaction(T, (tx) => tx.appendHistory([makeHistoryEvent({ tenantId: T, recordId: 'd1', seq: 3 })])),
          'CONFLICT',
        );
        expect(gap.message).toContain('d1');
        await expectDealflowError(
          s.transaction(T, (tx) =>
            tx.appendHistory([
              makeHistoryEvent({ tenantId: T, recordId: 'd1', seq: 2 }),
              makeHistoryEvent({ tenantId: T, recordId: 'd1', seq: 2, id: 'other-id' }),
            ]),
          ),
          'CONFLICT',
        );
        await expectDealflowError(
          s.transaction(T, (tx) => tx.appendHistory([makeHistoryEvent({ tenantId: T, recordId: 'd1', seq: 1, id: 'again' })])),
          'CONFLICT',
        );
        expect((await s.listHistory(T, 'd1')).map((e) => e.seq)).toEqual([1]);
      });
    });

    it('rejects many events that restart a record with history at seq 1 as CONFLICT, and writes none of the batch', async () => {
      await ctx.withStore(async (s) => {
        await s.transaction(T, (tx) => tx.appendHistory([
          makeHistoryEvent({ tenantId: T, recordId: 'd1', seq: 1 }),
          makeHistoryEvent({ tenantId: T, recordId: 'd1', seq: 2 }),
        ]));
        // the call's events of 'd1' look like a new record's first events (seq = place in the call)
        for (const seqs of [[1], [1, 2], [1, 2, 3], [3, 3], [2, 3]]) {
          await expectDealflowError(
            s.transaction(T, (tx) => tx.appendHistory([
              makeHistoryEvent({ tenantId: T, recordId: 'd2', seq: 1, id: `d2-${seqs.join('-')}` }),
              ...seqs.map((seq, i) => makeHistoryEvent({ tenantId: T, recordId: 'd1', seq, id: `again-${seqs.join('-')}-${i}` })),
            ])),
            'CONFLICT',
          );
        }
        expect((await s.listHistory(T, 'd1')).map((e) => e.seq)).toEqual([1, 2]);
        expect(await s.listHistory(T, 'd2')).toEqual([]);
        // the next events after the stored ones still go in
        await s.transaction(T, (tx) => tx.appendHistory([
          makeHistoryEvent({ tenantId: T, recordId: 'd1', seq: 3 }),
          makeHistoryEvent({ tenantId: T, recordId: 'd1', seq: 4 }),
          makeHistoryEvent({ tenantId: T, recordId: 'd2', seq: 1 }),
        ]));
        expect((await s.listHistory(T, 'd1')).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      });
    });

    it('sees its own appended history inside the transaction', async () => {
      await ctx.withStore(async (s) => {
        const seen = await s.transaction(T, async (tx) => {
          await tx.appendHistory([makeHistoryEvent({ tenantId: T, recordId: 'd1', seq: 1 })]);
          await tx.appendHistory([makeHistoryEvent({ tenantId: T, recordId: 'd1', seq: 2 })]);
          return (await tx.listHistory('d1')).map((e) => e.seq);
        });
        expect(seen).toEqual([1, 2]);
      });
    });
  });
}
