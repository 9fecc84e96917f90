/**
 * Time and background loops (issue #15): worker and relay options are bounded with coded errors,
 * and on PostgreSQL two workers whose hosts' clocks disagree by an hour neither fire a timer
 * early nor take over a live lease, because due times and leases are compared with the
 * database's clock.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { createEngine, createManualClock, createMemoryStorage, createOutboxRelay, createWorker } from '../../packages/core/src/index.js';
import type { BlueprintInput } from '../../packages/core/src/index.js';
import type { PostgresStorage } from '../../packages/storage-postgres/src/index.js';
import { dropAndClose, freshSchema, openPostgres, postgresForTests } from '../support/postgres.js';
import { codeOf } from '../../packages/logic/test/support/error-code.js';

const deal: BlueprintInput = {
  id: 'deal', version: 1, recordType: 'deal', initialStage: 'open',
  stages: [{ id: 'open', deadline: { within: 'PT30M', onBreach: 'open.overdue' } }, { id: 'stale' }],
  transitions: [{ event: 'open.overdue', from: 'open', to: 'stale' }],
};


describe('worker and relay options are bounded', () => {
  const engine = createEngine({ storage: createMemoryStorage(), blueprints: [deal] });
  const storage = engine.storage;
  const handler = (): void => undefined;

  test.each([
    ['pollMs', 30 * 86_400_000, 'INPUT_LIMIT'],
    ['pollMs', 0, 'INPUT_INVALID'],
    ['pollMs', Number.NaN, 'INPUT_INVALID'],
    ['pollMs', '5' as unknown as number, 'INPUT_INVALID'],
    ['leaseMs', 10 * 86_400_000, 'INPUT_LIMIT'],
    ['leaseMs', Number.POSITIVE_INFINITY, 'INPUT_INVALID'],
    ['batchSize', 1e9, 'INPUT_LIMIT'],
    ['batchSize', 1.5, 'INPUT_INVALID'],
    ['concurrency', 1e6, 'INPUT_LIMIT'],
    ['workerId', 'w'.repeat(1_000), 'INPUT_LIMIT'],
    ['tenantId', '', 'INPUT_INVALID'],
  ] as const)('createWorker({ %s: %s }) is %s', (name, value, code) => {
    expect(codeOf(() => createWorker({ engine, [name]: value }))).toBe(code);
  });

  test('createOutboxRelay bounds pollMs and batchSize the same way', () => {
    expect(codeOf(() => createOutboxRelay({ storage, handler, pollMs: 2 ** 31 }))).toBe('INPUT_LIMIT');
    expect(codeOf(() => createOutboxRelay({ storage, handler, batchSize: 0 }))).toBe('INPUT_INVALID');
    expect(codeOf(() => createOutboxRelay({ storage, handler, pollMs: 3_600_000, batchSize: 10_000 }))).toBeUndefined();
  });
});

const { url: PG_URL, reachable } = await postgresForTests('test/security/workers.test.ts');
const opened: PostgresStorage[] = [];
afterAll(async () => {
  for (const s of opened) await dropAndClose(s).catch(() => undefined);
});

describe.skipIf(!reachable)('two workers with skewed clocks on PostgreSQL', () => {
  async function hosts() {
    const schema = await freshSchema(PG_URL, 'dealflow_skew');
    const make = (skewMs: number) => {
      const storage = openPostgres(PG_URL, schema, 'database');
      opened.push(storage);
      const clock = createManualClock(new Date(Date.now() + skewMs));
      return { engine: createEngine({ storage, clock, blueprints: [deal] }), clock, storage };
    };
    // a host whose clock is right, and one an hour fast
    return { right: make(0), fast: make(3_600_000) };
  }

  test('a worker an hour fast does not fire a timer that the database says is not due', async () => {
    const { right, fast } = await hosts();
    const { record } = await right.engine.create('deal', {});
    const fastWorker = createWorker({ engine: fast.engine, workerId: 'fast' });
    // by the fast host's clock the 30-minute deadline passed half an hour ago
    expect(new Date(fast.clock.now()).getTime()).toBeGreaterThan(Date.parse((await right.engine.timers(record.id))[0]!.dueAt));
    const tick = await fastWorker.tick();
    expect(tick.claimed).toBe(0);
    expect((await right.engine.get(record.id))!.stage).toBe('open');
    expect((await right.engine.timers(record.id))[0]).toMatchObject({ status: 'pending', attempts: 0 });
  });

  test('a live lease is not taken over by a worker an hour fast', async () => {
    const schema = await freshSchema(PG_URL, 'dealflow_lease');
    // the record was created on a host an hour slow, so its timer is due by the database's clock
    const slowStorage = openPostgres(PG_URL, schema, 'database');
    const fastStorage = openPostgres(PG_URL, schema, 'database');
    opened.push(slowStorage, fastStorage);
    const slow = createEngine({ storage: slowStorage, clock: createManualClock(new Date(Date.now() - 3_600_000)), blueprints: [deal] });
    const fast = createEngine({ storage: fastStorage, clock: createManualClock(new Date(Date.now() + 3_600_000)), blueprints: [deal] });
    const { record } = await slow.create('deal', {});
    // the slow host's worker claims it with a 60 s lease (and has not fired it yet)
    const claimed = await slowStorage.claimDueTimers({ now: slow.clock.now().toISOString(), limit: 10, leaseMs: 60_000, workerId: 'slow' });
    expect(claimed.map((t) => t.recordId)).toEqual([record.id]);
    // the lease ends a minute after the database's now, not a minute after the slow host's now
    expect(Date.parse(claimed[0]!.leaseUntil!)).toBeGreaterThan(Date.now() + 30_000);
    // by the fast host's clock that lease expired long ago; by the database's it is live
    const stolen = await fastStorage.claimDueTimers({ now: fast.clock.now().toISOString(), limit: 10, leaseMs: 60_000, workerId: 'fast' });
    expect(stolen).toEqual([]);
    const tick = await createWorker({ engine: fast, workerId: 'fast' }).tick();
    expect(tick.claimed).toBe(0);
    expect((await fast.timers(record.id))[0]).toMatchObject({ status: 'claimed', leaseOwner: 'slow', attempts: 1 });
  });

  test("with clock: 'caller' (manual clocks in tests) the caller's now decides, as before", async () => {
    const schema = await freshSchema(PG_URL, 'dealflow_caller');
    const storage = openPostgres(PG_URL, schema, 'caller');
    opened.push(storage);
    const clock = createManualClock('2026-01-05T09:00:00Z');
    const engine = createEngine({ storage, clock, blueprints: [deal] });
    const { record } = await engine.create('deal', {});
    clock.advance('PT31M');
    expect((await createWorker({ engine }).tick()).claimed).toBe(1);
    expect((await engine.get(record.id))!.stage).toBe('stale');
  });
});
