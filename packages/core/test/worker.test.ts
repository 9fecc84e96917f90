import { describe, expect, test } from 'vitest';
import { createEngine, createManualClock, createMemoryStorage, createWorker, isDealflowError } from '../src/index.js';
import type { Engine, Storage, TimerRecord } from '../src/index.js';
import { ticketBlueprint } from '@dealflow/storage-testkit';

function setup(storage: Storage = createMemoryStorage()) {
  const clock = createManualClock('2026-01-05T09:00:00.000Z');
  const engine = createEngine({ storage, blueprints: [ticketBlueprint()], clock });
  return { engine, clock, storage };
}

async function tickets(engine: Engine, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await engine.create('ticket', { fields: { title: `t${i}` } })).record.id);
  return ids;
}

async function breaches(engine: Engine, id: string): Promise<number> {
  return (await engine.history(id)).filter((e) => e.event === 'breach').length;
}

describe('createWorker', () => {
  test('tick claims due timers and fires each through the engine; timers not due stay', async () => {
    const { engine, clock } = setup();
    const early = await tickets(engine, 3);
    clock.advance('PT30M');
    const late = await tickets(engine, 2);
    clock.advance('PT45M'); // early ones are 15 min overdue, late ones due in 15 min
    const worker = createWorker({ engine, batchSize: 10, concurrency: 2, leaseMs: 60_000, pollMs: 50, workerId: 'w1' });
    expect(await worker.tick()).toEqual({ claimed: 3, fired: 3, noop: 0, rejected: 0, leaseLost: 0, failed: 0 });
    for (const id of early) {
      expect((await engine.get(id))?.stage).toBe('escalated');
      expect(await breaches(engine, id)).toBe(1);
      const [timer] = await engine.timers(id);
      expect(timer).toMatchObject({ status: 'done', outcome: 'fired' });
    }
    for (const id of late) expect((await engine.get(id))?.stage).toBe('open');
    expect((await worker.tick()).claimed).toBe(0);
  });

  test('claims in batches of batchSize', async () => {
    const { engine, clock } = setup();
    await tickets(engine, 7);
    clock.advance('PT2H');
    const worker = createWorker({ engine, batchSize: 3, concurrency: 3 });
    expect((await worker.tick()).claimed).toBe(3);
    expect((await worker.tick()).claimed).toBe(3);
    expect((await worker.tick()).claimed).toBe(1);
    expect((await worker.stats()).fired).toBe(7);
  });

  test('leaving the stage cancels its deadline: the worker finds nothing and the record stays', async () => {
    const { engine, clock } = setup();
    const [id] = await tickets(engine, 1);
    await engine.send(id!, 'work');
    clock.advance('PT2H');
    const worker = createWorker({ engine });
    expect((await worker.tick()).claimed).toBe(0);
    expect((await engine.get(id!))?.stage).toBe('working');
    expect(await breaches(engine, id!)).toBe(0);
  });

  test('many workers ticking at once fire every timer exactly once', async () => {
    const { engine, clock } = setup();
    const ids = await tickets(engine, 40);
    clock.advance('PT2H');
    const workers = Array.from({ length: 4 }, (_, i) => createWorker({ engine, batchSize: 7, concurrency: 3, workerId: `w${i}` }));
    for (let round = 0; round < 5; round++) await Promise.all(workers.map((w) => w.tick()));
    const stats = await Promise.all(workers.map((w) => w.stats()));
    expect(stats.reduce((n, s) => n + s.fired, 0)).toBe(40);
    for (const id of ids) expect(await breaches(engine, id)).toBe(1);
  });

  test("a crashed worker's claimed timers are fired by another after the lease expires, once", async () => {
    const { engine, clock, storage } = setup();
    const ids = await tickets(engine, 5);
    clock.advance('PT2H');
    // a worker claims everything and dies before firing
    const lost = await storage.claimDueTimers({ now: clock.now().toISOString(), limit: 10, leaseMs: 30_000, workerId: 'dead' });
    expect(lost).toHaveLength(5);
    const survivor = createWorker({ engine, leaseMs: 30_000, workerId: 'alive' });
    expect((await survivor.tick()).claimed).toBe(0);
    clock.advance(30_000);
    expect(await survivor.tick()).toMatchObject({ claimed: 5, fired: 5 });
    for (const id of ids) expect(await breaches(engine, id)).toBe(1);
    // the dead worker comes back and tries its stale claims: its lease is lost, no second effect
    const heard: string[] = [];
    engine.on('transition', (e) => heard.push(e.record.id));
    engine.on('deadline.breached', (e) => heard.push(e.record.id));
    const versions = await Promise.all(ids.map(async (id) => (await engine.get(id))!.version));
    for (const t of lost) expect((await engine.fireTimer(t, { workerId: 'dead' })).outcome).toBe('lease-lost');
    for (const id of ids) expect(await breaches(engine, id)).toBe(1);
    expect(await Promise.all(ids.map(async (id) => (await engine.get(id))!.version))).toEqual(versions);
    expect(heard).toEqual([]); // a rolled-back firing emits nothing
  });

  test.each([1, 50])('a failing firing is counted and reported; the timer is retried after its lease (%i timers per transaction)', async (timersPerTransaction) => {
    const base = createMemoryStorage();
    let failNext = 1;
    // a store whose first transaction that completes a timer fails after the firing (injected fault)
    const flaky: Storage = {
      ...base,
      name: 'flaky-memory',
      transaction: (tenantId, fn) =>
        base.transaction(tenantId, async (tx) => {
          let completed = false;
          // (every method runs on the store's own tx; completeTimer is watched)
          const watched = new Proxy(tx, {
            get(target, key) {
              const v = Reflect.get(target, key) as unknown;
              if (typeof v !== 'function') return v;
              if (key === 'completeTimer') {
                return (...args: Parameters<typeof tx.completeTimer>) => {
                  completed = true;
                  return tx.completeTimer(...args);
                };
              }
              return (v as (...a: unknown[]) => unknown).bind(target);
            },
          });
          const result = await fn(watched);
          if (failNext > 0 && completed) {
            failNext--;
            throw new Error('injected fault after firing');
          }
          return result;
        }),
      claimDueTimers: (o) => base.claimDueTimers(o),
      getRecord: (t, id) => base.getRecord(t, id),
      queryRecords: (t, q) => base.queryRecords(t, q),
      listHistory: (t, id, o) => base.listHistory(t, id, o),
      oldestDueAt: (o) => base.oldestDueAt(o),
      readOutbox: (o) => base.readOutbox(o),
      ackOutbox: (p, o) => base.ackOutbox(p, o),
      close: () => base.close(),
    };
    const { engine, clock } = setup(flaky);
    const [id] = await tickets(engine, 1);
    clock.advance('PT2H');
    const errors: Array<{ error: unknown; timer?: TimerRecord }> = [];
    const worker = createWorker({ engine, leaseMs: 5_000, timersPerTransaction, onError: (error, timer) => errors.push({ error, timer }) });
    expect(await worker.tick()).toMatchObject({ claimed: 1, fired: 0, failed: 1 });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.timer?.recordId).toBe(id);
    expect((await engine.get(id!))?.stage).toBe('open'); // rolled back whole
    expect(await breaches(engine, id!)).toBe(0);
    clock.advance(5_000);
    expect(await worker.tick()).toMatchObject({ claimed: 1, fired: 1, failed: 0 });
    expect(await breaches(engine, id!)).toBe(1);
  });

  test('stats report lag as now minus the oldest due time', async () => {
    const { engine, clock } = setup();
    await tickets(engine, 2);
    const worker = createWorker({ engine, workerId: 'w-lag' });
    expect((await worker.stats()).lagMs).toBe(0); // due in one hour
    clock.advance('PT1H30M');
    const s = await worker.stats();
    expect(s.lagMs).toBe(30 * 60_000);
    expect(s.oldestDueAt).toBe('2026-01-05T10:00:00.000Z');
    expect(s.workerId).toBe('w-lag');
    await worker.tick();
    expect((await worker.stats()).lagMs).toBe(0);
  });

  test('start polls until stopped; stop drains the work in flight', async () => {
    const { engine, clock } = setup();
    const ids = await tickets(engine, 12);
    clock.advance('PT2H');
    const worker = createWorker({ engine, batchSize: 5, concurrency: 2, pollMs: 5 });
    worker.start();
    worker.start(); // idempotent
    for (let i = 0; i < 200 && (await worker.stats()).fired < 12; i++) await new Promise((r) => setTimeout(r, 5));
    await worker.stop();
    const s = await worker.stats();
    expect(s).toMatchObject({ running: false, inFlight: 0, fired: 12 });
    for (const id of ids) expect((await engine.get(id))?.stage).toBe('escalated');
    // timers created after stop are not fired
    const [later] = await tickets(engine, 1);
    clock.advance('PT2H');
    await new Promise((r) => setTimeout(r, 20));
    expect((await engine.get(later!))?.stage).toBe('open');
  });

  test('a wake-up source starts the next round at once', async () => {
    const { engine, clock } = setup();
    let wake: (() => void) | undefined;
    let unsubscribed = false;
    const worker = createWorker({
      engine,
      pollMs: 60_000,
      wakeUp: (fn) => {
        wake = fn;
        return () => { unsubscribed = true; };
      },
    });
    worker.start();
    await new Promise((r) => setTimeout(r, 10)); // first round found nothing and sleeps for a minute
    const [id] = await tickets(engine, 1);
    clock.advance('PT2H');
    wake?.();
    for (let i = 0; i < 100 && (await engine.get(id!))?.stage !== 'escalated'; i++) await new Promise((r) => setTimeout(r, 5));
    expect((await engine.get(id!))?.stage).toBe('escalated');
    await worker.stop();
    expect(unsubscribed).toBe(true);
  });

  test('rejects invalid options with INPUT_INVALID naming the option', () => {
    const { engine } = setup();
    for (const bad of [{ batchSize: 0 }, { leaseMs: -1 }, { pollMs: Number.NaN }, { concurrency: 0 }]) {
      let caught: unknown;
      try {
        createWorker({ engine, ...bad });
      } catch (e) {
        caught = e;
      }
      expect(isDealflowError(caught, 'INPUT_INVALID')).toBe(true);
      expect((caught as Error).message).toContain(Object.keys(bad)[0]!);
    }
  });
});
