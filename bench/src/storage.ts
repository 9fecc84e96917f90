/**
 * Storage benchmark: Dealflow durable transitions beside hand-written SQL doing the same work, on
 * PostgreSQL (8 connections) and SQLite (WAL); then 2 deadline workers over 10 000 due timers among
 * 1 000 000 open records, and the engine's RSS at 10 k vs 1 M records.
 *
 * Run: pnpm --dir bench run storage   (measures the built packages; DEALFLOW_PG_URL overrides the database; BENCH_SCALE=0.1 for a quick run;
 *      BENCH_ONLY=postgres|sqlite|workers for one part)
 * The last line printed is one JSON object with the figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createEngine } from '@dealflow/core';
import { createPostgresStorage, migrate, type PostgresStorage } from '@dealflow/storage-postgres';
import { createSqliteStorage } from '@dealflow/storage-sqlite';
import { fireDue, pingPong, seedDueTimers } from './support/timers.js';

const PG_URL = process.env.DEALFLOW_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const LANES = 8;
const PG_TRANSITIONS = Math.round(3000 * SCALE);
const SQLITE_TRANSITIONS = Math.round(10000 * SCALE);
const BIG = Math.round(1_000_000 * SCALE);
const SMALL = Math.round(10_000 * SCALE);
const DUE = Math.round(10_000 * SCALE);

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const log = (s: string) => process.stderr.write(`${s}\n`);

async function lanes(n: number, total: number, fn: (lane: number, i: number) => Promise<void>): Promise<number> {
  const per = Math.ceil(total / n);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, async (_, lane) => {
    for (let i = 0; i < per; i++) await fn(lane, i);
  }));
  return (per * n) / ((performance.now() - t0) / 1000);
}

// ---------- PostgreSQL: engine vs hand-written SQL ----------
async function postgresTransitions(admin: pg.Pool): Promise<{ dealflow: number; hand: number }> {
  const schema = `bench_pg_${process.pid}`;
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await migrate({ pool: admin, schema });
  const storage = createPostgresStorage({ connectionString: PG_URL, schema, max: LANES });
  const engine = createEngine({ storage, blueprints: [pingPong] });
  const ids: string[] = [];
  for (let i = 0; i < LANES; i++) ids.push((await engine.create('item', { fields: { title: `r${i}` } })).record.id);

  // the hand-written loop: same tables shape, same work per transition
  await admin.query(`CREATE TABLE ${schema}.hand_records (id text PRIMARY KEY, stage text NOT NULL, version int NOT NULL, fields jsonb NOT NULL, updated_at timestamptz NOT NULL);
    CREATE TABLE ${schema}.hand_history (record_id text NOT NULL, seq int NOT NULL, id text NOT NULL UNIQUE, at timestamptz NOT NULL, kind text NOT NULL, from_stage text, to_stage text, data jsonb NOT NULL, PRIMARY KEY (record_id, seq));
    CREATE TABLE ${schema}.hand_timers (record_id text NOT NULL, key text NOT NULL, due_at timestamptz NOT NULL, status text NOT NULL, PRIMARY KEY (record_id, key));
    CREATE INDEX ON ${schema}.hand_timers (due_at) WHERE status = 'pending';
    CREATE TABLE ${schema}.hand_outbox (position bigserial PRIMARY KEY, id text NOT NULL, record_id text NOT NULL, type text NOT NULL, payload jsonb NOT NULL, created_at timestamptz NOT NULL);`);
  for (let i = 0; i < LANES; i++) await admin.query(`INSERT INTO ${schema}.hand_records VALUES ($1, 'a', 1, '{"title":"x"}', now())`, [`h${i}`]);
  const handPool = new pg.Pool({ connectionString: PG_URL, max: LANES });
  let seqId = 0;
  const handStep = async (lane: number) => {
    const c = await handPool.connect();
    try {
      await c.query('BEGIN');
      const { rows } = await c.query(`SELECT * FROM ${schema}.hand_records WHERE id = $1 FOR UPDATE`, [`h${lane}`]);
      const r = rows[0] as { stage: string; version: number };
      const to = r.stage === 'a' ? 'b' : 'a';
      const now = new Date();
      await c.query(`UPDATE ${schema}.hand_records SET stage = $2, version = $3, updated_at = $4 WHERE id = $1`, [`h${lane}`, to, r.version + 1, now]);
      await c.query(`INSERT INTO ${schema}.hand_history VALUES ($1, $2, $3, $4, 'transition', $5, $6, $7)`, [`h${lane}`, r.version + 1, `e${seqId++}`, now, r.stage, to, JSON.stringify({ event: 'flip' })]);
      await c.query(`INSERT INTO ${schema}.hand_timers VALUES ($1, 'deadline', $2, 'pending') ON CONFLICT (record_id, key) DO UPDATE SET due_at = excluded.due_at, status = 'pending'`, [`h${lane}`, new Date(now.getTime() + 3_600_000)]);
      await c.query(`INSERT INTO ${schema}.hand_outbox (id, record_id, type, payload, created_at) VALUES ($1, $2, 'transition', $3, $4)`, [`e${seqId - 1}`, `h${lane}`, JSON.stringify({ from: r.stage, to }), now]);
      await c.query('COMMIT');
    } finally {
      c.release();
    }
  };
  // warm up both, then alternate measured rounds so load changes hit both alike
  await lanes(LANES, LANES * 20, (lane) => handStep(lane));
  await lanes(LANES, LANES * 20, async (lane) => { await engine.send(ids[lane]!, 'flip'); });
  const hand: number[] = [];
  const dealflow: number[] = [];
  for (let round = 0; round < 2; round++) {
    hand.push(await lanes(LANES, PG_TRANSITIONS / 2, (lane) => handStep(lane)));
    dealflow.push(await lanes(LANES, PG_TRANSITIONS / 2, async (lane) => {
      const r = await engine.send(ids[lane]!, 'flip');
      if (!r.ok) throw new Error(`bench: flip rejected: ${r.rejection.reason}`);
    }));
  }
  await handPool.end();
  await storage.close();
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { dealflow: avg(dealflow), hand: avg(hand) };
}

// ---------- SQLite: engine vs hand-written better-sqlite3 ----------
async function sqliteTransitions(): Promise<{ dealflow: number; hand: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'dealflow-bench-'));
  try {
    const storage = createSqliteStorage({ filename: join(dir, 'dealflow.db') });
    const engine = createEngine({ storage, blueprints: [pingPong] });
    const ids: string[] = [];
    for (let i = 0; i < LANES; i++) ids.push((await engine.create('item', { fields: { title: `r${i}` } })).record.id);

    const db = new Database(join(dir, 'hand.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`CREATE TABLE records (id TEXT PRIMARY KEY, stage TEXT NOT NULL, version INTEGER NOT NULL, fields TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE history (record_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL UNIQUE, at TEXT NOT NULL, kind TEXT NOT NULL, from_stage TEXT, to_stage TEXT, data TEXT NOT NULL, PRIMARY KEY (record_id, seq));
      CREATE TABLE timers (record_id TEXT NOT NULL, key TEXT NOT NULL, due_at TEXT NOT NULL, status TEXT NOT NULL, PRIMARY KEY (record_id, key));
      CREATE INDEX timers_due ON timers (due_at) WHERE status = 'pending';
      CREATE TABLE outbox (position INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, record_id TEXT NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL, created_at TEXT NOT NULL);`);
    const ins = db.prepare(`INSERT INTO records VALUES (?, 'a', 1, '{"title":"x"}', ?)`);
    for (let i = 0; i < LANES; i++) ins.run(`h${i}`, new Date().toISOString());
    const sel = db.prepare('SELECT * FROM records WHERE id = ?');
    const upd = db.prepare('UPDATE records SET stage = ?, version = ?, updated_at = ? WHERE id = ?');
    const hist = db.prepare(`INSERT INTO history VALUES (?, ?, ?, ?, 'transition', ?, ?, ?)`);
    const timer = db.prepare(`INSERT INTO timers VALUES (?, 'deadline', ?, 'pending') ON CONFLICT (record_id, key) DO UPDATE SET due_at = excluded.due_at, status = 'pending'`);
    const outbox = db.prepare(`INSERT INTO outbox (id, record_id, type, payload, created_at) VALUES (?, ?, 'transition', ?, ?)`);
    let n = 0;
    const handStep = (lane: number) => {
      db.exec('BEGIN IMMEDIATE');
      try {
        const r = sel.get(`h${lane}`) as { stage: string; version: number };
        const to = r.stage === 'a' ? 'b' : 'a';
        const now = new Date();
        upd.run(to, r.version + 1, now.toISOString(), `h${lane}`);
        hist.run(`h${lane}`, r.version + 1, `e${n++}`, now.toISOString(), r.stage, to, JSON.stringify({ event: 'flip' }));
        timer.run(`h${lane}`, new Date(now.getTime() + 3_600_000).toISOString());
        outbox.run(`e${n - 1}`, `h${lane}`, JSON.stringify({ from: r.stage, to }), now.toISOString());
        db.exec('COMMIT');
      } catch (e) {
        db.exec('ROLLBACK');
        throw e;
      }
    };
    const handRate = async (total: number) => lanes(LANES, total, async (lane) => handStep(lane));
    const engineRate = async (total: number) => lanes(LANES, total, async (lane) => {
      const r = await engine.send(ids[lane]!, 'flip');
      if (!r.ok) throw new Error('flip rejected');
    });
    await handRate(LANES * 50);
    await engineRate(LANES * 50);
    const hand: number[] = [];
    const dealflow: number[] = [];
    for (let round = 0; round < 2; round++) {
      hand.push(await handRate(SQLITE_TRANSITIONS / 2));
      dealflow.push(await engineRate(SQLITE_TRANSITIONS / 2));
    }
    db.close();
    await storage.close();
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return { dealflow: avg(dealflow), hand: avg(hand) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------- workers over many open records ----------
async function workerRun(admin: pg.Pool, total: number, due: number): Promise<{ rate: number; seconds: number; rssMb: number; seedSeconds: number }> {
  const schema = `bench_w_${total}_${process.pid}`;
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await migrate({ pool: admin, schema });
  const t0 = performance.now();
  await seedDueTimers(admin, schema, total, due);
  const seedSeconds = (performance.now() - t0) / 1000;
  const storage = createPostgresStorage({ connectionString: PG_URL, schema, max: LANES });
  const r = await fireDue(createEngine({ storage, blueprints: [pingPong] }), due, 2, LANES / 2);
  (globalThis as { gc?: () => void }).gc?.();
  const rssMb = mb(process.memoryUsage().rss);
  const done = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.timers WHERE status = 'done' AND outcome = 'fired'`);
  if (done.rows[0].n !== due) throw new Error(`bench: expected ${due} fired timers, found ${done.rows[0].n}`);
  await storage.close();
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  return { ...r, rssMb, seedSeconds };
}

/** `BENCH_ONLY=postgres|sqlite|workers` runs one part (for profiling); the JSON line then has that part only. */
const ONLY = process.env.BENCH_ONLY;

async function main(): Promise<void> {
  if (ONLY !== undefined && !['postgres', 'sqlite', 'workers'].includes(ONLY)) throw new Error(`BENCH_ONLY must be postgres, sqlite or workers, got '${ONLY}'`);
  const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
  if (ONLY !== undefined) {
    const figures: Record<string, unknown> = { bench: 'storage', only: ONLY };
    if (ONLY === 'postgres') {
      const r = await postgresTransitions(admin);
      figures.postgres = { dealflow_per_s: round(r.dealflow), hand_sql_per_s: round(r.hand), ratio_vs_hand_sql: round(r.dealflow / r.hand, 3) };
    } else if (ONLY === 'sqlite') {
      const r = await sqliteTransitions();
      figures.sqlite = { dealflow_per_s: round(r.dealflow), hand_sql_per_s: round(r.hand), ratio_vs_hand_sql: round(r.dealflow / r.hand, 3) };
    } else {
      const small = await workerRun(admin, SMALL, DUE);
      const big = await workerRun(admin, BIG, DUE);
      figures.worker = { records: BIG, due: DUE, timers_per_s: round(big.rate), small_timers_per_s: round(small.rate) };
      figures.rss_growth_mb = round(big.rssMb - small.rssMb);
    }
    await admin.end();
    console.log(JSON.stringify(figures));
    return;
  }
  log(`PostgreSQL: ${LANES} lanes, ${PG_TRANSITIONS} transitions per side…`);
  const pgT = await postgresTransitions(admin);
  log(`SQLite: ${SQLITE_TRANSITIONS} transitions per side…`);
  const sq = await sqliteTransitions();
  log(`Workers: ${SMALL} records (${DUE} due)…`);
  const small = await workerRun(admin, SMALL, DUE);
  log(`Workers: ${BIG} records (${DUE} due), seeding with bulk inserts…`);
  const big = await workerRun(admin, BIG, DUE);
  await admin.end();

  const rows = [
    ['PostgreSQL transitions/s (8 conns)', round(pgT.dealflow), round(pgT.hand), round(pgT.dealflow / pgT.hand, 2), '≥ 0.8'],
    ['SQLite WAL transitions/s', round(sq.dealflow), round(sq.hand), round(sq.dealflow / sq.hand, 2), '≥ 0.7'],
    [`2 workers, ${DUE} due of ${BIG} records, timers/s`, round(big.rate), round(pgT.dealflow), round(big.rate / pgT.dealflow, 2), '≥ 0.7'],
    [`2 workers, ${DUE} due of ${SMALL} records, timers/s`, round(small.rate), round(pgT.dealflow), round(small.rate / pgT.dealflow, 2), ''],
  ];
  const header = ['measure', 'dealflow', 'baseline', 'ratio', 'goal'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: unknown[]) => cells.map((c, i) => String(c).padEnd(widths[i]!)).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r));
  console.log(`baselines: hand-written pg / better-sqlite3 loops (select for update, update record, insert history, upsert timer, insert outbox message); worker baseline = Dealflow PostgreSQL transitions/s above`);
  console.log(`engine RSS after firing: ${small.rssMb} MB at ${SMALL} records, ${big.rssMb} MB at ${BIG} records (growth ${round(big.rssMb - small.rssMb)} MB, goal < 50 MB); seeding ${BIG} records took ${round(big.seedSeconds)} s; firing ${DUE} took ${round(big.seconds, 2)} s`);
  console.log(JSON.stringify({
    bench: 'storage',
    postgres: { dealflow_per_s: round(pgT.dealflow), hand_sql_per_s: round(pgT.hand), ratio_vs_hand_sql: round(pgT.dealflow / pgT.hand, 3) },
    sqlite: { dealflow_per_s: round(sq.dealflow), hand_sql_per_s: round(sq.hand), ratio_vs_hand_sql: round(sq.dealflow / sq.hand, 3) },
    worker: { records: BIG, due: DUE, timers_per_s: round(big.rate), seconds: round(big.seconds, 2), ratio_vs_transitions: round(big.rate / pgT.dealflow, 3), small_timers_per_s: round(small.rate) },
    rss_mb: { small: small.rssMb, big: big.rssMb },
    rss_growth_mb: round(big.rssMb - small.rssMb),
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
