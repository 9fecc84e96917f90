/**
 * engine.sendMany on the memory store, SQLite and PostgreSQL: refused items (rejections and
 * errors) never sink the others, accepted ones write what single sends write (history, timers,
 * outbox), all-or-nothing writes nothing, per-item idempotency keys (shared with `send`) replay,
 * approval holds and permission rules apply per item, and sendMany is the same as the same sends
 * one by one (a fast-check property).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, createManualClock, createMemoryStorage, replay } from '../packages/core/src/index.js';
import type { BlueprintInput, Engine, SalesRulesInput, SendManyItem, Storage } from '../packages/core/src/index.js';
import { leadJson, sampleDirectory } from '../packages/core/test/assignment-helpers.js';
import { leadBlueprint } from './support/bulk-fixture.js';
import { storeKinds } from './support/stores.js';

const NOW = '2026-03-02T10:00:00.000Z';

/** The bulk lead, with a guard on `qualify` (amount > 0) so that sends can be rejected by a rule. */
function guardedLead(): BlueprintInput {
  const bp = leadBlueprint();
  return { ...bp, transitions: (bp.transitions ?? []).map((t) => (t.event === 'qualify' ? { ...t, guard: { '>': [{ var: 'fields.amount' }, 0] } } : t)) };
}

/** Ids drawn from a counter: two engines that make the same calls make the same ids. */
function counterIds(): (prefix: string) => string {
  let n = 0;
  return (prefix) => `${prefix}_${(++n).toString(36)}`;
}

function engineOn(storage: Storage, extra: Partial<Parameters<typeof createEngine>[0]> = {}): Engine {
  return createEngine({ storage, blueprints: [guardedLead()], clock: createManualClock(NOW), ...extra });
}

async function seed(engine: Engine, n: number, prefix = 'l'): Promise<string[]> {
  const results = await engine.createMany('lead', Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, fields: { name: `Lead ${i}`, amount: i % 4 } })), { actor: engine.system });
  return results.map((r) => (r.ok ? r.record.id : ''));
}

for (const kind of await storeKinds('test/bulk-send-many.test.ts')) {
  describe(`sendMany on ${kind.name}`, () => {
    it('commits the accepted items of a batch with rejected and failing ones, each as a single send would write it', async () => {
      const { storage, drop } = await kind.open();
      try {
        const engine = engineOn(storage);
        const ids = await seed(engine, 40);
        await engine.create('lead', { id: 'twin', fields: { name: 'Twin', amount: 1 } });
        // contacted first for the odd ones, so that some qualify sends pass and some fail their guard
        await engine.sendMany(ids.filter((_, i) => i % 2 === 1).map((id) => ({ recordId: id, event: 'contact' })));
        const items: SendManyItem[] = ids.map((id, i) => (i % 2 === 0 ? { recordId: id, event: 'contact' } : { recordId: id, event: 'qualify' }));
        items.splice(5, 0, { recordId: 'missing', event: 'contact' }); // NOT_FOUND: an error
        items.splice(9, 0, { recordId: ids[0]!, event: 'win' }); // no transition from new: a rejection
        const emitted: string[] = [];
        engine.on('transition', (e) => { emitted.push(e.record.id); });
        const results = await engine.sendMany(items, { batchSize: 7 });
        expect(results.map((r) => r.index)).toEqual(items.map((_, i) => i));
        const errors = results.filter((r) => 'error' in r);
        expect(errors.map((r) => [r.index, 'error' in r ? r.error.code : null])).toEqual([[5, 'NOT_FOUND']]);
        const rejections = results.filter((r) => 'rejection' in r);
        // (the odd seeds with amount 1 or 3 pass the guard; amount 0 or 2 … amount%4 is i%4: odd i → 1 or 3 → all pass)
        expect(rejections.map((r) => r.index)).toEqual([9]);
        const ok = results.filter((r) => r.ok);
        expect(ok).toHaveLength(items.length - 2);
        expect(emitted.sort()).toEqual(ok.map((r) => (r.ok ? r.record.id : '')).sort());
        // what a single send writes, on the twin
        const single = await engine.send('twin', 'contact');
        expect(single.ok).toBe(true);
        const twinHistory = await storage.listHistory('default', 'twin');
        const twinTimers = await engine.timers('twin');
        for (const r of ok) {
          if (!r.ok) continue;
          const stored = await storage.getRecord('default', r.record.id);
          expect(stored).toEqual(r.record);
          const history = await storage.listHistory('default', r.record.id);
          expect(replay(history)).toEqual(stored);
          if (r.to === 'contacted' && r.from === 'new') {
            expect(history.map((e) => [e.kind, e.event ?? null, e.from ?? null, e.to ?? null])).toEqual(twinHistory.map((e) => [e.kind, e.event ?? null, e.from ?? null, e.to ?? null]));
            const timers = await engine.timers(r.record.id);
            expect(timers.map((t) => [t.kind, t.status, t.outcome])).toEqual(twinTimers.map((t) => [t.kind, t.status, t.outcome]));
          }
        }
        const outbox = await storage.readOutbox({ limit: 10_000 });
        const transitions = outbox.filter((m) => m.type === 'dealflow.transition').map((m) => m.recordId);
        for (const r of ok) if (r.ok) expect(transitions).toContain(r.record.id);
        // the rejected and failed items wrote nothing
        expect((await storage.getRecord('default', ids[0]!))?.stage).toBe('contacted');
        expect(await storage.getRecord('default', 'missing')).toBeNull();
      } finally {
        await drop();
      }
    });

    it('rejects by guard per item, and items for one record run in input order', async () => {
      const { storage, drop } = await kind.open();
      try {
        const engine = engineOn(storage);
        await engine.create('lead', { id: 'zero', fields: { name: 'Zero', amount: 0 } });
        await engine.create('lead', { id: 'one', fields: { name: 'One', amount: 1 } });
        const results = await engine.sendMany([
          { recordId: 'zero', event: 'contact' }, { recordId: 'zero', event: 'qualify' },
          { recordId: 'one', event: 'contact' }, { recordId: 'one', event: 'qualify' }, { recordId: 'one', event: 'win' },
        ]);
        expect(results.map((r) => r.ok)).toEqual([true, false, true, true, true]);
        const rejected = results[1]!;
        expect('rejection' in rejected && rejected.rejection).toMatchObject({ reason: 'guard', rule: '$.transitions[1].guard', recordId: 'zero' });
        const one = await storage.getRecord('default', 'one');
        expect(one).toMatchObject({ stage: 'won', version: 4 });
        expect(replay(await storage.listHistory('default', 'one'))).toEqual(one);
        expect((await storage.getRecord('default', 'zero'))).toMatchObject({ stage: 'contacted', version: 2 });
      } finally {
        await drop();
      }
    });

    it('with allOrNothing, one rejected or failing item fails the call and writes nothing', async () => {
      const { storage, drop } = await kind.open();
      try {
        const engine = engineOn(storage);
        const ids = await seed(engine, 5);
        const before = await storage.readOutbox({ limit: 1000 });
        await expect(engine.sendMany([...ids.map((id) => ({ recordId: id, event: 'contact' })), { recordId: ids[0]!, event: 'win' }], { allOrNothing: true }))
          .rejects.toMatchObject({ code: 'REJECTED', details: { index: 5 } });
        await expect(engine.sendMany([{ recordId: ids[1]!, event: 'contact' }, { recordId: 'missing', event: 'contact' }], { allOrNothing: true }))
          .rejects.toMatchObject({ code: 'NOT_FOUND' });
        for (const id of ids) {
          expect((await storage.getRecord('default', id))).toMatchObject({ stage: 'new', version: 1 });
          expect(await storage.listHistory('default', id)).toHaveLength(1);
        }
        expect(await storage.readOutbox({ limit: 1000 })).toEqual(before);
        const all = await engine.sendMany(ids.map((id) => ({ recordId: id, event: 'contact' })), { allOrNothing: true });
        expect(all.every((r) => r.ok)).toBe(true);
      } finally {
        await drop();
      }
    });

    it('per-item idempotency keys replay (shared with send), and a key reused for another call is refused', async () => {
      const { storage, drop } = await kind.open();
      try {
        const engine = engineOn(storage);
        const ids = await seed(engine, 3);
        const items = ids.map((id) => ({ recordId: id, event: 'contact', idempotencyKey: `wave-1:${id}` }));
        const first = await engine.sendMany(items);
        expect(first.every((r) => r.ok && !r.replayed)).toBe(true);
        const again = await engine.sendMany([...items, { recordId: ids[0]!, event: 'lose', idempotencyKey: `wave-1:${ids[0]}` }]);
        expect(again.slice(0, 3).every((r) => r.ok && r.replayed === true)).toBe(true);
        expect('error' in again[3]! && again[3].error.code).toBe('IDEMPOTENCY_MISMATCH');
        const viaSend = await engine.send(ids[1]!, 'contact', { idempotencyKey: `wave-1:${ids[1]}` });
        expect(viaSend.replayed).toBe(true);
        for (const id of ids) {
          const history = await storage.listHistory('default', id);
          expect(history.map((e) => e.kind)).toEqual(['created', 'transition']);
          expect(replay(history)).toEqual(await storage.getRecord('default', id));
        }
        // a key used twice inside one call: the second item replays the first's result
        const dup = await engine.sendMany([{ recordId: ids[2]!, event: 'lose', idempotencyKey: 'k' }, { recordId: ids[2]!, event: 'lose', idempotencyKey: 'k' }]);
        expect(dup.map((r) => [r.ok, r.ok && r.replayed === true])).toEqual([[true, false], [true, true]]);
        expect((await storage.getRecord('default', ids[2]!))?.version).toBe(3);
      } finally {
        await drop();
      }
    });

    it('with sales rules: an approval hold is a per-item rejection, a permission refusal a per-item error; the others commit', async () => {
      const { storage, drop } = await kind.open();
      try {
        const rules: SalesRulesInput = {
          approvals: [{ id: 'big', event: 'win', when: { '>': [{ var: 'fields.discount' }, 20] }, approver: 'manager' }],
          permissions: { read: true, create: true, edit: true, transitions: { '*': true, lose: { in: ['manager', { var: 'actor.roles' }] } } },
        };
        const engine = createEngine({ storage, blueprints: [leadJson()], clock: createManualClock(NOW), rules, directory: sampleDirectory() });
        const sys = { actor: engine.system };
        for (const [id, discount] of [['a', 5], ['b', 30], ['c', 0]] as const) {
          await engine.create('lead', { id, fields: { name: id, discount }, ownerId: 'ann' }, sys);
          await engine.send(id, 'negotiate', sys);
        }
        const results = await engine.sendMany([
          { recordId: 'a', event: 'win' }, { recordId: 'b', event: 'win' }, { recordId: 'c', event: 'lose' },
        ], { actor: { id: 'ann' } });
        expect(results.map((r) => r.ok)).toEqual([true, false, false]);
        expect('rejection' in results[1]! && results[1].rejection.reason).toBe('approval_pending');
        // (send throws FORBIDDEN for a permission refusal: here it is the item's error)
        expect('error' in results[2]! && results[2].error).toMatchObject({ code: 'FORBIDDEN', details: { recordId: 'c', name: 'lose' } });
        expect((await storage.getRecord('default', 'c'))?.stage).toBe('negotiation');
        expect((await storage.getRecord('default', 'a'))?.stage).toBe('won');
        expect((await storage.getRecord('default', 'b'))?.stage).toBe('negotiation');
        // the hold was written (as send writes it): the manager approves it, and the record moves
        const approved = await engine.approve('b', { actor: { id: 'mia' } });
        expect(approved.approval).toMatchObject({ event: 'win' });
        expect((await storage.getRecord('default', 'b'))?.stage).toBe('won');
      } finally {
        await drop();
      }
    });
  });
}

describe('sendMany ≡ the same sends one by one (memory store)', () => {
  const events = ['contact', 'qualify', 'win', 'lose', 'stale', 'nope'] as const;
  it('leaves the same records, history, timers and outbox', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ r: fc.integer({ min: 0, max: 5 }), e: fc.constantFrom(...events), key: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }) }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 8 }),
        async (ops, batchSize) => {
          const run = async (batched: boolean) => {
            const storage = createMemoryStorage();
            const engine = engineOn(storage, { newId: counterIds() });
            await seed(engine, 5);
            const items: SendManyItem[] = ops.map((o) => ({ recordId: `l${o.r}`, event: o.e, ...(o.key !== undefined ? { idempotencyKey: `k${o.key}` } : {}) }));
            const answers: unknown[] = [];
            if (batched) {
              for (const r of await engine.sendMany(items, { batchSize })) {
                const { index: _index, ...rest } = r;
                answers.push('error' in rest ? { error: rest.error.code } : rest);
              }
            } else {
              for (const it of items) {
                answers.push(await engine.send(it.recordId, it.event, it.idempotencyKey !== undefined ? { idempotencyKey: it.idempotencyKey } : {})
                  .catch((e: { code: string }) => ({ error: e.code })));
              }
            }
            const state: unknown[] = [];
            for (const id of ['l0', 'l1', 'l2', 'l3', 'l4', 'l5']) {
              // (a cancelled timer's finishedAt is the store's wall time, not the engine's clock)
              const timers = (await engine.timers(id)).map(({ finishedAt: _at, ...t }) => t);
              state.push(await storage.getRecord('default', id), await storage.listHistory('default', id), timers);
            }
            state.push(await storage.readOutbox({ limit: 10_000 }));
            await storage.close();
            return { answers, state };
          };
          const one = await run(false);
          const many = await run(true);
          expect(many.answers).toEqual(one.answers);
          expect(many.state).toEqual(one.state);
        },
      ),
      { numRuns: 60 },
    );
  });
});
