import { describe, expect, it } from 'vitest';
import type { Storage, TaskRow } from '@dealflow/core';
import { expectDealflowError, type SuiteContext } from '../context.js';
import { at, makeRecord, makeTaskRow, makeTimer } from '../fixtures.js';

const T = 'tenant-a';
const DAY = 86_400_000;

const ids = (rows: readonly { recordId: string; id: string }[]) => rows.map((r) => `${r.recordId}/${r.id}`);

/** Three reps' records with tasks and deadlines across three days. */
async function agendaFixture(s: Storage): Promise<void> {
  await s.transaction(T, async (tx) => {
    const reps: Array<[string, string]> = [['ann', 'north'], ['bob', 'north'], ['cid', 'south']];
    for (const [rep, team] of reps) {
      for (let d = 0; d < 3; d++) {
        const id = `${rep}-${d}`;
        await tx.insertRecord(makeRecord({ tenantId: T, id, ownerId: rep, teamId: team, type: d === 2 ? 'lead' : 'deal' }));
        await tx.replaceTasks(id, [
          makeTaskRow({ tenantId: T, id: 'call', recordId: id, ownerId: rep, teamId: team, recordType: d === 2 ? 'lead' : 'deal', dueAt: at(d * DAY + 9 * 3_600_000) }),
          makeTaskRow({ tenantId: T, id: 'mail', recordId: id, ownerId: rep, teamId: team, recordType: d === 2 ? 'lead' : 'deal', status: 'done', dueAt: at(d * DAY + 10 * 3_600_000) }),
          makeTaskRow({ tenantId: T, id: 'someday', recordId: id, ownerId: rep, teamId: team, recordType: d === 2 ? 'lead' : 'deal', dueAt: null }),
        ]);
        await tx.scheduleTimers([
          makeTimer({ tenantId: T, id: `${id}:breach`, recordId: id, kind: 'breach', dueAt: at(d * DAY + 15 * 3_600_000) }),
          makeTimer({ tenantId: T, id: `${id}:reminder`, recordId: id, kind: 'reminder', dueAt: at(d * DAY + 11 * 3_600_000) }),
        ]);
      }
    }
  });
}

/** The task index (the rep's agenda): rows replaced per record, queried by owner, team, status, due time. */
export function taskCases(ctx: SuiteContext): void {
  describe('task index', () => {
    it('replaceTasks sets a record\'s rows whole; listTasks reads them back in due order, nulls last', async () => {
      await ctx.withStore(async (s) => {
        await s.transaction(T, async (tx) => {
          await tx.insertRecord(makeRecord({ tenantId: T, id: 'd1' }));
          await tx.replaceTasks('d1', [
            makeTaskRow({ tenantId: T, id: 'b', recordId: 'd1', dueAt: null }),
            makeTaskRow({ tenantId: T, id: 'a', recordId: 'd1', dueAt: at(5000), title: '电话 Ann' }),
            makeTaskRow({ tenantId: T, id: 'c', recordId: 'd1', kind: 'date', dueAt: at(1000) }),
          ]);
        });
        const rows = await s.transaction(T, (tx) => tx.listTasks('d1'));
        expect(rows.map((r) => r.id)).toEqual(['c', 'a', 'b']);
        expect(rows[1]).toEqual(makeTaskRow({ tenantId: T, id: 'a', recordId: 'd1', dueAt: at(5000), title: '电话 Ann' }));
        // replacing keeps exactly the new rows (a changed one, a new one; the others go)
        await s.transaction(T, (tx) => tx.replaceTasks('d1', [
          makeTaskRow({ tenantId: T, id: 'a', recordId: 'd1', dueAt: at(6000), status: 'done', ownerId: 'bob' }),
          makeTaskRow({ tenantId: T, id: 'd', recordId: 'd1', dueAt: at(7000) }),
        ]));
        expect(await s.transaction(T, (tx) => tx.listTasks('d1'))).toEqual([
          makeTaskRow({ tenantId: T, id: 'a', recordId: 'd1', dueAt: at(6000), status: 'done', ownerId: 'bob' }),
          makeTaskRow({ tenantId: T, id: 'd', recordId: 'd1', dueAt: at(7000) }),
        ]);
        await s.transaction(T, (tx) => tx.replaceTasks('d1', []));
        expect(await s.transaction(T, (tx) => tx.listTasks('d1'))).toEqual([]);
      });
    });

    it('rows are rolled back with their transaction', async () => {
      await ctx.withStore(async (s) => {
        await s.transaction(T, (tx) => tx.replaceTasks('d1', [makeTaskRow({ tenantId: T, id: 'a', recordId: 'd1' })]));
        await expect(s.transaction(T, async (tx) => {
          await tx.replaceTasks('d1', [makeTaskRow({ tenantId: T, id: 'z', recordId: 'd1' })]);
          throw new Error('boom');
        })).rejects.toThrow('boom');
        expect((await s.queryTasks(T, {})).map((r) => r.id)).toEqual(['a']);
      });
    });

    it('rejects rows of another record, another tenant, a repeated id or an unknown status with INPUT_INVALID, writing nothing', async () => {
      await ctx.withStore(async (s) => {
        const bad: TaskRow[][] = [
          [makeTaskRow({ tenantId: T, id: 'a', recordId: 'd2' })],
          [makeTaskRow({ tenantId: 'tenant-b', id: 'a', recordId: 'd1' })],
          [makeTaskRow({ tenantId: T, id: 'a', recordId: 'd1' }), makeTaskRow({ tenantId: T, id: 'a', recordId: 'd1' })],
          [makeTaskRow({ tenantId: T, id: 'a', recordId: 'd1', status: 'later' as TaskRow['status'] })],
        ];
        for (const rows of bad) await expectDealflowError(s.transaction(T, (tx) => tx.replaceTasks('d1', rows)), 'INPUT_INVALID');
        expect(await s.queryTasks(T, {})).toEqual([]);
      });
    });

    it('queryTasks filters by owner(s), team, status, kind, record type and due window, in index order', async () => {
      await ctx.withStore(async (s) => {
        await agendaFixture(s);
        const day1 = { dueAfter: at(DAY), dueBefore: at(2 * DAY) };
        expect(ids(await s.queryTasks(T, { ownerId: 'ann', status: 'open', ...day1 }))).toEqual(['ann-1/call']);
        expect(ids(await s.queryTasks(T, { ownerId: 'ann', status: 'open', dueBefore: at(2 * DAY) }))).toEqual(['ann-0/call', 'ann-1/call']);
        expect(ids(await s.queryTasks(T, { ownerId: 'ann', status: 'open' }))).toEqual(['ann-0/call', 'ann-1/call', 'ann-2/call', 'ann-0/someday', 'ann-1/someday', 'ann-2/someday']);
        expect(ids(await s.queryTasks(T, { teamId: 'north', status: 'done', ...day1 }))).toEqual(['ann-1/mail', 'bob-1/mail']);
        expect(ids(await s.queryTasks(T, { ownerId: ['bob', 'cid'], recordType: 'lead', status: 'open', dueAfter: at(0) }))).toEqual(['bob-2/call', 'cid-2/call']);
        expect(ids(await s.queryTasks(T, { ownerId: 'cid', kind: 'date' }))).toEqual([]);
        expect(await s.queryTasks(T, { ownerId: [] })).toEqual([]);
        expect(await s.queryTasks('tenant-b', { ownerId: 'ann' })).toEqual([]);
        expect(ids(await s.queryTasks(T, { teamId: 'north', status: 'open', limit: 3 }))).toEqual(['ann-0/call', 'bob-0/call', 'ann-1/call']);
        await expectDealflowError(s.queryTasks(T, { limit: -1 }), 'INPUT_INVALID');
      });
    });

    it('queryDeadlines lists pending breach timers of matching records (not reminders, not finished timers)', async () => {
      await ctx.withStore(async (s) => {
        await agendaFixture(s);
        await s.transaction(T, (tx) => tx.cancelTimers('bob-1', { kinds: ['breach'] }));
        const rows = await s.queryDeadlines(T, { ownerId: ['ann', 'bob'], dueBefore: at(2 * DAY) });
        expect(rows.map((r) => r.recordId)).toEqual(['ann-0', 'bob-0', 'ann-1']);
        expect(rows[2]).toEqual({ recordId: 'ann-1', recordType: 'deal', stage: 'new', ownerId: 'ann', teamId: 'north', dueAt: at(DAY + 15 * 3_600_000), timerId: 'ann-1:breach' });
        expect((await s.queryDeadlines(T, { teamId: 'south', dueAfter: at(2 * DAY), dueBefore: at(3 * DAY), recordType: 'lead' })).map((r) => r.recordId)).toEqual(['cid-2']);
        expect(await s.queryDeadlines(T, { ownerId: 'ann', dueBefore: at(0) })).toEqual([]);
      });
    });
  });
}
