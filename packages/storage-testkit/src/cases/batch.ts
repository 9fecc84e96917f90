import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_BATCH_IDS } from '@dealflow/core/storage';
import type { StoredRecord } from '@dealflow/core/storage';
import { expectDealflowError, type SuiteContext } from '../context.js';
import { at, makeRecord } from '../fixtures.js';

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
