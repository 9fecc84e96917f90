import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createEngine, createManualClock, createMemoryDirectory, createWorker, replay } from '@dealflow/core';
import type { Engine, SalesRulesInput, Storage } from '@dealflow/core';
import { expectDealflowError, type SuiteContext } from '../context.js';
import { dailyDealBlueprint } from '../fixtures.js';

const START = '2026-03-02T09:00:00.000Z'; // a Monday

/**
 * Only managers may change `region`; everyone may create, read, move and edit the rest (with
 * permissions configured, what no rule allows is denied: these rules say so).
 */
const permissions: SalesRulesInput = {
  permissions: { read: true, create: true, edit: true, transitions: { '*': true }, fields: { region: { in: ['manager', { var: 'actor.roles' }] } } },
};

function engineOn(storage: Storage, rules?: SalesRulesInput) {
  const clock = createManualClock(START);
  const directory = createMemoryDirectory({ reps: [{ id: 'ann', roles: ['rep'] }, { id: 'bob', roles: ['rep'] }, { id: 'cid', roles: ['rep'] }, { id: 'mia', roles: ['manager'] }] });
  const engine = createEngine({ storage, blueprints: [dailyDealBlueprint()], clock, ...(rules ? { rules, directory } : {}) });
  return { engine, clock };
}

const as = (id: string, roles: string[] = ['rep']) => ({ actor: { id, roles } });

async function expectReplayed(engine: Engine, id: string): Promise<void> {
  expect(replay(await engine.history(id))).toEqual(await engine.get(id));
}

/** A record's daily life through the engine: edits, structured and computed fields, the agenda. */
export function dailyLifeCases(ctx: SuiteContext): void {
  describe('daily life (engine over this store)', () => {
    it('update edits fields without a move: normalized values, one history event with before and after, fields.changed, idempotency', async () => {
      await ctx.withStore(async (s) => {
        const { engine } = engineOn(s);
        const { record } = await engine.create('deal', { fields: { name: 'ACME' }, ownerId: 'ann' }, as('ann'));
        const seen: string[][] = [];
        engine.on('fields.changed', (e) => seen.push(e.changed));
        const res = await engine.update(record.id, { fields: { email: ' Buyer@ACME.example ', lines: [{ product: 'Seat', quantity: 3, unitPrice: 19.99 }] } }, { ...as('ann'), idempotencyKey: 'edit-1' });
        expect(res.changed.sort()).toEqual(['amount', 'email', 'lines']);
        expect(res.record).toMatchObject({ stage: 'new', version: 2, fields: { email: 'buyer@acme.example', amount: 59.97 } });
        expect(res.events[0]).toMatchObject({ kind: 'fields', seq: 2, actorId: 'ann', data: { before: { email: null, amount: 0 }, after: { email: 'buyer@acme.example', amount: 59.97 } } });
        const again = await engine.update(record.id, { fields: { email: ' Buyer@ACME.example ', lines: [{ product: 'Seat', quantity: 3, unitPrice: 19.99 }] } }, { ...as('ann'), idempotencyKey: 'edit-1' });
        expect(again).toMatchObject({ replayed: true, changed: res.changed });
        const same = await engine.update(record.id, { fields: { email: 'buyer@acme.example' } }, as('ann'));
        expect(same).toMatchObject({ changed: [], events: [] });
        expect(seen).toEqual([res.changed]);
        expect((await engine.get(record.id))?.version).toBe(2);
        await expectDealflowError(engine.update(record.id, { fields: { amount: 5 } }, as('ann')), 'INPUT_INVALID');
        await expectDealflowError(engine.update(record.id, { fields: { email: 'nope' } }, as('ann')), 'INPUT_INVALID');
        await expectDealflowError(engine.update('missing', { fields: { email: 'a@b.example' } }, as('ann')), 'NOT_FOUND');
        expect((await engine.get(record.id))?.version).toBe(2);
        await expectReplayed(engine, record.id);
      });
    });

    it('edits obey the permission rules per field and role, and the final stage\'s edit policy', async () => {
      await ctx.withStore(async (s) => {
        const { engine } = engineOn(s, permissions);
        const { record } = await engine.create('deal', { fields: { name: 'ACME', lines: [{ product: 'Seat', quantity: 1, unitPrice: 100 }] }, ownerId: 'ann' }, as('ann'));
        await expectDealflowError(engine.update(record.id, { fields: { region: 'south' } }, as('ann')), 'FORBIDDEN');
        expect((await engine.update(record.id, { fields: { region: 'south' } }, as('mia', ['manager']))).changed).toEqual(['region']);
        await engine.send(record.id, 'qualify', as('ann'));
        expect((await engine.send(record.id, 'win', as('ann'))).ok).toBe(true);
        // won: the invoice address may change, the lines (and so the amount) may not
        expect((await engine.update(record.id, { fields: { invoiceAddress: 'Hauptstr. 1, Berlin' } }, as('ann'))).changed).toEqual(['invoiceAddress']);
        const locked = await expectDealflowError(engine.update(record.id, { fields: { lines: [] } }, as('ann')), 'FORBIDDEN');
        expect(locked.message).toMatch(/final stage 'won'.*'lines'.*\$\.stages\[2\]\.editable/);
        expect((await engine.get(record.id, as('ann')))?.fields.amount).toBe(100);
        expect(replay(await engine.history(record.id, as('ann')))).toEqual(await engine.get(record.id, as('ann')));
      });
    });

    it('replay equals the stored record after random edits and moves (list and computed fields)', async () => {
      const line = fc.record({ product: fc.constantFrom('Seat', 'Setup', '培训'), quantity: fc.integer({ min: 0, max: 20 }), unitPrice: fc.integer({ min: 0, max: 99_999 }).map((c) => c / 100), discount: fc.constantFrom(0, 0.1, 0.25) });
      const step = fc.oneof(
        fc.record({ edit: fc.record({ lines: fc.array(line, { maxLength: 4 }), nextContact: fc.option(fc.constantFrom('2026-03-05', '2026-04-01'), { nil: null }), region: fc.constantFrom('north', 'south') }, { requiredKeys: [] }) }),
        fc.record({ move: fc.constantFrom('qualify', 'win', 'lose', 'stale') }),
      );
      await ctx.withStore(async (s) => {
        const { engine, clock } = engineOn(s);
        await fc.assert(
          fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
            const { record } = await engine.create('deal', { fields: { name: 'P' }, ownerId: 'ann' }, as('ann'));
            for (const st of steps) {
              clock.advance('PT1H');
              if ('edit' in st) await engine.update(record.id, { fields: st.edit }, as('ann')).catch((e: { code?: string }) => expect(e.code).toBe('FORBIDDEN'));
              else await engine.send(record.id, st.move, as('ann'));
            }
            const stored = (await engine.get(record.id))!;
            expect(replay(await engine.history(record.id))).toEqual(stored);
            const lines = (stored.fields.lines as Array<{ total: number }> | undefined) ?? [];
            const cents = lines.reduce((a, l) => a + Math.round(l.total * 100), 0);
            expect(Math.round(((stored.fields.amount as number | undefined) ?? 0) * 100)).toBe(cents);
          }),
          { numRuns: 15 },
        );
      });
    });

    it('re-routing on update: a change that makes an update rule match assigns the record again', async () => {
      await ctx.withStore(async (s) => {
        const rules: SalesRulesInput = {
          assignment: {
            rules: [
              { id: 'south', when: { '==': [{ var: 'fields.region' }, 'south'] }, assign: { strategy: 'owner', owner: 'cid' }, on: ['create', 'update'] },
              { id: 'default', assign: { strategy: 'roundRobin', reps: ['ann', 'bob'] } },
            ],
          },
        };
        const { engine } = engineOn(s, rules);
        const { record } = await engine.create('deal', { fields: { name: 'ACME', region: 'north' } }, as('mia', ['manager']));
        const first = record.ownerId;
        expect(['ann', 'bob']).toContain(first);
        const moved = await engine.update(record.id, { fields: { region: 'south' } }, as('mia', ['manager']));
        expect(moved.record).toMatchObject({ ownerId: 'cid', meta: { assignment: { ruleId: 'south', via: 'update' } } });
        expect(moved.events[0]!.data.assignment).toMatchObject({ ruleId: 'south', ownerId: 'cid' });
        // back to a rule that routes on create only: the owner stays
        expect((await engine.update(record.id, { fields: { region: 'north' } }, as('mia', ['manager']))).record.ownerId).toBe('cid');
        // an edit that leaves the matching rule alone does not re-route
        expect((await engine.update(record.id, { fields: { region: 'south' } }, as('mia', ['manager']))).record.ownerId).toBe('cid');
        // tasks added and finished through the sales operations are in the index too
        const { taskId } = await engine.addTask(record.id, { title: 'Call the buyer', dueAt: '2026-03-02T15:00:00.000Z' }, as('cid'));
        expect((await engine.agenda('cid', '2026-03-02')).dueToday.map((t) => [t.id, t.title])).toEqual([[taskId, 'Call the buyer']]);
        await engine.completeTask(record.id, taskId, as('cid'));
        expect((await engine.tasks({ owner: 'cid', status: 'done' })).map((t) => t.id)).toEqual([taskId]);
        expect((await engine.agenda('cid', '2026-03-02')).dueToday).toEqual([]);
        await expectReplayed(engine, record.id);
      });
    });

    it('a date-field reminder is re-planned by an edit and fired once by two workers; the day after, the event fires', async () => {
      await ctx.withStore(async (s) => {
        const { engine, clock } = engineOn(s);
        const { record } = await engine.create('deal', { fields: { name: 'ACME', closeDate: '2026-03-10' }, ownerId: 'ann' }, as('ann'));
        const pending = async () => (await engine.timers(record.id, { status: ['pending'] })).filter((t) => t.kind === 'field').map((t) => [t.key, t.dueAt]);
        expect(await pending()).toEqual([['field:close-soon', '2026-03-07T00:00:00.000Z']]);
        await engine.update(record.id, { fields: { closeDate: '2026-03-20' } }, as('ann'));
        expect(await pending()).toEqual([['field:close-soon', '2026-03-17T00:00:00.000Z']]);
        await engine.send(record.id, 'qualify', as('ann'));
        expect((await pending()).sort()).toEqual([['field:close-passed', '2026-03-21T00:00:00.000Z'], ['field:close-soon', '2026-03-17T00:00:00.000Z']]);
        clock.set('2026-03-08T00:00:00.000Z'); // the first plan's time: nothing fires (the stage breach does)
        const w1 = createWorker({ engine, workerId: 'w1', concurrency: 2 });
        const w2 = createWorker({ engine, workerId: 'w2', concurrency: 2 });
        await Promise.all([w1.tick(), w2.tick()]);
        const reminders = async () => (await engine.history(record.id)).filter((e) => e.kind === 'reminder' && e.data.dateTimer === 'close-soon');
        expect(await reminders()).toEqual([]);
        clock.set('2026-03-17T00:00:01.000Z');
        const seen: string[] = [];
        engine.on('reminder', (e) => seen.push(e.timer.id));
        const ticks = await Promise.all([w1.tick(), w2.tick()]);
        expect(ticks[0]!.fired + ticks[1]!.fired).toBe(1);
        expect((await reminders()).map((e) => e.data.field)).toEqual(['closeDate']);
        expect(seen).toHaveLength(1);
        clock.set('2026-03-21T00:00:01.000Z');
        await Promise.all([w1.tick(), w2.tick()]);
        const overdue = (await engine.history(record.id)).filter((e) => e.event === 'overdue');
        expect(overdue).toHaveLength(1);
        expect(overdue[0]!.data.notified).toEqual([expect.objectContaining({ message: 'Close date passed' })]);
        // clearing the date cancels what is left
        await engine.update(record.id, { fields: { closeDate: null } }, as('ann'));
        expect(await pending()).toEqual([]);
        await expectReplayed(engine, record.id);
      });
    });

    it('the agenda of each of 3 reps: overdue and due tasks, agenda dates and deadlines of their day, from the store\'s indexes', async () => {
      await ctx.withStore(async (s) => {
        const { engine, clock } = engineOn(s);
        const ids: Record<string, string[]> = { ann: [], bob: [], cid: [] };
        for (const rep of ['ann', 'bob', 'cid']) {
          for (let i = 0; i < 2; i++) {
            const { record } = await engine.create('deal', { fields: { name: `${rep}-${i}` }, ownerId: rep }, as(rep));
            ids[rep]!.push(record.id);
          }
        }
        // Monday: ann qualifies both (task due Tue 09:00, deadline Wed 09:00); bob one; cid none
        for (const id of [...ids.ann!, ids.bob![0]!]) await engine.send(id, 'qualify', as('x'));
        await engine.update(ids.cid![0]!, { fields: { nextContact: '2026-03-03' } }, as('cid'));
        await engine.update(ids.ann![1]!, { fields: { nextContact: '2026-03-04' } }, as('ann'));
        clock.advance('P1D');
        const tue = await engine.agenda('ann', '2026-03-03', { timeZone: 'Europe/Berlin' });
        expect(tue.dueToday.map((t) => t.recordId).sort()).toEqual([...ids.ann!].sort());
        expect(tue.dueToday[0]).toMatchObject({ kind: 'task', title: 'Follow up', ownerId: 'ann', status: 'open', dueAt: '2026-03-03T09:00:00.000Z' });
        expect([tue.overdue, tue.dates, tue.deadlines]).toEqual([[], [], []]);
        const wed = await engine.agenda({ id: 'ann' }, '2026-03-04', { timeZone: 'Europe/Berlin' });
        expect(wed.overdue.map((t) => t.recordId).sort()).toEqual([...ids.ann!].sort());
        expect(wed.dates.map((t) => [t.recordId, t.title])).toEqual([[ids.ann![1], 'Next contact']]);
        expect(wed.deadlines.map((d) => [d.recordId, d.stage, d.dueAt]).sort()).toEqual(ids.ann!.map((id) => [id, 'qualified', '2026-03-04T09:00:00.000Z']).sort());
        const bob = await engine.agenda('bob', '2026-03-04', { timeZone: 'Europe/Berlin' });
        expect([bob.overdue.map((t) => t.recordId), bob.deadlines.map((d) => d.recordId)]).toEqual([[ids.bob![0]], [ids.bob![0]]]);
        const cid = await engine.agenda('cid', '2026-03-03');
        expect([cid.dueToday, cid.overdue, cid.deadlines, cid.dates.map((t) => t.recordId)]).toEqual([[], [], [], [ids.cid![0]]]);
        // a lost record leaves the agenda dates; a re-owned record's rows follow their owner
        await engine.send(ids.ann![1]!, 'lose', as('ann'));
        expect((await engine.agenda('ann', '2026-03-04', { timeZone: 'Europe/Berlin' })).dates).toEqual([]);
        expect((await engine.tasks({ team: undefined, owner: ['ann', 'bob'], status: 'open', dueBefore: '2026-03-04T00:00:00.000Z' })).map((t) => t.recordId).sort()).toEqual([...ids.ann!, ids.bob![0]!].sort());
      });
    });
  });
}
