import { describe, expect, test } from 'vitest';
import {
  createEngine,
  createManualClock,
  createMemoryStorage,
  defineBlueprint,
  isDealflowError,
} from '../src/index.js';
import type { Engine, Rejection, Storage, StorageTx, StoredRecord, TransitionEvent } from '../src/index.js';
import { TRUSTED, dealJson } from './fixtures.js';

const rep = { actor: { id: 'ana', roles: ['rep'], team: 'north' } };
const manager = { actor: { id: 'max', roles: ['manager'], team: 'north' } };

function setup(storage: Storage = createMemoryStorage()) {
  const clock = createManualClock('2026-01-05T09:00:00.000Z');
  const engine = createEngine({ storage, blueprints: [defineBlueprint(dealJson())], clock, identity: TRUSTED });
  return { engine, clock, storage };
}

async function newDeal(engine: Engine, fields: Record<string, unknown> = {}) {
  return (await engine.create('deal', { fields: { name: 'ACME', ...fields }, ownerId: 'ana', teamId: 'north' }, rep)).record;
}

async function outboxCount(storage: Storage) {
  return (await storage.readOutbox({ limit: 10_000 })).length;
}

describe('create / get / history / query', () => {
  test('create writes the record at version 1 with defaults and a created history event', async () => {
    const { engine } = setup();
    const r = await newDeal(engine, { source: 'web' });
    expect(r).toMatchObject({ stage: 'prospecting', version: 1, ownerId: 'ana', fields: { name: 'ACME', source: 'web', discount: 0 } });
    expect(await engine.get(r.id)).toEqual(r);
    const h = await engine.history(r.id);
    expect(h.map((e) => [e.seq, e.kind, e.actorId])).toEqual([[1, 'created', 'ana']]);
  });

  test('create fails whole on bad input, naming the field', async () => {
    const { engine, storage } = setup();
    await expect(engine.create('deal', { fields: {} }, rep)).rejects.toMatchObject({ code: 'INPUT_INVALID', problems: [{ path: '$.fields.name' }] });
    const err = await engine.create('deal', { fields: { name: 'x', amount: 'lots', source: 'tv', colour: 'red' } }, rep).catch((e) => e);
    expect(isDealflowError(err, 'INPUT_INVALID')).toBe(true);
    expect(err.problems.map((p: { path: string }) => p.path).sort()).toEqual(['$.fields.amount', '$.fields.colour', '$.fields.source']);
    await expect(engine.create('invoice', {}, rep)).rejects.toMatchObject({ code: 'BLUEPRINT_NOT_FOUND' });
    expect(await engine.query({})).toEqual([]);
    expect(await outboxCount(storage)).toBe(0);
  });

  test('duplicate ids are refused', async () => {
    const { engine } = setup();
    await engine.create('deal', { id: 'd1', fields: { name: 'A' } }, rep);
    await expect(engine.create('deal', { id: 'd1', fields: { name: 'B' } }, rep)).rejects.toMatchObject({ code: 'DUPLICATE' });
    expect((await engine.get('d1'))?.fields.name).toBe('A');
  });

  test('query filters by stage, owner and field', async () => {
    const { engine } = setup();
    const a = await newDeal(engine, { source: 'web' });
    const b = await newDeal(engine, { source: 'event' });
    await engine.send(b.id, 'qualify', rep);
    expect((await engine.query({ stage: 'qualified' })).map((r) => r.id)).toEqual([b.id]);
    expect((await engine.query({ fields: { source: 'web' } })).map((r) => r.id)).toEqual([a.id]);
    expect(await engine.query({ ownerId: 'bob' })).toEqual([]);
  });
});

describe('send', () => {
  test('moves the record, bumps the version and appends a transition event', async () => {
    const { engine, clock } = setup();
    const r = await newDeal(engine);
    clock.advance('PT1H');
    const res = await engine.send(r.id, 'qualify', rep);
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.record).toMatchObject({ stage: 'qualified', version: 2, stageEnteredAt: '2026-01-05T10:00:00.000Z' });
    expect(await engine.get(r.id)).toEqual(res.record);
    const h = await engine.history(r.id);
    expect(h[1]).toMatchObject({ seq: 2, kind: 'transition', event: 'qualify', from: 'prospecting', to: 'qualified', actorId: 'ana' });
  });

  test('event fields are validated and applied with the transition', async () => {
    const { engine } = setup();
    const r = await newDeal(engine);
    await engine.send(r.id, 'qualify', rep);
    await expect(engine.send(r.id, { type: 'propose', fields: { amount: '12' } }, rep)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    const res = await engine.send(r.id, { type: 'propose', fields: { amount: 1200 } }, rep);
    expect(res.ok && res.record.fields.amount).toBe(1200);
  });

  async function expectRejected(engine: Engine, storage: Storage, id: string, event: Parameters<Engine['send']>[1], ctx = rep) {
    const before = await engine.get(id);
    const hBefore = (await engine.history(id)).length;
    const oBefore = await outboxCount(storage);
    const seen: Rejection[] = [];
    engine.on('rejected', (r) => seen.push(r));
    const res = await engine.send(id, event, ctx);
    expect(res.ok).toBe(false);
    expect(await engine.get(id)).toEqual(before);
    expect((await engine.history(id)).length).toBe(hBefore);
    expect(await outboxCount(storage)).toBe(oBefore);
    if (res.ok) throw new Error('unreachable');
    expect(seen).toEqual([res.rejection]);
    return res.rejection;
  }

  test('rejections name reason, stage and missing fields and write nothing', async () => {
    const { engine, storage } = setup();
    const r = await newDeal(engine);

    const none = await expectRejected(engine, storage, r.id, 'win');
    expect(none).toMatchObject({ reason: 'no_transition', stage: 'prospecting', event: 'win', recordId: r.id });

    await engine.send(r.id, 'qualify', rep);
    const guard = await expectRejected(engine, storage, r.id, 'propose');
    expect(guard).toMatchObject({ reason: 'guard', stage: 'qualified', rule: '$.transitions[2].guard' });

    await engine.send(r.id, { type: 'propose', fields: { amount: 900 } }, rep);
    const forbidden = await expectRejected(engine, storage, r.id, { type: 'discount', data: { percent: 10 } });
    expect(forbidden).toMatchObject({ reason: 'forbidden', actorId: 'ana', stage: 'proposal' });

    const missing = await expectRejected(engine, storage, r.id, 'negotiate');
    expect(missing).toMatchObject({ reason: 'required_fields', stage: 'proposal', to: 'negotiation', missingFields: ['closeDate'] });
    expect(missing.message).toContain('closeDate');

    const ok = await engine.send(r.id, { type: 'discount', data: { percent: 10 } }, manager);
    expect(ok.ok && ok.record.fields.discount).toBe(10);
    await engine.send(r.id, 'lose', rep);
    const final = await expectRejected(engine, storage, r.id, 'qualify');
    expect(final).toMatchObject({ reason: 'final_stage', stage: 'lost' });
  });

  test('records a send hands back are the caller\'s: changing them (accepted or rejected) leaves the store alone', async () => {
    const { engine } = setup();
    const r = await newDeal(engine);
    const accepted = await engine.send(r.id, 'qualify', rep);
    if (!accepted.ok) throw new Error('qualify was rejected');
    const rejected = await engine.send(r.id, 'win', rep);
    expect(rejected.ok).toBe(false);
    const stored = await engine.get(r.id);
    for (const res of [accepted, rejected]) {
      res.record.stage = 'hacked';
      res.record.fields.name = 'changed';
      (res.record.meta.stageTimes as Record<string, { visits: number }>).qualified!.visits = 99;
    }
    expect(await engine.get(r.id)).toEqual(stored);
    expect(stored).toMatchObject({ stage: 'qualified', fields: { name: 'ACME' }, meta: { stageTimes: { qualified: { visits: 1 } } } });
    const next = await engine.send(r.id, { type: 'propose', fields: { amount: 900 } }, rep);
    expect(next.ok && next.record.fields).toMatchObject({ name: 'ACME', amount: 900 });
  });

  test('required-in-stage fields are enforced on entry and can come with the event', async () => {
    const { engine, storage } = setup();
    const r = await newDeal(engine);
    await engine.send(r.id, 'qualify', rep);
    // amount is required in 'proposal'; the guard also reads it: supply 0 → guard false first
    const g = await expectRejected(engine, storage, r.id, { type: 'propose', fields: { amount: 0 } });
    expect(g.reason).toBe('guard');
    const ok = await engine.send(r.id, { type: 'propose', fields: { amount: 5 } }, rep);
    expect(ok.ok).toBe(true);
    // clearing a required field while staying is fine; entering negotiation needs it back
    await engine.send(r.id, { type: 'discount', fields: { amount: null, closeDate: '2026-03-01' }, data: { percent: 5 } }, manager).then((res) => {
      expect(res.ok).toBe(false);
      if (!res.ok) expect(res.rejection.missingFields).toEqual(['amount']);
    });
  });

  test('unknown record → NOT_FOUND', async () => {
    const { engine } = setup();
    await expect(engine.send('nope', 'qualify', rep)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  test('typed events fire after commit, and the outbox holds them under the history id', async () => {
    const { engine, storage } = setup();
    const seen: TransitionEvent[] = [];
    let storedDuringEmit: StoredRecord | null = null;
    engine.on('transition', (e) => {
      seen.push(e);
      void engine.get(e.record.id).then((r) => (storedDuringEmit = r));
    });
    const r = await newDeal(engine);
    await engine.send(r.id, 'qualify', rep);
    await new Promise((res) => setTimeout(res, 0));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ from: 'prospecting', to: 'qualified', event: 'qualify', actorId: 'ana' });
    expect(storedDuringEmit).toMatchObject({ stage: 'qualified', version: 2 });
    const outbox = await storage.readOutbox({ limit: 100 });
    const h = await engine.history(r.id);
    expect(outbox.map((m) => [m.id, m.type])).toEqual([
      [h[0]!.id, 'dealflow.created'],
      [h[1]!.id, 'dealflow.transition'],
    ]);
  });
});

describe('idempotency', () => {
  test('the same key returns the first result and writes once', async () => {
    const { engine, storage } = setup();
    const r = await newDeal(engine);
    const first = await engine.send(r.id, 'qualify', { ...rep, idempotencyKey: 'k1' });
    const again = await engine.send(r.id, 'qualify', { ...rep, idempotencyKey: 'k1' });
    expect(again.ok && again.replayed).toBe(true);
    expect(again.ok && again.record).toEqual(first.ok && first.record);
    expect((await engine.history(r.id)).length).toBe(2);
    expect(await outboxCount(storage)).toBe(2);
  });

  test('reusing a key for another call fails with IDEMPOTENCY_MISMATCH', async () => {
    const { engine } = setup();
    const r = await newDeal(engine);
    await engine.send(r.id, 'qualify', { ...rep, idempotencyKey: 'k2' });
    await expect(engine.send(r.id, 'lose', { ...rep, idempotencyKey: 'k2' })).rejects.toMatchObject({ code: 'IDEMPOTENCY_MISMATCH' });
  });

  test('create is idempotent too', async () => {
    const { engine } = setup();
    const a = await engine.create('deal', { fields: { name: 'A' } }, { ...rep, idempotencyKey: 'c1' });
    const b = await engine.create('deal', { fields: { name: 'A' } }, { ...rep, idempotencyKey: 'c1' });
    expect(b.record.id).toBe(a.record.id);
    expect(await engine.query({})).toHaveLength(1);
  });
});

/** A store whose transactions can serve a stale copy of a record (as if another writer raced us). */
function racingStorage(inner: Storage) {
  const state = { staleCopies: 0, stale: null as StoredRecord | null, attempts: 0 };
  const storage: Storage = {
    ...inner,
    name: 'racing',
    transaction: (tenantId, fn) =>
      inner.transaction(tenantId, (tx) => {
        state.attempts++;
        const wrapped: StorageTx = Object.create(tx);
        wrapped.getRecord = async (id, o) => {
          if (state.staleCopies > 0 && state.stale && state.stale.id === id) {
            state.staleCopies--;
            return structuredClone(state.stale);
          }
          return tx.getRecord(id, o);
        };
        return fn(wrapped);
      }),
  };
  return { storage, state };
}

describe('optimistic concurrency', () => {
  test('a write on a stale version retries against the fresh state', async () => {
    const memory = createMemoryStorage();
    const { storage, state } = racingStorage(memory);
    const { engine } = setup(storage);
    const r = await newDeal(engine);
    state.stale = await engine.get(r.id); // version 1, prospecting
    await engine.send(r.id, 'qualify', rep); // now version 2, qualified
    state.staleCopies = 1;
    state.attempts = 0;
    const res = await engine.send(r.id, 'lose', rep);
    expect(state.attempts).toBe(2);
    expect(res.ok && res.from).toBe('qualified');
    const h = await engine.history(r.id);
    expect(h.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(h[2]).toMatchObject({ from: 'qualified', to: 'lost' });
  });

  test('persistent conflicts fail with CONFLICT after bounded retries, writing nothing', async () => {
    const { storage, state } = racingStorage(createMemoryStorage());
    const { engine } = setup(storage);
    const r = await newDeal(engine);
    state.stale = await engine.get(r.id);
    await engine.send(r.id, 'qualify', rep);
    state.staleCopies = 100;
    state.attempts = 0;
    await expect(engine.send(r.id, 'lose', rep)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(state.attempts).toBe(4);
    state.staleCopies = 0;
    expect((await engine.get(r.id))?.stage).toBe('qualified');
    expect((await engine.history(r.id)).length).toBe(2);
  });

  test('maxRetries bounds the attempts: 0 means one try, 2 means three', async () => {
    for (const [maxRetries, tries] of [[0, 1], [2, 3]] as const) {
      const { storage, state } = racingStorage(createMemoryStorage());
      const engine = createEngine({ storage, blueprints: [defineBlueprint(dealJson())], clock: createManualClock('2026-01-05T09:00:00.000Z'), maxRetries, identity: TRUSTED });
      const r = await newDeal(engine);
      state.stale = await engine.get(r.id);
      await engine.send(r.id, 'qualify', rep);
      state.staleCopies = 100;
      state.attempts = 0;
      const err = await engine.send(r.id, 'lose', rep).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'CONFLICT' });
      expect((err as Error).message).toContain(`after ${tries} attempt(s)`);
      expect(state.attempts).toBe(tries);
    }
  });

  test('expectedVersion fails fast', async () => {
    const { engine } = setup();
    const r = await newDeal(engine);
    await engine.send(r.id, 'qualify', rep);
    await expect(engine.send(r.id, 'lose', { ...rep, expectedVersion: 1 })).rejects.toMatchObject({ code: 'CONFLICT' });
    const ok = await engine.send(r.id, 'lose', { ...rep, expectedVersion: 2 });
    expect(ok.ok).toBe(true);
  });

  test('concurrent sends on one record serialize: every one applies to the version before it', async () => {
    const { engine } = setup();
    const r = await newDeal(engine);
    await engine.send(r.id, 'qualify', rep);
    await engine.send(r.id, { type: 'propose', fields: { amount: 1 } }, rep);
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => engine.send(r.id, { type: 'discount', data: { percent: i } }, manager)),
    );
    expect(results.every((x) => x.ok)).toBe(true);
    const h = await engine.history(r.id);
    expect(h.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await engine.get(r.id))?.version).toBe(8);
  });
});
