import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, createManualClock, isDealflowError } from '@dealflow/core';
import type { Engine, Storage, StorageTx } from '@dealflow/core';
import { createPostgresStorage, migrate, type PostgresStorage } from '../src/index.js';
import { ticketBlueprint } from '@dealflow/storage-testkit';
import { dropSchema, PG_URL, pgAvailable, uniqueSchema } from './pg-helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, '..');

/** Runs a TypeScript file in a child node process (node itself, so SIGKILL hits the worker, not a wrapper). */
function spawnTs(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', '--conditions=dealflow-source', join(here, script), ...args], {
    cwd: pkgDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

if (await pgAvailable('storage-postgres/test/reliability.test.ts')) {
  const admin = new pg.Pool({ connectionString: PG_URL, max: 4 });
  const schemas: string[] = [];
  const stores: PostgresStorage[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
    for (const schema of schemas) await dropSchema(admin, schema);
    await admin.end();
  });

  async function store(prefix: string, max = 8): Promise<PostgresStorage> {
    const schema = uniqueSchema(prefix);
    schemas.push(schema);
    await migrate({ pool: admin, schema });
    const s = createPostgresStorage({ connectionString: PG_URL, schema, max, clock: 'caller' }); // manual clocks drive time here
    stores.push(s);
    return s;
  }

  function engineOn(storage: Storage, tenantId = 'default'): Engine {
    return createEngine({ storage, blueprints: [ticketBlueprint()], tenantId });
  }

  describe('reliability on PostgreSQL', () => {
    it('16 concurrent senders on one record: every accepted event in history once, versions contiguous, no lost update', async () => {
      const storage = await store('rel_senders', 8);
      const engine = engineOn(storage);
      const { record } = await engine.create('ticket', { fields: { title: 'hot' } });
      const perSender = 8;
      const results = await Promise.all(
        Array.from({ length: 16 }, async () => {
          const out = [];
          for (let i = 0; i < perSender; i++) out.push(await engine.send(record.id, 'work'));
          return out;
        }),
      );
      const accepted = results.flat().filter((r) => r.ok);
      expect(accepted).toHaveLength(16 * perSender);
      const history = await engine.history(record.id);
      expect(history.map((e) => e.seq)).toEqual(Array.from({ length: history.length }, (_, i) => i + 1));
      const acceptedIds = accepted.flatMap((r) => (r.ok ? r.events.map((e) => e.id) : []));
      expect(new Set(acceptedIds).size).toBe(acceptedIds.length);
      const historyIds = history.slice(1).map((e) => e.id);
      expect([...historyIds].sort()).toEqual([...acceptedIds].sort());
      const final = await engine.get(record.id);
      expect(final?.version).toBe(1 + 16 * perSender);
      const versions = accepted.map((r) => (r.ok ? r.record.version : 0)).sort((a, b) => a - b);
      expect(versions).toEqual(Array.from({ length: 16 * perSender }, (_, i) => i + 2));
    });

    it('the same event delivered 5 times with one idempotency key: one effect, the same result', async () => {
      const storage = await store('rel_idem');
      const engine = engineOn(storage);
      const { record } = await engine.create('ticket', { fields: { title: 'once' } });
      const results = await Promise.all(
        Array.from({ length: 5 }, () => engine.send(record.id, 'work', { idempotencyKey: 'webhook-42' }).catch((e: unknown) => e)),
      );
      const ok = results.filter((r): r is Exclude<typeof r, unknown[]> & { ok: true } => (r as { ok?: boolean }).ok === true) as Array<{ ok: true; record: { version: number }; events: Array<{ id: string }> }>;
      // every delivery gets the one result (a concurrent first-timer may lose the key race and replay it)
      expect(ok).toHaveLength(5);
      expect(new Set(ok.map((r) => r.events[0]!.id)).size).toBe(1);
      expect(new Set(ok.map((r) => r.record.version))).toEqual(new Set([2]));
      const history = await engine.history(record.id);
      expect(history.filter((e) => e.event === 'work')).toHaveLength(1);
      expect((await engine.get(record.id))?.version).toBe(2);
      // and later deliveries replay it too
      const again = await engine.send(record.id, 'work', { idempotencyKey: 'webhook-42' });
      expect(again.ok && again.events[0]!.id).toBe(ok[0]!.events[0]!.id);
    });

    it('a store call failing mid-transaction leaves nothing partial', async () => {
      const base = await store('rel_fault');
      const engine0 = engineOn(base);
      const { record } = await engine0.create('ticket', { fields: { title: 'fault' } });
      const before = {
        record: await base.getRecord('default', record.id),
        history: await base.listHistory('default', record.id),
        timers: await engine0.timers(record.id),
        outbox: await base.readOutbox({ limit: 100 }),
      };
      // a store whose outbox write fails after the record, history and timers were written
      const faulty: Storage = {
        ...base,
        name: 'faulty-postgres',
        transaction: (tenantId, fn) =>
          base.transaction(tenantId, (tx) =>
            fn(new Proxy(tx, {
              get(target, prop, receiver) {
                if (prop === 'appendOutbox') return async () => { throw new Error('injected: outbox write failed'); };
                const v = Reflect.get(target, prop, receiver) as unknown;
                return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
              },
            }) as StorageTx),
          ),
        getRecord: (t, id) => base.getRecord(t, id),
        queryRecords: (t, q) => base.queryRecords(t, q),
        listHistory: (t, id, o) => base.listHistory(t, id, o),
        claimDueTimers: (o) => base.claimDueTimers(o),
        oldestDueAt: (o) => base.oldestDueAt(o),
        readOutbox: (o) => base.readOutbox(o),
        ackOutbox: (p, o) => base.ackOutbox(p, o),
        close: async () => undefined,
      };
      const engine = engineOn(faulty);
      await expect(engine.send(record.id, 'work')).rejects.toThrow(/injected/);
      await expect(engine.send(record.id, 'close')).rejects.toThrow(/injected/);
      expect(await base.getRecord('default', record.id)).toEqual(before.record);
      expect(await base.listHistory('default', record.id)).toEqual(before.history);
      expect(await engine0.timers(record.id)).toEqual(before.timers);
      expect(await base.readOutbox({ limit: 100 })).toEqual(before.outbox);
      // the connection went back clean: the next good call works
      expect((await engine0.send(record.id, 'work')).ok).toBe(true);
    });

    it('tenant A cannot read, query, claim or transition tenant B\'s records through any API', async () => {
      const storage = await store('rel_tenants');
      const clock = createManualClock('2026-01-05T09:00:00.000Z');
      const a = createEngine({ storage, blueprints: [ticketBlueprint()], tenantId: 'tenant-a', clock });
      const b = createEngine({ storage, blueprints: [ticketBlueprint()], tenantId: 'tenant-b', clock });
      const { record } = await b.create('ticket', { fields: { title: 'secret' } });
      expect(await a.get(record.id)).toBeNull();
      expect(await a.query({})).toEqual([]);
      expect(await a.history(record.id)).toEqual([]);
      expect(await a.timers(record.id)).toEqual([]);
      expect(await a.getAt(record.id, '2027-01-01T00:00:00.000Z')).toBeNull();
      const sent = await a.send(record.id, 'work').catch((e: unknown) => e);
      expect(isDealflowError(sent, 'NOT_FOUND')).toBe(true);
      clock.advance('PT2H');
      expect(await storage.claimDueTimers({ now: clock.now().toISOString(), limit: 10, leaseMs: 1000, workerId: 'wa', tenantId: 'tenant-a' })).toEqual([]);
      expect(await a.runDue()).toEqual({ fired: 0, noop: 0, rejected: 0, leaseLost: 0 });
      expect(await storage.readOutbox({ limit: 10, tenantId: 'tenant-a' })).toEqual([]);
      expect((await b.get(record.id))?.stage).toBe('open');
      expect(await b.runDue()).toMatchObject({ fired: 1 });
      expect((await b.get(record.id))?.stage).toBe('escalated');
    });

    it('migrations run twice and concurrently from two processes: one schema, no error', async () => {
      const schema = uniqueSchema('rel_migrate');
      schemas.push(schema);
      const children = [spawnTs('migrate-child.ts', [PG_URL, schema]), spawnTs('migrate-child.ts', [PG_URL, schema])];
      const outputs = children.map((c) => {
        let out = '';
        c.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
        c.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
        return () => out;
      });
      const codes = await Promise.all(children.map(exited));
      expect(codes, outputs.map((o) => o()).join('\n')).toEqual([0, 0]);
      const results = outputs.map((o) => JSON.parse(o().trim()) as { applied: number[]; version: number });
      // exactly one of them applied the migrations, the other found them done
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, results.find((r) => r.applied.length > 0)!.applied.length]);
      expect(results.every((r) => r.version >= 1)).toBe(true);
      const again = await migrate({ pool: admin, schema });
      expect(again.applied).toEqual([]);
      const rows = await admin.query('SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1 AND tablename = $2', [schema, 'records']);
      expect(rows.rows[0].n).toBe(1);
      const versions = await admin.query(`SELECT version FROM "${schema}".dealflow_migrations ORDER BY version`);
      expect(versions.rows.map((r) => r.version)).toEqual(again.version === 1 ? [1] : versions.rows.map((r) => r.version));
      expect(new Set(versions.rows.map((r) => r.version)).size).toBe(versions.rows.length);
    });

    it('3 worker processes over 10 000 due timers, one SIGKILLed mid-batch: every timer fired exactly once', async () => {
      const storage = await store('rel_workers', 4);
      const engine = engineOn(storage);
      const schema = storage.schema;
      const q = `"${schema}"`;
      // one real record made by the engine, cloned 9 999 times in SQL (bulk seeding), all due an hour ago
      const { record } = await engine.create('ticket', { fields: { title: 'seed' } });
      const total = 10_000;
      await admin.query(`INSERT INTO ${q}.records (tenant_id, id, type, blueprint_id, blueprint_version, stage, version, fields, owner_id, team_id, meta, stage_entered_at, created_at, updated_at)
        SELECT tenant_id, id || '-' || g, type, blueprint_id, blueprint_version, stage, version, fields, owner_id, team_id, meta, stage_entered_at, created_at, updated_at
        FROM ${q}.records, generate_series(2, $1) AS g WHERE id = $2`, [total, record.id]);
      await admin.query(`INSERT INTO ${q}.history (tenant_id, record_id, seq, id, at, kind, event, from_stage, to_stage, actor_id, data)
        SELECT tenant_id, record_id || '-' || g, seq, id || '-' || g, at, kind, event, from_stage, to_stage, actor_id, data
        FROM ${q}.history, generate_series(2, $1) AS g WHERE record_id = $2`, [total, record.id]);
      await admin.query(`INSERT INTO ${q}.timers (tenant_id, id, record_id, kind, key, due_at, event, payload, stage, record_version, status, attempts, created_at)
        SELECT tenant_id, id || '-' || g, record_id || '-' || g, kind, key, now() - interval '1 hour', event, payload, stage, record_version, status, attempts, created_at
        FROM ${q}.timers, generate_series(2, $1) AS g WHERE record_id = $2`, [total, record.id]);
      await admin.query(`UPDATE ${q}.timers SET due_at = now() - interval '1 hour' WHERE record_id = $1`, [record.id]);
      expect((await admin.query(`SELECT count(*)::int AS n FROM ${q}.timers WHERE status = 'pending'`)).rows[0].n).toBe(total);

      const children = ['w1', 'w2', 'w3'].map((id) => spawnTs('worker-child.ts', [PG_URL, schema, id]));
      const fired = new Map<string, number>();
      const logs: string[] = [];
      children.forEach((c, i) => {
        c.stdout?.on('data', (d: Buffer) => {
          for (const line of d.toString().split('\n').filter(Boolean)) {
            try {
              const s = JSON.parse(line) as { workerId: string; fired: number };
              fired.set(s.workerId, s.fired);
            } catch {
              logs.push(line);
            }
          }
        });
        c.stderr?.on('data', (d: Buffer) => logs.push(`w${i + 1}! ${d.toString()}`));
      });
      const killed = children[0]!;
      // about 20 s on an idle 2-core machine; the budget is generous for a loaded CI box
      const deadline = Date.now() + 150_000;
      // kill w1 with SIGKILL once it is busy firing (mid-batch: it holds claimed timers)
      const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
      while ((fired.get('w1') ?? 0) < 200 && Date.now() < deadline) await pause(20);
      expect(fired.get('w1') ?? 0, logs.join('\n')).toBeGreaterThanOrEqual(200);
      // and at a moment it holds leases (between two batches it holds none, and the kill would prove nothing):
      // freeze it (SIGSTOP), let statements it already sent finish, and kill it only if it still holds
      // leases; otherwise let it go on (SIGCONT) and try again. A poll followed by a plain kill could
      // land just after its batch committed.
      const holding = async () => (await admin.query(`SELECT count(*)::int AS n FROM ${q}.timers WHERE status = 'claimed' AND lease_owner = 'w1'`)).rows[0].n as number;
      let claimedByDead = 0;
      while (Date.now() < deadline) {
        if ((await holding()) === 0) { await pause(5); continue; }
        killed.kill('SIGSTOP');
        await pause(150);
        claimedByDead = await holding();
        if (claimedByDead > 0) break;
        killed.kill('SIGCONT');
        await pause(20);
      }
      killed.kill('SIGKILL');
      await exited(killed);
      // the others finish everything, including w1's timers once its leases expire
      let open = total;
      while (Date.now() < deadline) {
        open = (await admin.query(`SELECT count(*)::int AS n FROM ${q}.timers WHERE status <> 'done'`)).rows[0].n as number;
        if (open === 0) break;
        await pause(200);
      }
      for (const c of children.slice(1)) c.kill('SIGTERM');
      await Promise.all(children.slice(1).map(exited));
      expect(open, logs.join('\n')).toBe(0);

      // effects: one breach transition per record, none missed, none twice
      const effects = await admin.query(`SELECT record_id, count(*)::int AS n FROM ${q}.history WHERE event = 'breach' GROUP BY record_id`);
      expect(effects.rows.length).toBe(total);
      expect(effects.rows.every((r) => r.n === 1)).toBe(true);
      const stages = await admin.query(`SELECT stage, count(*)::int AS n FROM ${q}.records GROUP BY stage`);
      expect(stages.rows).toEqual([{ stage: 'escalated', n: total }]);
      const outcomes = await admin.query(`SELECT outcome, count(*)::int AS n FROM ${q}.timers GROUP BY outcome`);
      expect(outcomes.rows).toEqual([{ outcome: 'fired', n: total }]);
      // w1 died holding leases (the test is meaningful only then), and its timers were re-claimed
      const reclaimed = (await admin.query(`SELECT count(*)::int AS n FROM ${q}.timers WHERE attempts > 1`)).rows[0].n as number;
      expect(claimedByDead).toBeGreaterThan(0);
      expect(reclaimed).toBeGreaterThanOrEqual(claimedByDead);
      expect(fired.get('w2')! + fired.get('w3')!).toBeGreaterThan(0);
    }, 200_000);
  });
}
