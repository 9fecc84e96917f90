import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecordQuery, StoredRecord } from '@dealflow/core';
import { expectDealflowError, type SuiteContext } from '../context.js';
import { at, makeRecord } from '../fixtures.js';

const T = 'tenant-a';

/** Records: insert, read, copies, versions and conflicts, queries. */
export function recordCases(ctx: SuiteContext): void {
  describe('records', () => {
    it('inserts a record and reads back an equal copy, in and outside a transaction', async () => {
      await ctx.withStore(async (s) => {
        const rec = makeRecord({
          tenantId: T,
          id: 'deal-1',
          fields: { amount: 1200.5, name: 'Acme — 株式会社', tags: ['a', 'b'], nested: { ok: true, none: null } },
          meta: { snapshot: { value: 'new' }, score: 7 },
          ownerId: 'rep-1',
          teamId: 'team-1',
        });
        const inside = await s.transaction(T, async (tx) => {
          await tx.insertRecord(rec);
          return tx.getRecord('deal-1');
        });
        expect(inside).toEqual(rec);
        expect(await s.getRecord(T, 'deal-1')).toEqual(rec);
        expect(await s.getRecord(T, 'missing')).toBeNull();
      });
    });

    it('returns copies: mutating a returned or inserted object does not change the store', async () => {
      await ctx.withStore(async (s) => {
        const rec = makeRecord({ tenantId: T, id: 'deal-1', fields: { list: [1] } });
        await s.transaction(T, (tx) => tx.insertRecord(rec));
        rec.stage = 'hacked';
        (rec.fields.list as number[]).push(2);
        const first = await s.getRecord(T, 'deal-1');
        expect(first?.stage).toBe('new');
        expect(first?.fields).toEqual({ list: [1] });
        first!.fields.list = 'changed';
        first!.meta.x = 1;
        const again = await s.getRecord(T, 'deal-1');
        expect(again?.fields).toEqual({ list: [1] });
        expect(again?.meta).toEqual({});
      });
    });

    it('rejects a second insert with the same id as CONFLICT and keeps the first', async () => {
      await ctx.withStore(async (s) => {
        await s.transaction(T, (tx) => tx.insertRecord(makeRecord({ tenantId: T, id: 'deal-1', stage: 'a' })));
        const err = await expectDealflowError(
          s.transaction(T, (tx) => tx.insertRecord(makeRecord({ tenantId: T, id: 'deal-1', stage: 'b' }))),
          'CONFLICT',
        );
        expect(err.message).toContain('deal-1');
        expect((await s.getRecord(T, 'deal-1'))?.stage).toBe('a');
      });
    });

    it('rejects an insert whose version is not 1', async () => {
      await ctx.withStore(async (s) => {
        await expectDealflowError(
          s.transaction(T, (tx) => tx.insertRecord(makeRecord({ tenantId: T, id: 'deal-1', version: 3 }))),
          ['INPUT_INVALID', 'CONFLICT'],
        );
        expect(await s.getRecord(T, 'deal-1')).toBeNull();
      });
    });

    it('updates with the expected version and writes version + 1', async () => {
      await ctx.withStore(async (s) => {
        const rec = makeRecord({ tenantId: T, id: 'deal-1' });
        await s.transaction(T, (tx) => tx.insertRecord(rec));
        const next: StoredRecord = { ...rec, version: 2, stage: 'qualified', fields: { amount: 10 }, updatedAt: at(1000) };
        await s.transaction(T, (tx) => tx.updateRecord(next, 1));
        expect(await s.getRecord(T, 'deal-1')).toEqual(next);
        const third: StoredRecord = { ...next, version: 3, ownerId: 'rep-9', updatedAt: at(2000) };
        await s.transaction(T, async (tx) => {
          await tx.updateRecord(third, 2);
          expect(await tx.getRecord('deal-1')).toEqual(third);
        });
        expect((await s.getRecord(T, 'deal-1'))?.version).toBe(3);
      });
    });

    it('rejects a stale expected version as CONFLICT naming the record and both versions', async () => {
      await ctx.withStore(async (s) => {
        const rec = makeRecord({ tenantId: T, id: 'deal-7' });
        await s.transaction(T, (tx) => tx.insertRecord(rec));
        await s.transaction(T, (tx) => tx.updateRecord({ ...rec, version: 2, stage: 'won' }, 1));
        const err = await expectDealflowError(
          s.transaction(T, (tx) => tx.updateRecord({ ...rec, version: 2, stage: 'lost' }, 1)),
          'CONFLICT',
        );
        expect(err.message).toContain('deal-7');
        expect(err.message).toContain('1');
        expect(err.message).toContain('2');
        const now = await s.getRecord(T, 'deal-7');
        expect(now?.stage).toBe('won');
        expect(now?.version).toBe(2);
      });
    });

    it('rejects an update whose new version is not expectedVersion + 1, and an update of a missing record', async () => {
      await ctx.withStore(async (s) => {
        const rec = makeRecord({ tenantId: T, id: 'deal-1' });
        await s.transaction(T, (tx) => tx.insertRecord(rec));
        await expectDealflowError(
          s.transaction(T, (tx) => tx.updateRecord({ ...rec, version: 5, stage: 'x' }, 1)),
          ['CONFLICT', 'INPUT_INVALID'],
        );
        expect(await s.getRecord(T, 'deal-1')).toEqual(rec);
        await expectDealflowError(
          s.transaction(T, (tx) => tx.updateRecord(makeRecord({ tenantId: T, id: 'ghost', version: 2 }), 1)),
          ['CONFLICT', 'NOT_FOUND'],
        );
        expect(await s.getRecord(T, 'ghost')).toBeNull();
      });
    });

    it('queries by type, stage (one or many), owner (incl. null), team, fields, updated range, with order, limit and offset', async () => {
      await ctx.withStore(async (s) => {
        const recs = [
          makeRecord({ tenantId: T, id: 'r1', type: 'deal', stage: 'new', ownerId: 'rep-1', teamId: 'north', fields: { city: 'Oslo', hot: true, n: 1 }, createdAt: at(1), updatedAt: at(10) }),
          makeRecord({ tenantId: T, id: 'r2', type: 'deal', stage: 'won', ownerId: null, teamId: 'north', fields: { city: 'Bergen', hot: false, n: 2 }, createdAt: at(2), updatedAt: at(20) }),
          makeRecord({ tenantId: T, id: 'r3', type: 'lead', stage: 'new', ownerId: 'rep-2', teamId: null, fields: { city: 'Oslo', hot: true, n: 1.5 }, createdAt: at(3), updatedAt: at(30) }),
          makeRecord({ tenantId: T, id: 'r4', type: 'deal', stage: 'lost', ownerId: null, teamId: 'south', fields: { city: null, hot: true, n: '1' }, createdAt: at(3), updatedAt: at(40) }),
          makeRecord({ tenantId: T, id: 'r5', type: 'deal', blueprintId: 'other', stage: 'new', ownerId: 'rep-1', teamId: 'south', fields: {}, createdAt: at(5), updatedAt: at(50) }),
        ];
        await s.transaction(T, async (tx) => {
          for (const r of [...recs].reverse()) await tx.insertRecord(r);
        });
        const ids = async (q: RecordQuery) => (await s.queryRecords(T, q)).map((r) => r.id);
        expect(await ids({})).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
        expect(await ids({ order: 'desc' })).toEqual(['r5', 'r4', 'r3', 'r2', 'r1']);
        expect(await ids({ type: 'deal' })).toEqual(['r1', 'r2', 'r4', 'r5']);
        expect(await ids({ blueprintId: 'other' })).toEqual(['r5']);
        expect(await ids({ stage: 'new' })).toEqual(['r1', 'r3', 'r5']);
        expect(await ids({ stage: ['won', 'lost'] })).toEqual(['r2', 'r4']);
        expect(await ids({ stage: [] })).toEqual([]);
        expect(await ids({ ownerId: null })).toEqual(['r2', 'r4']);
        expect(await ids({ ownerId: 'rep-1' })).toEqual(['r1', 'r5']);
        expect(await ids({ teamId: null })).toEqual(['r3']);
        expect(await ids({ teamId: 'north', type: 'deal' })).toEqual(['r1', 'r2']);
        expect(await ids({ fields: { city: 'Oslo' } })).toEqual(['r1', 'r3']);
        expect(await ids({ fields: { city: 'Oslo', type: 'x' } })).toEqual([]);
        expect(await ids({ fields: { hot: true } })).toEqual(['r1', 'r3', 'r4']);
        expect(await ids({ fields: { hot: false } })).toEqual(['r2']);
        expect(await ids({ fields: { n: 1 } })).toEqual(['r1']);
        expect(await ids({ fields: { n: '1' } })).toEqual(['r4']);
        expect(await ids({ fields: { n: 1.5 } })).toEqual(['r3']);
        // a field that is absent counts as null (r5 has no fields at all)
        expect(await ids({ fields: { city: null } })).toEqual(['r4', 'r5']);
        expect(await ids({ updatedFrom: at(20), updatedTo: at(40) })).toEqual(['r2', 'r3']);
        expect(await ids({ updatedFrom: at(40) })).toEqual(['r4', 'r5']);
        expect(await ids({ limit: 2 })).toEqual(['r1', 'r2']);
        expect(await ids({ limit: 2, offset: 2 })).toEqual(['r3', 'r4']);
        expect(await ids({ order: 'desc', limit: 2, offset: 1 })).toEqual(['r4', 'r3']);
        const counted = await s.transaction(T, async (tx) => [
          await tx.countRecords({}),
          await tx.countRecords({ type: 'deal', ownerId: null }),
          await tx.countRecords({ fields: { hot: true }, stage: ['new'] }),
          (await tx.queryRecords({ stage: 'lost' })).map((r) => r.id),
        ]);
        expect(counted).toEqual([5, 2, 2, ['r4']]);
      });
    });

    it('answers random queries like a reference filter over the inserted records (property)', async () => {
      const stages = ['new', 'qualified', 'won'];
      const owners = ['rep-1', 'rep-2', null];
      const recordArb = fc.record({
        stage: fc.constantFrom(...stages),
        ownerId: fc.constantFrom(...owners),
        type: fc.constantFrom('deal', 'lead'),
        city: fc.constantFrom('Oslo', 'Rome', null),
        created: fc.integer({ min: 0, max: 5 }),
      });
      const queryArb = fc.record(
        {
          stage: fc.oneof(fc.constantFrom(...stages), fc.subarray(stages)),
          ownerId: fc.constantFrom(...owners),
          type: fc.constantFrom('deal', 'lead'),
          city: fc.constantFrom('Oslo', 'Rome', null),
          order: fc.constantFrom('asc' as const, 'desc' as const),
          limit: fc.integer({ min: 1, max: 6 }),
        },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(fc.array(recordArb, { maxLength: 12 }), queryArb, async (rows, q) => {
          await ctx.withStore(async (s) => {
            const recs = rows.map((r, i) =>
              makeRecord({
                tenantId: T,
                id: `r${String(i).padStart(2, '0')}`,
                stage: r.stage,
                ownerId: r.ownerId,
                type: r.type,
                fields: { city: r.city },
                createdAt: at(r.created),
              }),
            );
            await s.transaction(T, async (tx) => {
              for (const r of recs) await tx.insertRecord(r);
            });
            const query: RecordQuery = {};
            if (q.stage !== undefined) query.stage = q.stage;
            if (q.ownerId !== undefined) query.ownerId = q.ownerId;
            if (q.type !== undefined) query.type = q.type;
            if (q.city !== undefined) query.fields = { city: q.city };
            if (q.order !== undefined) query.order = q.order;
            if (q.limit !== undefined) query.limit = q.limit;
            let expected = recs.filter(
              (r) =>
                (q.stage === undefined || (Array.isArray(q.stage) ? q.stage.includes(r.stage) : q.stage === r.stage)) &&
                (q.ownerId === undefined || q.ownerId === r.ownerId) &&
                (q.type === undefined || q.type === r.type) &&
                (q.city === undefined || q.city === r.fields.city),
            );
            expected.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
            if (q.order === 'desc') expected.reverse();
            const count = expected.length;
            if (q.limit !== undefined) expected = expected.slice(0, q.limit);
            expect((await s.queryRecords(T, query)).map((r) => r.id)).toEqual(expected.map((r) => r.id));
            const { limit: _l, ...unlimited } = query;
            expect(await s.transaction(T, (tx) => tx.countRecords(unlimited))).toBe(count);
          });
        }),
        { numRuns: 25 },
      );
    });

    it('refreshStatistics, where the store has it, changes nothing a read answers; id reads skip unknown and repeated ids', async () => {
      await ctx.withStore(async (s) => {
        const records = Array.from({ length: 30 }, (_, i) => makeRecord({ tenantId: T, id: `st${String(i).padStart(2, '0')}`, createdAt: at(i), updatedAt: at(i) }));
        await s.transaction(T, async (tx) => {
          for (const r of records) await tx.insertRecord(r);
        });
        const page = { order: 'asc' as const, limit: 7, after: { createdAt: at(9), id: 'st09' } };
        const before = [await s.queryRecords(T, page), await s.queryRecords(T, {})];
        await s.refreshStatistics?.();
        expect([await s.queryRecords(T, page), await s.queryRecords(T, {})]).toEqual(before);
        expect(before[0]!.map((r) => r.id)).toEqual(['st10', 'st11', 'st12', 'st13', 'st14', 'st15', 'st16']);
        const got = await s.transaction(T, (tx) => tx.getRecords(['st03', 'nobody', 'st01', 'st03'], { forUpdate: true }));
        expect(got.map((r) => r.id).sort()).toEqual(['st01', 'st03']);
      });
    });
  });
}
