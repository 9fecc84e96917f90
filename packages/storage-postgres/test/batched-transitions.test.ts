import fc from 'fast-check';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, createManualClock, createMemoryStorage, isDealflowError } from '@dealflow/core';
import type { Storage, StorageTx, TimerRecord } from '@dealflow/core';
import { at, makeRecord, makeTimer, ticketBlueprint } from '@dealflow/storage-testkit';
import { createPostgresStorage, migrate, type PostgresStorage } from '../src/index.js';
import { dropSchema, PG_URL, pgAvailable, uniqueSchema } from './pg-helpers.js';

const T = 'tenant-a';

/**
 * Counts a store's round trips from here on: the statements sent in one synchronous run go out
 * together (one trip); `sent` has the first word of each statement.
 */
function countTrips(storage: PostgresStorage): { trips: number; sent: string[]; restore: () => void } {
  const counter = { trips: 0, sent: [] as string[], restore: () => {} };
  let sending = false;
  const connect = storage.pool.connect.bind(storage.pool);
  storage.pool.connect = (async () => {
    const client = await connect();
    const query = client.query.bind(client);
    client.query = ((...args: [string | { text: string }, ...unknown[]]) => {
      if (!sending) {
        counter.trips++;
        sending = true;
        queueMicrotask(() => { sending = false; });
      }
      const config = args[0];
      counter.sent.push((typeof config === 'string' ? config : config.text).trim().split(/\s/)[0]!);
      return (query as (...a: unknown[]) => unknown)(...args);
    }) as typeof client.query;
    return client;
  }) as typeof storage.pool.connect;
  counter.restore = () => { storage.pool.connect = connect; };
  return counter;
}

/** Numbers in [0, 1) from fast-check with a fixed seed, so a failing sequence can be replayed. */
function random(seed: number): () => number {
  const xs = fc.sample(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { seed, numRuns: 20_000 });
  let i = 0;
  return () => xs[i++ % xs.length]!;
}

if (await pgAvailable('storage-postgres/test/batched-transitions.test.ts')) {
  const admin = new pg.Pool({ connectionString: PG_URL, max: 4 });
  const stores: PostgresStorage[] = [];
  afterAll(async () => {
    for (const s of stores) {
      await s.close();
      await dropSchema(admin, s.schema);
    }
    await admin.end();
  });

  /** A store on its own pool, opened by the store (so it pipelines). */
  async function store(prefix: string): Promise<PostgresStorage> {
    const schema = uniqueSchema(prefix);
    await migrate({ pool: admin, schema });
    const s = createPostgresStorage({ connectionString: PG_URL, schema, max: 4, clock: 'caller' }); // manual clocks drive time here
    stores.push(s);
    return s;
  }

  const timerView = async (s: Storage, recordId: string) =>
    (await s.transaction(T, (tx) => tx.listTimers(recordId))).map((t) => [t.id, t.status, t.outcome]);

  describe('batched transitions on PostgreSQL', () => {
    it('a transition takes two round trips: BEGIN with the locking read, the writes with COMMIT', async () => {
      const storage = await store('bt_trips');
      const engine = createEngine({ storage, blueprints: [ticketBlueprint()] });
      const { record } = await engine.create('ticket', { fields: { title: 'trips' } });
      const counter = countTrips(storage);
      const r = await engine.send(record.id, 'work');
      counter.restore();
      expect(r.ok).toBe(true);
      expect(counter.sent).toEqual(['BEGIN', 'SELECT', 'WITH', 'COMMIT']);
      expect(counter.trips).toBe(2);
      const history = await engine.history(record.id);
      expect(history.map((e) => e.seq)).toEqual([1, 2]);
    });

    it('cancels and replaces timers of a locked record exactly as the memory store does (random sequences)', async () => {
      const pgStore = await store('bt_model');
      const memory = createMemoryStorage();
      const next = random(20261123);
      const pick = <X>(xs: readonly X[]): X => xs[Math.floor(next() * xs.length)]!;
      const kinds = ['breach', 'reminder', 'task'] as const;
      const keys = [null, 'k1', 'k2', 'k3'] as const;
      const stages = ['new', 'qualified', null] as const;
      let n = 0;
      const timer = (recordId: string): TimerRecord =>
        makeTimer({ tenantId: T, id: `t${n++}`, recordId, kind: pick(kinds), key: pick(keys), stage: pick(stages), dueAt: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString() });
      const seed = [timer('d1'), timer('d1'), timer('d1'), timer('d2'), timer('d1')];
      for (const s of [pgStore, memory]) {
        await s.transaction(T, async (tx) => {
          await tx.insertRecord(makeRecord({ tenantId: T, id: 'd1' }));
          await tx.insertRecord(makeRecord({ tenantId: T, id: 'd2' }));
          for (const tm of seed) await tx.scheduleTimers([tm]);
        });
      }
      for (let round = 0; round < 40; round++) {
        // one sequence of operations, run the same in both stores
        const ops: ((tx: StorageTx) => Promise<unknown>)[] = [];
        const count = 1 + Math.floor(next() * 4);
        for (let i = 0; i < count; i++) {
          const op = next();
          if (op < 0.45) {
            const filter: { kinds?: string[]; keys?: string[]; stage?: string } = {};
            if (next() < 0.5) filter.kinds = [pick(kinds), pick(kinds)];
            if (next() < 0.3) filter.keys = [pick(['k1', 'k2', 'k3'])];
            if (next() < 0.5) filter.stage = pick(['new', 'qualified']);
            const recordId = next() < 0.85 ? 'd1' : 'd2';
            ops.push((tx) => tx.cancelTimers(recordId, filter));
          } else if (op < 0.85) {
            const batch = Array.from({ length: 1 + Math.floor(next() * 2) }, () => timer(next() < 0.85 ? 'd1' : 'd2'));
            ops.push((tx) => tx.scheduleTimers(batch).then(() => 'scheduled'));
          } else {
            const id = `t${Math.floor(next() * n)}`;
            const read = next() < 0.6; // a timer read first may be completed without asking the server
            ops.push(async (tx) => [
              read ? (await tx.getTimer(id))?.status ?? null : 'unread',
              await tx.completeTimer(id, null, 'fired', new Date(Date.UTC(2026, 0, 2)).toISOString()),
            ]);
          }
        }
        const results: unknown[][] = [];
        for (const s of [pgStore, memory]) {
          results.push(await s.transaction(T, async (tx) => {
            const out: unknown[] = [];
            await tx.getRecord('d1', { forUpdate: true });
            for (const op of ops) out.push(await op(tx));
            return out;
          }));
        }
        expect(results[0], `round ${round}`).toEqual(results[1]);
        expect(await timerView(pgStore, 'd1'), `round ${round}`).toEqual(await timerView(memory, 'd1'));
        expect(await timerView(pgStore, 'd2'), `round ${round}`).toEqual(await timerView(memory, 'd2'));
      }
    });

    it('a timer firing takes three round trips: the timer, the locked record, the writes with its completion and COMMIT', async () => {
      const storage = await store('bt_fire');
      await storage.transaction(T, async (tx) => {
        await tx.insertRecord(makeRecord({ tenantId: T, id: 'd1', stage: 'new' }));
        await tx.scheduleTimers([
          makeTimer({ tenantId: T, id: 'due', recordId: 'd1', kind: 'breach', key: 'deadline:new', stage: 'new' }),
          makeTimer({ tenantId: T, id: 'remind', recordId: 'd1', kind: 'reminder', key: 'reminder:new', stage: 'new' }),
        ]);
      });
      const [claimed] = await storage.claimDueTimers({ now: at(1000), limit: 1, leaseMs: 60_000, workerId: 'w1' });
      expect(claimed?.id).toBe('due');
      const counter = countTrips(storage);
      // what the engine does when a breach fires: read the timer, lock the record, move it, complete the timer
      await storage.transaction(T, async (tx) => {
        expect((await tx.getTimer('due'))?.leaseOwner).toBe('w1');
        const rec = await tx.getRecord('d1', { forUpdate: true });
        await tx.updateRecord({ ...rec!, version: 2, stage: 'late' }, 1);
        expect(await tx.cancelTimers('d1', { stage: 'new', kinds: ['reminder'] })).toBe(1);
        expect(await tx.completeTimer('due', 'w1', 'fired', at(1000))).toBe(true);
      });
      counter.restore();
      expect(counter.sent).toEqual(['BEGIN', 'SELECT', 'SELECT', 'WITH', 'COMMIT']);
      expect(await timerView(storage, 'd1')).toEqual([['due', 'done', 'fired'], ['remind', 'cancelled', 'cancelled']]);
      expect((await storage.getRecord(T, 'd1'))?.version).toBe(2);
    });

    it('the engine firing a breach takes three round trips: the locked record, the writes with the completion, COMMIT', async () => {
      const storage = await store('bt_engine_fire');
      const app = createEngine({ storage, blueprints: [ticketBlueprint()], clock: createManualClock('2026-01-05T07:00:00.000Z') });
      const engine = createEngine({ storage, blueprints: [ticketBlueprint()], clock: createManualClock('2026-01-05T09:00:00.000Z') });
      const { record } = await app.create('ticket', { fields: { title: 'late' } });
      const [timer] = await storage.claimDueTimers({ now: '2026-01-05T09:00:00.000Z', limit: 5, leaseMs: 60_000, workerId: 'w1' });
      expect(timer?.recordId).toBe(record.id);
      const counter = countTrips(storage);
      const fired = await engine.fireTimer(timer!, { workerId: 'w1' });
      counter.restore();
      expect(fired.outcome).toBe('fired');
      expect(counter.sent).toEqual(['BEGIN', 'SELECT', 'WITH', 'COMMIT']);
      expect(counter.trips).toBe(3);
      expect((await engine.get(record.id))?.stage).toBe('escalated');
      expect(await storage.transaction('default', (tx) => tx.getTimer(timer!.id))).toMatchObject({ status: 'done', outcome: 'fired' });
    });

    it('a completion foretold from a lease that was lost meanwhile fails whole with a retryable CONFLICT', async () => {
      const storage = await store('bt_lease');
      await storage.transaction(T, async (tx) => {
        await tx.insertRecord(makeRecord({ tenantId: T, id: 'd1' }));
        await tx.scheduleTimers([makeTimer({ tenantId: T, id: 'due', recordId: 'd1' })]);
      });
      await storage.claimDueTimers({ now: at(0), limit: 1, leaseMs: 1000, workerId: 'slow' });
      const err = await storage.transaction(T, async (tx) => {
        expect((await tx.getTimer('due'))?.leaseOwner).toBe('slow');
        const rec = await tx.getRecord('d1', { forUpdate: true });
        // the lease expires and another worker (another process: not this transaction's connection) claims the timer
        const other = await admin.query(`UPDATE "${storage.schema}".timers SET lease_owner = 'fast', lease_until = $1, attempts = attempts + 1
          WHERE id = 'due' AND status = 'claimed' AND lease_until <= $2`, [at(6000), at(5000)]);
        expect(other.rowCount).toBe(1);
        await tx.updateRecord({ ...rec!, version: 2, stage: 'late' }, 1);
        expect(await tx.completeTimer('due', 'slow', 'fired', at(5000))).toBe(true);
      }).then(() => null, (e: unknown) => e);
      expect(isDealflowError(err, 'CONFLICT')).toBe(true);
      expect((err as Error).message).toContain("'due'");
      expect((await storage.getRecord(T, 'd1'))?.version).toBe(1);
      expect(await storage.transaction(T, (tx) => tx.getTimer('due'))).toMatchObject({ status: 'claimed', leaseOwner: 'fast' });
    });

    it('fails whole with a retryable CONFLICT when the locked record\'s timers change underneath (a writer that did not lock it)', async () => {
      const storage = await store('bt_under');
      await storage.transaction(T, async (tx) => {
        await tx.insertRecord(makeRecord({ tenantId: T, id: 'd1' }));
        await tx.scheduleTimers([makeTimer({ tenantId: T, id: 'a', recordId: 'd1' })]);
      });
      const before = await timerView(storage, 'd1');
      const err = await storage.transaction(T, async (tx) => {
        const rec = await tx.getRecord('d1', { forUpdate: true });
        // another transaction schedules a timer for d1 without locking it, and commits
        await storage.transaction(T, (other) => other.scheduleTimers([makeTimer({ tenantId: T, id: 'sneaky', recordId: 'd1' })]));
        expect(await tx.cancelTimers('d1')).toBe(1);
        await tx.updateRecord({ ...rec!, version: 2, stage: 'won' }, 1);
      }).then(() => null, (e: unknown) => e);
      expect(isDealflowError(err, 'CONFLICT')).toBe(true);
      expect((err as Error).message).toContain("'d1'");
      // nothing of the failed transaction is visible
      expect((await storage.getRecord(T, 'd1'))?.version).toBe(1);
      expect(await timerView(storage, 'd1')).toEqual([...before, ['sneaky', 'pending', null]]);
    });

    it('counts on the server when the lock waited for another transaction that changed the timers', async () => {
      const storage = await store('bt_wait');
      await storage.transaction(T, async (tx) => {
        await tx.insertRecord(makeRecord({ tenantId: T, id: 'd1' }));
        await tx.scheduleTimers([makeTimer({ tenantId: T, id: 'a', recordId: 'd1', key: 'k' })]);
      });
      let release!: () => void;
      const held = new Promise<void>((r) => { release = r; });
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => { locked = r; });
      const first = storage.transaction(T, async (tx) => {
        const rec = await tx.getRecord('d1', { forUpdate: true });
        locked();
        await held;
        await tx.updateRecord({ ...rec!, version: 2 }, 1);
        await tx.scheduleTimers([
          makeTimer({ tenantId: T, id: 'b', recordId: 'd1', key: 'k' }),
          makeTimer({ tenantId: T, id: 'c', recordId: 'd1', key: 'other' }),
        ]);
      });
      await isLocked;
      const second = storage.transaction(T, async (tx) => {
        const rec = await tx.getRecord('d1', { forUpdate: true }); // waits for the first
        const cancelled = await tx.cancelTimers('d1');
        await tx.updateRecord({ ...rec!, version: rec!.version + 1 }, rec!.version);
        return { version: rec!.version, cancelled };
      });
      await new Promise((r) => setTimeout(r, 50));
      release();
      await first;
      expect(await second).toEqual({ version: 2, cancelled: 2 });
      expect(await timerView(storage, 'd1')).toEqual([
        ['a', 'cancelled', 'replaced'], ['b', 'cancelled', 'cancelled'], ['c', 'cancelled', 'cancelled'],
      ]);
    });
  });
}
