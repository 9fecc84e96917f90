/**
 * A date-field timer whose own `send` event moves the record out of the timer's `stages`: the plan
 * made while it fires must not cancel the firing timer, so the worker completes it (once) on the
 * memory store, SQLite and PostgreSQL. Before the fix the firing cancelled itself, the lease check
 * failed and the timer stayed claimed, retried forever.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, createManualClock, defineBlueprint } from '../packages/core/src/index.js';
import type { BlueprintInput, Storage } from '../packages/core/src/index.js';
import { storeKinds } from './support/stores.js';

const quote: BlueprintInput = {
  id: 'quote-firing',
  version: 1,
  recordType: 'quote',
  initialStage: 'sent',
  fields: { validUntil: { type: 'date' } },
  stages: [
    { id: 'sent', kind: 'open' },
    { id: 'accepted', kind: 'won' },
    { id: 'expired', kind: 'lost' },
  ],
  transitions: [
    { event: 'accept', from: 'sent', to: 'accepted' },
    { event: 'expire', from: 'sent', to: 'expired' },
  ],
  // only 'sent' runs the timer: its own event moves the record to 'expired', out of its stages
  dateTimers: [{ id: 'validity-end', field: 'validUntil', after: 'P1D', stages: ['sent'], send: 'expire' }],
};

function engineOn(storage: Storage, now: string) {
  const clock = createManualClock(now);
  return { clock, engine: createEngine({ storage, blueprints: [defineBlueprint(quote)], clock }) };
}

for (const kind of await storeKinds('test/date-timer-firing.test.ts')) {
  describe(`date-field timer leaving its stages on ${kind.name}`, () => {
    it('fires its event once and the worker completes it', async () => {
      const { storage, drop } = await kind.open();
      try {
        const { clock, engine } = engineOn(storage, '2026-03-02T09:00:00.000Z');
        const { record } = await engine.create('quote', { fields: { validUntil: '2026-03-05' } });
        const [pending] = await engine.timers(record.id, { status: ['pending'] });
        expect(pending).toMatchObject({ kind: 'field', key: 'field:validity-end', event: 'expire', dueAt: '2026-03-06T00:00:00.000Z' });

        clock.set('2026-03-06T08:00:00.000Z');
        const first = await engine.runDue();
        expect(first).toEqual({ fired: 1, noop: 0, rejected: 0, leaseLost: 0 });
        const after = (await engine.get(record.id))!;
        expect(after.stage).toBe('expired');
        const done = await engine.timers(record.id);
        expect(done.map((t) => [t.id, t.status, t.outcome])).toEqual([[pending!.id, 'done', 'fired']]);
        const history = await engine.history(record.id);
        expect(history.map((e) => [e.kind, e.event ?? null])).toEqual([['created', null], ['transition', 'expire']]);
        expect(history[1]!.data.timer).toEqual({ id: pending!.id, kind: 'field' });

        // nothing is left to fire, however late the worker looks
        clock.set('2026-04-06T08:00:00.000Z');
        expect(await engine.runDue()).toEqual({ fired: 0, noop: 0, rejected: 0, leaseLost: 0 });
        expect((await engine.get(record.id))!.version).toBe(2);
      } finally {
        await drop();
      }
    });

    it('a record moved out of the stages by someone else cancels the timer (the plan still cancels)', async () => {
      const { storage, drop } = await kind.open();
      try {
        const { clock, engine } = engineOn(storage, '2026-03-02T09:00:00.000Z');
        const { record } = await engine.create('quote', { fields: { validUntil: '2026-03-05' } });
        expect((await engine.send(record.id, 'accept')).ok).toBe(true);
        expect((await engine.timers(record.id)).map((t) => t.status)).toEqual(['cancelled']);
        clock.set('2026-03-06T08:00:00.000Z');
        expect(await engine.runDue()).toEqual({ fired: 0, noop: 0, rejected: 0, leaseLost: 0 });
        expect((await engine.get(record.id))!.stage).toBe('accepted');
      } finally {
        await drop();
      }
    });
  });
}
