import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createEngine, createManualClock, createMemoryStorage, createOutboxRelay, isDealflowError } from '../src/index.js';
import type { OutboxMessage } from '../src/index.js';
import { ticketBlueprint } from '@dealflow/storage-testkit';

function setup() {
  const clock = createManualClock('2026-01-05T09:00:00.000Z');
  const storage = createMemoryStorage();
  const engine = createEngine({ storage, blueprints: [ticketBlueprint()], clock });
  return { engine, storage, clock };
}

describe('createOutboxRelay', () => {
  test('delivers committed events in order with the history id as stable id, then acknowledges them', async () => {
    const { engine, storage } = setup();
    const { record } = await engine.create('ticket', { fields: { title: 'a' } });
    await engine.send(record.id, 'work');
    await engine.send(record.id, 'close');
    const got: OutboxMessage[] = [];
    const relay = createOutboxRelay({ storage, handler: (m) => { got.push(m); }, batchSize: 10, pollMs: 10 });
    expect(await relay.tick()).toBe(3);
    const history = await engine.history(record.id);
    expect(got.map((m) => m.id)).toEqual(history.map((e) => e.id));
    expect(got.every((m) => m.recordId === record.id)).toBe(true);
    expect(await storage.readOutbox({ limit: 10 })).toEqual([]);
    expect(await relay.tick()).toBe(0);
    expect(relay.stats()).toMatchObject({ delivered: 3, failed: 0 });
  });

  test('a failed delivery stops the round; that message and the ones after it come again, in order', async () => {
    const { engine, storage } = setup();
    const { record } = await engine.create('ticket', { fields: { title: 'a' } });
    await engine.send(record.id, 'work');
    await engine.send(record.id, 'close');
    const seen: string[] = [];
    let failures = 1;
    const errors: unknown[] = [];
    const relay = createOutboxRelay({
      storage,
      batchSize: 10,
      handler: (m) => {
        if (seen.length === 1 && failures-- > 0) throw new Error('webhook down');
        seen.push(m.id);
      },
      onError: (e) => errors.push(e),
    });
    expect(await relay.tick()).toBe(1);
    expect(errors).toHaveLength(1);
    expect(await relay.tick()).toBe(2);
    expect(seen).toEqual((await engine.history(record.id)).map((e) => e.id));
  });

  test('delivers every event at least once and in order per record under random failures (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 4 }), async (fails, batchSize) => {
        const { engine, storage } = setup();
        const ids: string[] = [];
        for (let i = 0; i < 3; i++) ids.push((await engine.create('ticket', { fields: { title: `t${i}` } })).record.id);
        for (const id of ids) await engine.send(id, 'work');
        await engine.send(ids[0]!, 'close');
        let k = 0;
        const delivered: OutboxMessage[] = [];
        const relay = createOutboxRelay({
          storage,
          batchSize,
          handler: (m) => {
            if (fails[k++ % fails.length] && k < 60) throw new Error('flaky');
            delivered.push(m);
          },
        });
        for (let round = 0; round < 200 && (await storage.readOutbox({ limit: 1 })).length > 0; round++) await relay.tick();
        for (const id of ids) {
          const historyIds = (await engine.history(id)).map((e) => e.id);
          const firstSeen = [...new Set(delivered.filter((m) => m.recordId === id).map((m) => m.id))];
          expect(firstSeen).toEqual(historyIds);
        }
      }),
      { numRuns: 30 },
    );
  });

  test('start relays until stopped', async () => {
    const { engine, storage } = setup();
    const got: string[] = [];
    const relay = createOutboxRelay({ storage, handler: (m) => { got.push(m.type); }, pollMs: 5 });
    relay.start();
    await engine.create('ticket', { fields: { title: 'a' } });
    for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    await relay.stop();
    expect(got.length).toBe(1);
    expect(relay.stats().running).toBe(false);
  });

  test('rejects a bad batch size', () => {
    const { storage } = setup();
    let caught: unknown;
    try {
      createOutboxRelay({ storage, handler: () => undefined, batchSize: 0 });
    } catch (e) {
      caught = e;
    }
    expect(isDealflowError(caught, 'INPUT_INVALID')).toBe(true);
  });
});
