import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_BATCH_IDS } from '@dealflow/core/storage';
import type { StoredRecord } from '@dealflow/core/storage';
import { expectDealflowError, type SuiteContext } from '../context.js';
import { at, makeHistoryEvent, makeOutboxMessage, makeRecord, makeTimer } from '../fixtures.js';

const T = 'tenant-a';

/** Batched calls: getRecords, insertRecords (all or none), and the keyset cursor of queryRecords. */
export function batchCases(ctx: SuiteContext): void {
  describe('batched calls', () => {
    it('insertRecords writes every record in one call; getRecords reads those that exist', async () => {
      await ctx.withStore(async (s) => {
        const recs = Array.from({ length: 250 }, (_, i) =>
          makeRecord({ tenantId: T, id: `r${i}`, fields: { n: i, name: `Lead ${i} — ü` }, ownerId: i % 2 ? 'rep-1' : null, createdAt: at(i), updatedAt: at(i), stageEnteredAt: at(i) }));
        await s.transaction(T, (tx) => tx.insertRecords(recs));
        for (const r of [recs[0]!, recs[137]!, recs[249]!]) expect(await s.getRecord(T, r.id)).toEqual(r);
        const got = await s.transaction(T, (tx) => tx.getRecords(['r3', 'missing', 'r200', 'r3']));
        expect(got.map((r) => r.id).sort()).toEqual(['r200', 'r3']);
        expect(got.find((r) => r.id === 'r200')).toEqual(recs[200]);
        const locked = await s.transaction(T, (tx) => tx.getRecords(['r1', 'r2'], { forUpdate: true }));
        expect(locked.map((r) => r.id).sort()).toEqual(['r1', 'r2']);
        expect(await s.transaction(T, (tx) => tx.getRecords([]))).toEqual([]);
      });
    });

    it('insertRecords is all or none: one existing or repeated id refuses the whole call with CONFLICT', async () => {
      await ctx.withStore(async (s) => {
        await s.transaction(T, (tx) => tx.insertRecord(makeRecord({ tenantId: T, id: 'taken' })));
        const batch = [makeRecord({ tenantId: T, id: 'a' }), makeRecord({ tenantId: T, id: 'taken' }), makeRecord({ tenantId: T, id: 'b' })];
        await expectDealflowError(s.transaction(T, async (tx) => { await tx.insertRecords(batch); }), 'CONFLICT');
        expect(await s.getRecord(T, 'a')).toBeNull();
        expect(await s.getRecord(T, 'b')).toBeNull();
        const twice = [makeRecord({ tenantId: T, id: 'c' }), makeRecord({ tenantId: T, id: 'c' })];
        await expectDealflowError(s.transaction(T, async (tx) => { await tx.insertRecords(twice); }), 'CONFLICT');
        expect(await s.getRecord(T, 'c')).toBeNull();
      });
    });

    it('a create batch (records, their first events, timers, outbox) is all or none: a taken key in any write fails it whole with CONFLICT (naming a taken record or timer id)', async () => {
      await ctx.withStore(async (s) => {
        // what a batch of creates writes in one transaction, for records `${round}0`, `${round}1`…
        const writeBatch = (round: string, n: number, taken: { record?: string; event?: string; timer?: string } = {}) =>
          s.transaction(T, async (tx) => {
            const ids = Array.from({ length: n }, (_, i) => `${round}${i}`);
            await tx.insertRecords(ids.map((id) => makeRecord({ tenantId: T, id })).concat(taken.record ? [makeRecord({ tenantId: T, id: taken.record })] : []));
            await tx.appendHistory(ids.map((id) => makeHistoryEvent({ tenantId: T, recordId: id, seq: 1, id: `e-${id}` }))
              .concat(taken.event ? [makeHistoryEvent({ tenantId: T, recordId: taken.event, seq: 1, id: `e-${taken.event}-again-${round}` })] : []));
            await tx.scheduleTimers(ids.map((id) => makeTimer({ tenantId: T, id: `t-${id}`, recordId: id, key: 'deadline:new' }))
              .concat(taken.timer ? [makeTimer({ tenantId: T, id: taken.timer, recordId: `${round}1` })] : []));
            await tx.appendOutbox(ids.map((id) => makeOutboxMessage({ tenantId: T, id: `o-${id}`, recordId: id })));
          });
        await writeBatch('a', 40);
        const kept = async () => ({
          records: (await s.queryRecords(T, {})).length,
          events: (await Promise.all(['a0', 'b0', 'c0', 'd0'].map((id) => s.listHistory(T, id)))).flat().length,
          timers: (await s.transaction(T, async (tx) => Promise.all(['a1', 'b1', 'c1', 'd1'].map((id) => tx.listTimers(id))))).flat().length,
          outbox: (await s.readOutbox({ limit: 1000, tenantId: T })).length,
        });
        const before = await kept();
        expect(before).toEqual({ records: 40, events: 1, timers: 1, outbox: 40 });
        const failures = [
          { round: 'b', taken: { record: 'a5' }, names: 'a5' },
          // a first event for a record that has history (its seq 1 is taken); the contract asks only for CONFLICT
          { round: 'c', taken: { event: 'a3' }, names: null },
          { round: 'd', taken: { timer: 't-a7' }, names: 't-a7' },
        ];
        for (const f of failures) {
          const error = await expectDealflowError(writeBatch(f.round, 40, f.taken), 'CONFLICT');
          if (f.names !== null) expect(error.message).toContain(f.names);
          expect(await kept()).toEqual(before);
        }
        // a record's first events collide with the stored history of a record that has some
        await expectDealflowError(s.transaction(T, async (tx) => {
          await tx.insertRecords([makeRecord({ tenantId: T, id: 'n1' }), makeRecord({ tenantId: T, id: 'n2' })]);
          await tx.appendHistory([makeHistoryEvent({ tenantId: T, recordId: 'n1', seq: 1, id: 'e-n1' }), makeHistoryEvent({ tenantId: T, recordId: 'a9', seq: 1, id: 'e-a9-again' })]);
        }), 'CONFLICT');
        expect(await s.getRecord(T, 'n1')).toBeNull();
        expect(await kept()).toEqual(before);
      });
    });

    it('insertRecords refuses more than MAX_BATCH_IDS records and a record of another tenant', async () => {
      await ctx.withStore(async (s) => {
        const many = Array.from({ length: MAX_BATCH_IDS + 1 }, (_, i) => makeRecord({ tenantId: T, id: `m${i}` }));
        await expectDealflowError(s.transaction(T, (tx) => tx.insertRecords(many)), 'INPUT_INVALID');
        await expectDealflowError(s.transaction(T, (tx) => tx.insertRecords([makeRecord({ tenantId: 'tenant-b', id: 'x' })])), 'INPUT_INVALID');
        expect(await s.getRecord(T, 'm0')).toBeNull();
      });
    });

    it('insertRecords rolls back with its transaction', async () => {
      await ctx.withStore(async (s) => {
        await expectDealflowError(s.transaction(T, async (tx) => {
          await tx.insertRecords([makeRecord({ tenantId: T, id: 'a' }), makeRecord({ tenantId: T, id: 'b' })]);
          await tx.insertRecord(makeRecord({ tenantId: T, id: 'a' }));
        }), 'CONFLICT');
        expect(await s.getRecord(T, 'a')).toBeNull();
        expect(await s.getRecord(T, 'b')).toBeNull();
      });
    });

    it('pages with the keyset cursor `after` visit every match once, in order, both ways (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ t: fc.integer({ min: 0, max: 5 }), owned: fc.boolean() }), { minLength: 0, maxLength: 30 }),
          fc.integer({ min: 1, max: 7 }),
          fc.constantFrom<'asc' | 'desc'>('asc', 'desc'),
          async (rows, pageSize, order) => {
            await ctx.withStore(async (s) => {
              // equal createdAt on purpose: the id breaks ties
              const recs = rows.map((r, i) => makeRecord({ tenantId: T, id: `k${String(i).padStart(2, '0')}`, createdAt: at(r.t * 1000), ownerId: r.owned ? 'rep' : null }));
              if (recs.length > 0) await s.transaction(T, (tx) => tx.insertRecords(recs));
              const whole = (await s.queryRecords(T, { ownerId: 'rep', order })).map((r) => r.id);
              const paged: string[] = [];
              let after: StoredRecord | undefined;
              for (;;) {
                const page = await s.queryRecords(T, { ownerId: 'rep', order, limit: pageSize, ...(after ? { after: { createdAt: after.createdAt, id: after.id } } : {}) });
                paged.push(...page.map((r) => r.id));
                if (page.length < pageSize) break;
                after = page[page.length - 1];
              }
              expect(paged).toEqual(whole);
              expect(whole.length).toBe(rows.filter((r) => r.owned).length);
            });
          },
        ),
        { numRuns: 15 },
      );
    });
  });
}
