/**
 * 10 000 v1 records across every stage, migrated to a v2 that renames a stage, splits another and
 * shortens a deadline, under each deadline policy, on the memory store, SQLite and PostgreSQL:
 * the dry run's counts equal what migrateRecords then does, and no timer is lost or duplicated.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, createManualClock, createMemoryStorage, planMigration, previewMigration, migrateRecords, replay, DEADLINE_POLICIES } from '../packages/core/src/index.js';
import type { DeadlinePolicy, Storage, TimerRecord } from '../packages/core/src/index.js';
import { createSqliteStorage } from '../packages/storage-sqlite/src/index.js';
import type { PostgresStorage } from '../packages/storage-postgres/src/index.js';
import { dropAndClose, freshSchema, openPostgres, postgresForTests } from './support/postgres.js';
import { expectedDue, expectedReminders, expectedStage, seedV1, STAGE_MAP, v1, v2 } from './migration-fixture.js';
import type { Seeded } from './migration-fixture.js';

const N = Number(process.env.DEALFLOW_MIGRATION_N ?? 10_000);
const NOW = '2026-03-02T10:00:00.000Z';

async function checkMigration(storage: Storage, tenant: string, policy: DeadlinePolicy): Promise<void> {
  const clock = createManualClock(NOW);
  const from = v1();
  const to = v2();
  const engine = createEngine({ storage, blueprints: [from, to], clock, tenantId: tenant });
  const seeded = await seedV1(storage, tenant, N, NOW);
  const plan = planMigration(from, to, { stageMap: STAGE_MAP, deadlinePolicy: policy });

  // test-side expectation of where each record goes
  const lacks = (s: Seeded) => expectedStage(s) === 'negotiate_large' && s.budgetApproved === undefined;
  const expectedMoves = new Map<string, number>();
  for (const s of seeded) {
    if (lacks(s)) continue;
    const k = `${s.stage}->${expectedStage(s)}`;
    expectedMoves.set(k, (expectedMoves.get(k) ?? 0) + 1);
  }

  const preview = await previewMigration(engine, plan, { batchSize: 500 });
  const done = await migrateRecords(engine, plan, { batchSize: 500 });

  // the dry run said exactly what the migration then did
  expect(preview.dryRun).toBe(true);
  expect(done.dryRun).toBe(false);
  expect(done.examined).toBe(N);
  expect(done.moves).toEqual(preview.moves);
  expect(done.missingRequired).toEqual(preview.missingRequired);
  expect(done.deadlines).toEqual(preview.deadlines);
  expect(done.timers).toEqual(preview.timers);
  expect(done.migrated).toBe(preview.migrated);
  expect(Object.fromEntries(done.moves.map((m) => [`${m.from}->${m.to}`, m.count]))).toEqual(Object.fromEntries(expectedMoves));
  expect(done.missingRequired.map((m) => m.recordId).sort()).toEqual(seeded.filter(lacks).map((s) => s.id).sort());
  expect(done.missingRequired.every((m) => m.to === 'negotiate_large' && m.fields.join() === 'budgetApproved')).toBe(true);

  // records: pinned to v2 in their new stage, or left on v1 untouched
  const records = new Map((await storage.queryRecords(tenant, { blueprintId: 'deal' })).map((r) => [r.id, r]));
  expect(records.size).toBe(N);
  for (const s of seeded) {
    const r = records.get(s.id)!;
    if (lacks(s)) expect([r.blueprintVersion, r.stage, r.version]).toEqual([1, s.stage, 1]);
    else expect([r.blueprintVersion, r.stage, r.version, r.stageEnteredAt]).toEqual([2, expectedStage(s), 2, s.enteredAt]);
  }

  // timers: claim every pending timer of the tenant at once and compare with the expectation
  const all = await storage.claimDueTimers({ now: '2100-01-01T00:00:00.000Z', limit: 1_000_000, leaseMs: 60_000, workerId: 'check', tenantId: tenant });
  const byRecord = new Map<string, TimerRecord[]>();
  for (const t of all) byRecord.set(t.recordId, [...(byRecord.get(t.recordId) ?? []), t]);
  let expectedTotal = 0;
  for (const s of seeded) {
    const ts = byRecord.get(s.id) ?? [];
    const breach = ts.filter((t) => t.kind === 'breach');
    const reminders = ts.filter((t) => t.kind === 'reminder').map((t) => t.dueAt).sort();
    const esc = ts.filter((t) => t.kind === 'escalation');
    if (lacks(s)) {
      // untouched v1 timers
      expect(breach.map((t) => [t.stage, t.dueAt])).toEqual([[s.stage, new Date(s.dueAt!).toISOString()]]);
      expectedTotal += ts.length;
      continue;
    }
    const stage = expectedStage(s);
    const due = expectedDue(s, policy, NOW);
    if (due === undefined) {
      expect(breach).toEqual([]);
    } else {
      expect(breach.map((t) => [t.stage, t.dueAt, t.key])).toEqual([[stage, due, `deadline:${stage}`]]);
      expect(reminders).toEqual(expectedReminders(s, due, NOW).sort());
    }
    expect(esc.map((t) => t.stage)).toEqual(s.escalation ? [stage] : []);
    expectedTotal += (due === undefined ? 0 : 1 + expectedReminders(s, due, NOW).length) + (s.escalation ? 1 : 0);
  }
  expect(all.length).toBe(expectedTotal);

  // history names the versions and replays to the stored record (sample)
  for (const s of seeded.filter((x) => !lacks(x)).slice(0, 25)) {
    const history = await storage.listHistory(tenant, s.id);
    const last = history[history.length - 1]!;
    expect(last).toMatchObject({ kind: 'migrated', from: s.stage, to: expectedStage(s), data: { blueprintId: 'deal', fromVersion: 1, toVersion: 2, deadlinePolicy: policy } });
    expect(replay(history)).toEqual(records.get(s.id));
  }

  // running it again finds nothing left to move (the records lacking fields are re-examined)
  const again = await previewMigration(engine, plan, { batchSize: 1000 });
  expect(again.migrated).toBe(0);
  expect(again.examined).toBe(done.missingRequired.length);
}

function suite(name: string, open: () => Promise<Storage>, close: (s: Storage) => Promise<void>) {
  describe(`migrateRecords on ${name}: ${N} records per policy`, () => {
    // the four policies run side by side, each in its own tenant of one store
    it(`policies ${DEADLINE_POLICIES.join(', ')}: dry run equals migration, no timer lost or duplicated`, async () => {
      const storage = await open();
      try {
        const results = await Promise.allSettled(DEADLINE_POLICIES.map((policy) => checkMigration(storage, `t_${policy}`, policy)));
        results.forEach((r, i) => {
          if (r.status === 'rejected') throw new Error(`policy ${DEADLINE_POLICIES[i]} on ${name}: ${r.reason instanceof Error ? r.reason.stack ?? r.reason.message : String(r.reason)}`);
        });
      } finally {
        await close(storage);
      }
    }, 1_200_000);
  });
}

suite('memory', async () => createMemoryStorage(), async (s) => s.close());
suite('sqlite', async () => createSqliteStorage({ filename: ':memory:' }), async (s) => s.close());

// PostgreSQL: fails under CI when unreachable, else skips with a warning
const pg = await postgresForTests('test/migration-stores.test.ts');
if (pg.reachable) {
  suite(
    'postgres',
    async () => openPostgres(pg.url, await freshSchema(pg.url, 'dealflow_migr')),
    (s) => dropAndClose(s as PostgresStorage),
  );
}
