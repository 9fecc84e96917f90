/**
 * Agenda benchmark: `engine.agenda` for one rep in a PostgreSQL store of 1 000 000 records and
 * 200 000 open tasks (plus finished tasks, agenda dates and 100 000 pending deadlines), beside a
 * hand-written SQL version of the same three queries on the same indexes (tasks_by_owner, and
 * records_by_owner with each record's active timers), measured in alternating rounds of one run.
 *
 * Run: pnpm --dir bench run agenda   (measures the built packages; DEALFLOW_PG_URL overrides the database;
 *      BENCH_SCALE=0.05 for a quick run)
 * The last line printed is one JSON object with the figures.
 */
import pg from 'pg';
import { createEngine, type BlueprintInput } from '@dealflow/core';
import { createPostgresStorage, migrate } from '@dealflow/storage-postgres';

const PG_URL = process.env.DEALFLOW_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const RECORDS = Math.round(1_000_000 * SCALE);
const OPEN_TASKS = Math.round(200_000 * SCALE);
const DONE_TASKS = Math.round(100_000 * SCALE);
const DATES = Math.round(50_000 * SCALE);
const DEADLINES = Math.round(100_000 * SCALE);
const REPS = Math.max(10, Math.round(1000 * SCALE));
const CALLS = 300;
const DAY = '2026-03-05';
const TENANT = 'default';

const deal: BlueprintInput = {
  id: 'deal', version: 1, recordType: 'deal', initialStage: 'open',
  fields: { name: { type: 'text' }, nextContact: { type: 'date', agenda: 'Next contact' } },
  stages: [{ id: 'open', deadline: { within: 'P10D', onBreach: 'late' } }, { id: 'won', kind: 'won' }],
  transitions: [{ event: 'late', from: 'open', to: 'open' }, { event: 'win', from: 'open', to: 'won' }],
};

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const log = (s: string) => process.stderr.write(`${s}\n`);
const iso = (v: unknown) => (v instanceof Date ? v : new Date(String(v))).toISOString();

/** Bulk-loads the store's tables with generate_series (the engine's write path is measured by bench/storage). */
async function seed(admin: pg.Pool, schema: string): Promise<void> {
  const t0 = performance.now();
  const q = (sql: string) => admin.query(sql);
  await q(`INSERT INTO ${schema}.records (tenant_id, id, type, blueprint_id, blueprint_version, stage, version, fields, owner_id, team_id, meta, stage_entered_at, created_at, updated_at)
    SELECT '${TENANT}', 'd' || i, 'deal', 'deal', 1, 'open', 1, jsonb_build_object('name', 'Deal ' || i), 'rep' || (i % ${REPS}), 'team' || (i % ${REPS} / 10), '{}'::jsonb,
      timestamptz '2026-02-01' + (i % 1000) * interval '1 minute', timestamptz '2026-02-01', timestamptz '2026-02-01'
    FROM generate_series(0, ${RECORDS - 1}) AS i`);
  // open tasks due from 30 days before to 30 days after the day, finished ones, agenda dates
  await q(`INSERT INTO ${schema}.tasks (tenant_id, record_id, id, record_type, kind, title, owner_id, team_id, status, due_at)
    SELECT '${TENANT}', 'd' || (i * 7 % ${RECORDS}), 't' || i, 'deal', 'task', 'Call back', 'rep' || (i * 7 % ${RECORDS} % ${REPS}), 'team' || (i * 7 % ${RECORDS} % ${REPS} / 10),
      CASE WHEN i < ${OPEN_TASKS} THEN 'open' ELSE 'done' END, timestamptz '${DAY}T12:00:00Z' + ((i * 37 % 1440) - 720) * interval '1 hour'
    FROM generate_series(0, ${OPEN_TASKS + DONE_TASKS - 1}) AS i`);
  await q(`INSERT INTO ${schema}.tasks (tenant_id, record_id, id, record_type, kind, title, owner_id, team_id, status, due_at)
    SELECT '${TENANT}', 'd' || (i * 13 % ${RECORDS}), 'field:nextContact', 'deal', 'date', 'Next contact', 'rep' || (i * 13 % ${RECORDS} % ${REPS}), 'team' || (i * 13 % ${RECORDS} % ${REPS} / 10),
      'open', timestamptz '${DAY}T12:00:00Z' + ((i % 61) - 30) * interval '1 day'
    FROM generate_series(0, ${DATES - 1}) AS i ON CONFLICT DO NOTHING`);
  await q(`INSERT INTO ${schema}.timers (tenant_id, id, record_id, kind, key, due_at, event, payload, stage, record_version, status, attempts, created_at)
    SELECT '${TENANT}', 'd' || (i * 11 % ${RECORDS}) || ':1:breach', 'd' || (i * 11 % ${RECORDS}), 'breach', 'deadline:open',
      timestamptz '${DAY}T00:00:00Z' + ((i * 53 % 720) - 360) * interval '1 hour', 'late', '{}'::jsonb, 'open', 1, 'pending', 0, timestamptz '2026-02-01'
    FROM generate_series(0, ${DEADLINES - 1}) AS i ON CONFLICT DO NOTHING`);
  await q(`ANALYZE ${schema}.records; ANALYZE ${schema}.tasks; ANALYZE ${schema}.timers`);
  log(`seeded ${RECORDS} records, ${OPEN_TASKS} open + ${DONE_TASKS} done tasks, ${DATES} agenda dates, ${DEADLINES} deadlines in ${round((performance.now() - t0) / 1000)} s`);
}

/** The same three queries written by hand: tasks by owner (open, due before the day's end), dates on the day, deadlines on the day. */
function handAgenda(pool: pg.Pool, schema: string) {
  const tasks = `SELECT * FROM ${schema}.tasks WHERE tenant_id = $1 AND owner_id = $2 AND status = 'open' AND kind = 'task' AND due_at < $3
    ORDER BY due_at IS NULL, due_at, record_id, id LIMIT 5000`;
  const dates = `SELECT * FROM ${schema}.tasks WHERE tenant_id = $1 AND owner_id = $2 AND status = 'open' AND kind = 'date' AND due_at >= $3 AND due_at < $4
    ORDER BY due_at IS NULL, due_at, record_id, id LIMIT 5000`;
  const deadlines = `SELECT r.id, r.type, r.stage, r.owner_id, r.team_id, t.due_at, t.id AS timer_id FROM ${schema}.records r
    CROSS JOIN LATERAL (SELECT t.id, t.due_at FROM ${schema}.timers t WHERE t.tenant_id = r.tenant_id AND t.record_id = r.id COLLATE "default" AND t.kind = 'breach'
      AND t.status IN ('pending', 'claimed') AND t.due_at < $4 AND t.due_at >= $3 OFFSET 0) t
    WHERE r.tenant_id = $1 AND r.owner_id = $2 ORDER BY t.due_at, r.id LIMIT 5000`;
  const task = (r: Record<string, unknown>) => ({
    tenantId: r.tenant_id, id: r.id, recordId: r.record_id, recordType: r.record_type, kind: r.kind, title: r.title,
    ownerId: r.owner_id, teamId: r.team_id, status: r.status, dueAt: r.due_at === null ? null : iso(r.due_at),
  });
  return async (rep: string, start: string, end: string) => {
    const [t, d, dl] = await Promise.all([
      pool.query({ name: 'hand_tasks', text: tasks, values: [TENANT, rep, end] }),
      pool.query({ name: 'hand_dates', text: dates, values: [TENANT, rep, start, end] }),
      pool.query({ name: 'hand_deadlines', text: deadlines, values: [TENANT, rep, start, end] }),
    ]);
    const all = t.rows.map(task);
    return {
      overdue: all.filter((x) => x.dueAt! < start),
      dueToday: all.filter((x) => x.dueAt! >= start),
      dates: d.rows.map(task),
      deadlines: dl.rows.map((r) => ({ recordId: r.id, recordType: r.type, stage: r.stage, ownerId: r.owner_id, teamId: r.team_id, dueAt: iso(r.due_at), timerId: r.timer_id })),
    };
  };
}

async function main(): Promise<void> {
  const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
  const schema = `bench_agenda_${process.pid}`;
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await migrate({ pool: admin, schema });
  try {
    await seed(admin, schema);
    const storage = createPostgresStorage({ connectionString: PG_URL, schema, max: 4 });
    const engine = createEngine({ storage, blueprints: [deal] });
    const handPool = new pg.Pool({ connectionString: PG_URL, max: 4 });
    const hand = handAgenda(handPool, schema);
    const start = `${DAY}T00:00:00.000Z`;
    const end = '2026-03-06T00:00:00.000Z';
    const reps = Array.from({ length: 20 }, (_, i) => `rep${(i * 37) % REPS}`);

    // same answers first (the baseline does the same work)
    const a = await engine.agenda('rep7', DAY);
    const b = await hand('rep7', start, end);
    const same = JSON.stringify([a.overdue, a.dueToday, a.dates, a.deadlines]) === JSON.stringify([b.overdue, b.dueToday, b.dates, b.deadlines]);
    if (!same) throw new Error('engine.agenda and the hand-written queries disagree');
    log(`rep7 on ${DAY}: ${a.overdue.length} overdue, ${a.dueToday.length} due today, ${a.dates.length} agenda dates, ${a.deadlines.length} deadlines`);

    const timeIt = async (fn: (rep: string) => Promise<unknown>) => {
      const t0 = performance.now();
      for (let i = 0; i < CALLS; i++) await fn(reps[i % reps.length]!);
      return performance.now() - t0;
    };
    const viaEngine = (rep: string) => engine.agenda(rep, DAY);
    const viaHand = (rep: string) => hand(rep, start, end);
    await timeIt(viaEngine);
    await timeIt(viaHand);
    let engineMs = 0;
    let handMs = 0;
    for (let r = 0; r < 4; r++) {
      // alternate the order so load changes hit both alike
      if (r % 2 === 0) { engineMs += await timeIt(viaEngine); handMs += await timeIt(viaHand); }
      else { handMs += await timeIt(viaHand); engineMs += await timeIt(viaEngine); }
    }
    const perS = (ms: number) => (4 * CALLS) / (ms / 1000);
    const ratio = perS(engineMs) / perS(handMs);

    const plan = await admin.query(`EXPLAIN (FORMAT JSON) SELECT * FROM ${schema}.tasks WHERE tenant_id = 'default' AND owner_id = 'rep7' AND status = 'open' AND kind = 'task' AND due_at < '${end}'`);
    const usesIndex = JSON.stringify(plan.rows[0]).includes('tasks_by_owner');
    // (packages/storage-postgres/test/agenda-explain.test.ts checks the plans of the store's own statements)
    console.log(`engine.agenda: ${round(perS(engineMs))}/s, hand-written SQL: ${round(perS(handMs))}/s, ratio ${round(ratio, 2)} (goal ≥ 0.8); ${RECORDS} records, ${OPEN_TASKS} open tasks; tasks query uses tasks_by_owner: ${usesIndex}`);
    await storage.close();
    await handPool.end();
    console.log(JSON.stringify({
      bench: 'agenda', records: RECORDS, open_tasks: OPEN_TASKS, calls: 4 * CALLS,
      dealflow_per_s: round(perS(engineMs)), hand_sql_per_s: round(perS(handMs)), ratio_vs_hand_sql: round(ratio, 3), tasks_index_used: usesIndex,
    }));
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
