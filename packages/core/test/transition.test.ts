import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { createEngine, createManualClock, createMemoryStorage, defineBlueprint, transition } from '../src/index.js';
import type { SendInput, StoredRecord } from '../src/index.js';
import { TRUSTED, dealJson } from './fixtures.js';

const deal = defineBlueprint(dealJson());
const ann = { id: 'ann', roles: ['rep'] };
const boss = { id: 'bo', roles: ['manager'] };
const T0 = '2026-03-02T09:00:00.000Z';

/** Ids drawn from a counter (from `start`). */
function counterIds(start = 0): (prefix: string) => string {
  let n = start;
  return (prefix) => `${prefix}_${++n}`;
}

async function engineWithRecord() {
  const clock = createManualClock(T0);
  let used = 0;
  const storage = createMemoryStorage();
  const engine = createEngine({ storage, blueprints: [deal], clock, newId: (prefix) => `${prefix}_${++used}`, identity: TRUSTED });
  const { record } = await engine.create('deal', { id: 'd1', fields: { name: 'ACME' } }, { actor: ann });
  // the ids the create took: a pure step that starts its counter there draws the ids the engine will draw
  return { engine, storage, clock, record, idsUsed: () => used };
}

describe('transition(): the pure step', () => {
  test('returns the next record and its effects as data: history, deadline timers, outbox, notification', async () => {
    const { record } = await engineWithRecord();
    const r = transition(deal, record, 'qualify', { actor: ann, now: T0, newId: counterIds() });
    if (!r.ok) throw new Error(r.rejection.message);
    expect(r.from).toBe('prospecting');
    expect(r.to).toBe('qualified');
    expect(r.next).toMatchObject({ id: 'd1', stage: 'qualified', version: record.version + 1, stageEnteredAt: T0 });
    expect(r.effects.history).toHaveLength(1);
    expect(r.effects.history[0]).toMatchObject({ kind: 'transition', event: 'qualify', from: 'prospecting', to: 'qualified', seq: record.version + 1, actorId: 'ann' });
    // qualified has a 3-business-day deadline with a reminder 4 h before: both scheduled, both for this version
    expect(r.effects.scheduleTimers.map((t) => t.kind).sort()).toEqual(['breach', 'reminder']);
    expect(r.effects.scheduleTimers.every((t) => t.recordVersion === r.next.version && t.stage === 'qualified')).toBe(true);
    expect(r.effects.outbox[0]).toMatchObject({ type: 'dealflow.transition', recordId: 'd1', payload: { from: 'prospecting', to: 'qualified' } });
    expect(r.effects.notifications.map((n) => n.name)).toEqual(['transition']);
    // the input record is untouched
    expect(record.stage).toBe('prospecting');
  });

  test('leaving a stage with a deadline cancels its timers; actions become tasks, notifications and outbox messages', async () => {
    const { record } = await engineWithRecord();
    const ids = counterIds();
    let r = transition(deal, record, 'qualify', { actor: ann, now: T0, newId: ids });
    if (!r.ok) throw new Error(r.rejection.message);
    r = transition(deal, r.next, { type: 'propose', fields: { amount: 5000 } }, { actor: ann, now: T0, newId: ids });
    if (!r.ok) throw new Error(r.rejection.message);
    expect(r.effects.cancelTimers).toEqual([{ recordId: 'd1', stage: 'qualified', kinds: ['breach', 'reminder'] }]);
    r = transition(deal, r.next, { type: 'negotiate', fields: { closeDate: '2026-04-01' } }, { actor: ann, now: T0, newId: ids });
    if (!r.ok) throw new Error(r.rejection.message);
    r = transition(deal, r.next, 'win', { actor: ann, now: T0, newId: ids });
    if (!r.ok) throw new Error(r.rejection.message);
    expect(r.effects.tasks.map((t) => t.title)).toEqual(['Send contract']);
    expect((r.next.meta.tasks as unknown[]).length).toBe(1);
    expect(r.effects.notifications.map((n) => n.name)).toEqual(['transition', 'task.created', 'emitted']);
    expect(r.effects.outbox.map((m) => m.type)).toEqual(['dealflow.transition', 'dealflow.task.created', 'dealflow.emitted']);
  });

  test('answers the rejections engine.send answers (guard, allow, required fields, final stage)', async () => {
    const { engine, record } = await engineWithRecord();
    const cases: Array<[SendInput, typeof ann]> = [['propose', ann], ['nope', ann], [{ type: 'discount', data: { percent: 5 } }, ann]];
    for (const [event, actor] of cases) {
      const pure = transition(deal, record, event, { actor, now: T0 });
      const sent = await engine.send(record.id, event, { actor });
      expect(pure.ok).toBe(false);
      expect(sent.ok).toBe(false);
      if (!pure.ok && !sent.ok) expect(pure.rejection).toEqual(sent.rejection);
    }
  });

  test('steps a record exactly as engine.send does: same record, history and outbox (property)', async () => {
    const eventArb: fc.Arbitrary<SendInput> = fc.oneof(
      fc.constantFrom<SendInput>('qualify', 'propose', 'lose', 'win', 'qualified.breach'),
      fc.integer({ min: 0, max: 9000 }).map((amount): SendInput => ({ type: 'propose', fields: { amount } })),
      fc.constant<SendInput>({ type: 'negotiate', fields: { closeDate: '2026-04-01' } }),
      fc.integer({ min: 0, max: 30 }).map((percent): SendInput => ({ type: 'discount', data: { percent } })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(eventArb, fc.boolean(), fc.integer({ min: 0, max: 3_600_000 })), { minLength: 1, maxLength: 12 }), async (steps) => {
        const { engine, storage, clock, record, idsUsed } = await engineWithRecord();
        const pureIds = counterIds(idsUsed());
        let position = (await storage.readOutbox({ limit: 100 })).at(-1)?.position ?? 0;
        let pure: StoredRecord = record;
        for (const [event, manager, ms] of steps) {
          clock.advance(ms);
          const actor = manager ? boss : ann;
          const now = clock.now().toISOString();
          const p = transition(deal, pure, event, { actor, now, newId: pureIds });
          const sent = await engine.send(record.id, event, { actor });
          expect(p.ok).toBe(sent.ok);
          if (p.ok && sent.ok) {
            expect(p.next).toEqual(sent.record);
            expect(p.effects.history).toEqual(sent.events);
            expect(idsUsed()).toBe(Number(p.effects.history[0]!.id.split('_')[1]));
            const written = await storage.readOutbox({ afterPosition: position, limit: 100 });
            expect(written.map(({ position: _, ...m }) => m)).toEqual(p.effects.outbox);
            position = written.at(-1)!.position!;
            pure = p.next;
          } else if (!p.ok && !sent.ok) {
            expect(p.rejection).toEqual(sent.rejection);
          }
        }
        expect(pure).toEqual(await engine.get(record.id));
      }),
      { numRuns: 40 },
    );
  });
});
