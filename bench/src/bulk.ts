/**
 * Bulk benchmark. In one run, on the same machine and the same source file:
 *  - `importRecords` of N leads (CSV, mapping with types, owners by e-mail, dates in a zone) beside a
 *    hand-written batched loader that parses the same file and writes the same rows (record,
 *    `created` history event, deadline timer, outbox message) into the same Dealflow tables in
 *    1 000-row transactions (`unnest` on PostgreSQL on 4 connections, as many as the windows the
 *    import commits at once by default; prepared statements on SQLite), each into empty tables;
 *  - the single-call create rate (`engine.create`, 8 concurrent callers on PostgreSQL);
 *  - deadline workers firing due timers: 2 workers firing 50 timers per store transaction beside
 *    2 workers firing one timer per transaction (the single path, the baseline), each on a fresh seed;
 *  - RSS while exporting every imported record (keyset pages of the default size, as a user's
 *    export reads them) to a sink that discards.
 *
 * Run: pnpm --dir bench run bulk   (BENCH_SCALE=1 is the 1 000 000 leads; 0.02 = 20 000;
 *      DEALFLOW_PG_URL overrides the database; BENCH_PARTS=import,worker picks parts, default all).
 *      The last line printed is one JSON object.
 */
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import pg from 'pg';
import { parse } from 'csv-parse';
import { DateTime } from 'luxon';
import { createEngine, type BlueprintInput, type Engine, type Storage } from '@dealflow/core';
import { DEFAULT_IMPORT_CONCURRENCY, exportRecords, importRecords, type MappingInput } from '@dealflow/bulk';
import { createPostgresStorage, migrate } from '@dealflow/storage-postgres';
import { createSqliteStorage } from '@dealflow/storage-sqlite';
import { fireDue, pingPong, seedDueTimers } from './support/timers.js';

const PG_URL = process.env.DEALFLOW_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const LEADS = Math.max(1000, Math.round(1_000_000 * SCALE));
const SINGLE = Math.max(500, Math.round(LEADS / 20));
const WORKER_RECORDS = Math.max(1000, Math.round(1_000_000 * SCALE));
const WORKER_DUE = Math.max(500, Math.round(100_000 * SCALE));
const BATCH = 1000;
const ZONE = 'Europe/Berlin';
const PARTS = new Set((process.env.BENCH_PARTS ?? 'import,worker').split(','));
/** Connections of the hand loader: as many as windows `importRecords` commits at once by default. */
const LANES = DEFAULT_IMPORT_CONCURRENCY;
/** Timers per store transaction of the batched workers. */
const PER_TX = 50;

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const log = (s: string) => process.stderr.write(`${s}\n`);

const lead: BlueprintInput = {
  id: 'lead',
  version: 1,
  recordType: 'lead',
  initialStage: 'new',
  fields: { name: { type: 'string', required: true }, email: { type: 'string' }, amount: { type: 'money', currency: 'EUR' } },
  stages: [
    { id: 'new', kind: 'open', deadline: { within: 'P2D', onBreach: 'stale' } },
    { id: 'working', kind: 'open' },
    { id: 'lost', kind: 'lost' },
  ],
  transitions: [
    { event: 'work', from: 'new', to: 'working' },
    { event: 'stale', from: 'new', to: 'lost' },
  ],
};

/** The payload of the lead's deadline timer, as the engine stores it. */
const TIMER_PAYLOAD = JSON.stringify({ within: 'P2D', businessTime: null });
const OWNERS: Record<string, string> = { 'ann@example.com': 'ann', 'bob@example.com': 'bob', 'cy@example.com': 'cy' };
const mapping: MappingInput = {
  blueprint: 'lead',
  timeZone: ZONE,
  fields: { name: 'name', email: 'email', amount: { column: 'amount', type: 'number' } },
  owner: { column: 'owner', by: 'email' },
  owners: OWNERS,
  createdAt: 'created',
};

function writeSource(file: string, n: number): void {
  const out: string[] = ['name,email,amount,owner,created'];
  const owners = Object.keys(OWNERS);
  for (let i = 0; i < n; i++) {
    out.push(`Lead ${i},lead${i}@mail.example,${1000 + (i % 5000)},${owners[i % 3]},2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')} 09:30`);
    if (out.length >= 100_000) {
      writeFileSync(file, `${out.join('\n')}\n`, { flag: i < 100_000 ? 'w' : 'a' });
      out.length = 0;
    }
  }
  writeFileSync(file, `${out.join('\n')}\n`, { flag: n < 100_000 ? 'w' : 'a' });
}

/** The rows a lead becomes, as the hand loader writes them (the same values the engine writes). */
interface LeadRows {
  id: string; owner: string; created: string; fields: string; meta: string; dueAt: string;
  historyData: string; outboxPayload: string;
}

/** The hand loader's own reading of a row: the same conversions the mapping asks of the importer. */
function handRow(row: Record<string, string>, i: number): LeadRows {
  const created = DateTime.fromSQL(row.created!, { zone: ZONE }).toUTC().toISO()!;
  const owner = OWNERS[row.owner!.toLowerCase()]!;
  const id = `hand-L${i + 2}`;
  const fields = JSON.stringify({ name: row.name, email: row.email, amount: Number(row.amount) });
  // the meta, snapshot, timer payload and outbox payload the engine writes for a new lead (same bytes, same work)
  const meta = JSON.stringify({ stageTimes: { new: { firstEnteredAt: created, enteredAt: created, exitedAt: null, latestMs: null, cumulativeMs: 0, visits: 1 } } });
  const dueAt = DateTime.fromISO(created).plus({ days: 2 }).toUTC().toISO()!;
  const historyData = JSON.stringify({ record: { id, type: 'lead', blueprintId: 'lead', blueprintVersion: 1, stage: 'new', fields: JSON.parse(fields), ownerId: owner, teamId: null, meta: JSON.parse(meta), stageEnteredAt: created, createdAt: created } });
  const outboxPayload = JSON.stringify({ recordId: id, type: 'lead', blueprintId: 'lead', stage: 'new', actorId: 'import', version: 1 });
  return { id, owner, created, fields, meta, dueAt, historyData, outboxPayload };
}

async function* batches(file: string): AsyncGenerator<LeadRows[]> {
  let batch: LeadRows[] = [];
  let i = 0;
  for await (const row of createReadStream(file).pipe(parse({ columns: true }))) {
    batch.push(handRow(row as Record<string, string>, i++));
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** The hand loader on `lanes` connections, each taking the next 1 000 leads when its last commit is in. */
async function handPostgres(pool: pg.Pool, schema: string, file: string, lanes: number): Promise<number> {
  const source = batches(file);
  let reading: Promise<unknown> = Promise.resolve();
  /** The next batch of the shared source (reads one after another). */
  const next = () => {
    const batch = reading.then(() => source.next());
    reading = batch;
    return batch;
  };
  const t0 = performance.now();
  let n = 0;
  await Promise.all(Array.from({ length: lanes }, async () => {
    const c = await pool.connect();
    try {
      for (let r = await next(); !r.done; r = await next()) {
        const written = await handBatch(c, schema, r.value);
        n += written; // (not `n += await …`, which reads n before the await and loses the other lanes' rows)
      }
    } finally {
      c.release();
    }
  }));
  return n / ((performance.now() - t0) / 1000);
}

/** One hand-loaded batch: the four tables in one transaction. */
async function handBatch(c: pg.PoolClient, schema: string, b: LeadRows[]): Promise<number> {
  const q = `"${schema}"`;
  const col = <K extends keyof LeadRows>(k: K) => b.map((r) => r[k]);
  await c.query('BEGIN');
  await c.query(`INSERT INTO ${q}.records (tenant_id, id, type, blueprint_id, blueprint_version, stage, version, fields, owner_id, team_id, meta, stage_entered_at, created_at, updated_at)
    SELECT 'default', x.id, 'lead', 'lead', 1, 'new', 1, x.f::jsonb, x.o, NULL, x.m::jsonb, x.c, x.c, x.c
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS x(id, f, o, m, c)`, [col('id'), col('fields'), col('owner'), col('meta'), col('created')]);
  await c.query(`INSERT INTO ${q}.history (tenant_id, record_id, seq, id, at, kind, to_stage, actor_id, data)
    SELECT 'default', x.id, 1, 'evt-' || x.id, x.c, 'created', 'new', 'import', x.d::jsonb FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS x(id, c, d)`, [col('id'), col('created'), col('historyData')]);
  await c.query(`INSERT INTO ${q}.timers (tenant_id, id, record_id, kind, key, due_at, event, payload, stage, record_version, status, attempts, created_at)
    SELECT 'default', x.id || ':1:breach', x.id, 'breach', 'deadline:new', x.due, 'stale', '${TIMER_PAYLOAD}'::jsonb, 'new', 1, 'pending', 0, x.c
    FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS x(id, due, c)`, [col('id'), col('dueAt'), col('created')]);
  await c.query(`INSERT INTO ${q}.outbox (tenant_id, id, record_id, type, payload, created_at)
    SELECT 'default', 'evt-' || x.id, x.id, 'dealflow.created', x.p::jsonb, x.c FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS x(id, p, c)`, [col('id'), col('outboxPayload'), col('created')]);
  await c.query('COMMIT');
  return b.length;
}

async function handSqlite(filename: string, file: string): Promise<number> {
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const rec = db.prepare(`INSERT INTO records (tenant_id, id, type, blueprint_id, blueprint_version, stage, version, fields, owner_id, team_id, meta, stage_entered_at, created_at, updated_at)
    VALUES ('default', ?, 'lead', 'lead', 1, 'new', 1, ?, ?, NULL, ?, ?, ?, ?)`);
  const hist = db.prepare(`INSERT INTO history (tenant_id, record_id, seq, id, at, kind, to_stage, actor_id, data) VALUES ('default', ?, 1, ?, ?, 'created', 'new', 'import', ?)`);
  const timer = db.prepare(`INSERT INTO timers (tenant_id, id, record_id, kind, key, due_at, event, payload, stage, record_version, status, attempts, created_at)
    VALUES ('default', ?, ?, 'breach', 'deadline:new', ?, 'stale', '${TIMER_PAYLOAD}', 'new', 1, 'pending', 0, ?)`);
  const out = db.prepare(`INSERT INTO outbox (position, tenant_id, id, record_id, type, payload, created_at)
    VALUES ((SELECT max(COALESCE((SELECT max(position) FROM outbox), 0), position) + 1 FROM outbox_floor), 'default', ?, ?, 'dealflow.created', ?, ?)`);
  const write = db.transaction((b: LeadRows[]) => {
    for (const r of b) {
      rec.run(r.id, r.fields, r.owner, r.meta, r.created, r.created, r.created);
      hist.run(r.id, `evt-${r.id}`, r.created, r.historyData);
      timer.run(`${r.id}:1:breach`, r.id, r.dueAt, r.created);
      out.run(`evt-${r.id}`, r.id, r.outboxPayload, r.created);
    }
  });
  const t0 = performance.now();
  let n = 0;
  for await (const b of batches(file)) {
    write(b);
    n += b.length;
  }
  const rate = n / ((performance.now() - t0) / 1000);
  db.close();
  return rate;
}

async function engineImport(engine: Engine, file: string, importId: string): Promise<number> {
  let lastLog = 0;
  const res = await importRecords({
    engine, source: file, mapping, importId, actor: { id: 'import' }, window: 5000,
    onProgress: (p) => {
      if (p.elapsedMs - lastLog > 10_000) {
        lastLog = p.elapsedMs;
        log(`  line ${p.line}: ${Math.round(p.rate)} rows/s`);
      }
    },
  });
  if (res.created !== LEADS) throw new Error(`bench: imported ${res.created} of ${LEADS} (${res.refused} refused)`);
  return res.created / (res.elapsedMs / 1000);
}

async function singleCreates(engine: Engine, n: number, lanes: number): Promise<number> {
  const per = Math.ceil(n / lanes);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: lanes }, async (_, lane) => {
    for (let i = 0; i < per; i++) {
      await engine.create('lead', { fields: { name: `S ${lane}-${i}`, email: `s${lane}-${i}@mail.example`, amount: 1000 }, ownerId: 'ann' });
    }
  }));
  return (per * lanes) / ((performance.now() - t0) / 1000);
}

/** Exports every record to a discarding sink; the RSS growth over the export (MB) and the rate. */
async function exportRss(storage: Storage): Promise<{ growthMb: number; perS: number; records: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss: start, heapUsed, heapTotal } = process.memoryUsage();
  log(`  before the export: RSS ${Math.round(start / 1048576)} MB, heap ${Math.round(heapUsed / 1048576)} of ${Math.round(heapTotal / 1048576)} MB`);
  let peak = start;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  const sink = new Writable({ write(_chunk, _enc, cb) { cb(); }, highWaterMark: 1 << 20 });
  const t0 = performance.now();
  const res = await exportRecords({ storage, tenantId: 'default', out: sink, what: 'records', format: 'csv' });
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { growthMb: round((peak - start) / 1024 / 1024), perS: res.records / ((performance.now() - t0) / 1000), records: res.records };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dealflow-bench-bulk-'));
  const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
  const figures: Record<string, unknown> = { bench: 'bulk', scale: SCALE, leads: LEADS };
  try {
    if (PARTS.has('import')) await importParts(dir, admin, figures);
    if (PARTS.has('worker')) await workerParts(admin, figures);
  } finally {
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(figures));
}

/** Import (PostgreSQL and SQLite, beside the hand loaders), single creates and the export's RSS. */
async function importParts(dir: string, admin: pg.Pool, figures: Record<string, unknown>): Promise<void> {
  {
    const file = join(dir, 'leads.csv');
    writeSource(file, LEADS);
    log(`source: ${LEADS} leads`);

    // PostgreSQL
    const schema = `bench_bulk_${process.pid}`;
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await migrate({ pool: admin, schema });
    const storage = createPostgresStorage({ connectionString: PG_URL, schema, max: 8 });
    const engine = createEngine({ storage, blueprints: [lead] });
    // the hand loader writes into a schema of its own, so both loaders start on empty tables and the
    // export below reads the issue's 1 000 000 imported records (plus the single creates)
    const handSchema = `bench_bulk_hand_${process.pid}`;
    await admin.query(`DROP SCHEMA IF EXISTS ${handSchema} CASCADE`);
    await migrate({ pool: admin, schema: handSchema });
    log('PostgreSQL: hand-written batched loader…');
    const handPool = new pg.Pool({ connectionString: PG_URL, max: LANES });
    const pgHand = await handPostgres(handPool, handSchema, file, LANES);
    await handPool.end();
    await admin.query(`DROP SCHEMA ${handSchema} CASCADE`);
    log(`  ${Math.round(pgHand)} leads/s`);
    log('PostgreSQL: importRecords…');
    const pgImport = await engineImport(engine, file, 'bench-pg');
    log(`  ${Math.round(pgImport)} leads/s`);
    log(`PostgreSQL: ${SINGLE} single creates, 8 callers…`);
    const pgSingle = await singleCreates(engine, SINGLE, 8);
    log(`  ${Math.round(pgSingle)} leads/s`);
    log('PostgreSQL: export of every record…');
    const ex = await exportRss(storage);
    log(`  ${ex.records} records, ${Math.round(ex.perS)} records/s, RSS +${ex.growthMb} MB`);
    await storage.close();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    figures.postgres = {
      import_per_s: round(pgImport), hand_batch_per_s: round(pgHand), single_create_per_s: round(pgSingle),
      ratio_vs_hand_batch: round(pgImport / pgHand, 3), ratio_vs_single: round(pgImport / pgSingle, 2),
    };
    figures.export_records = ex.records;
    figures.export_per_s = round(ex.perS);
    figures.export_rss_growth_mb = ex.growthMb;

    // SQLite
    // the hand loader writes into a database file of its own (Dealflow's schema, created by opening a store on it)
    const handFile = join(dir, 'hand.sqlite');
    const handStore = createSqliteStorage({ filename: handFile });
    await handStore.transaction('default', async (tx) => tx.getCounter('warm-up'));
    await handStore.close();
    log('SQLite: hand-written batched loader…');
    const sqHand = await handSqlite(handFile, file);
    log(`  ${Math.round(sqHand)} leads/s`);
    const sqliteFile = join(dir, 'bulk.sqlite');
    const sqlite = createSqliteStorage({ filename: sqliteFile });
    const sqEngine = createEngine({ storage: sqlite, blueprints: [lead] });
    await sqlite.transaction('default', async (tx) => tx.getCounter('warm-up'));
    log('SQLite: importRecords…');
    const sqImport = await engineImport(sqEngine, file, 'bench-sqlite');
    log(`  ${Math.round(sqImport)} leads/s`);
    await sqlite.close();
    figures.sqlite = { import_per_s: round(sqImport), hand_batch_per_s: round(sqHand), ratio_vs_hand_batch: round(sqImport / sqHand, 3) };

  }
}

/** Two workers firing one timer per transaction (today's path), then two firing PER_TX per transaction, each on a fresh seed. */
async function workerParts(admin: pg.Pool, figures: Record<string, unknown>): Promise<void> {
  const rates: number[] = [];
  for (const perTx of [1, PER_TX]) {
    const ws = `bench_bulk_w${perTx}_${process.pid}`;
    await admin.query(`DROP SCHEMA IF EXISTS ${ws} CASCADE`);
    await migrate({ pool: admin, schema: ws });
    await seedDueTimers(admin, ws, WORKER_RECORDS, WORKER_DUE);
    const st = createPostgresStorage({ connectionString: PG_URL, schema: ws, max: 8 });
    log(`Workers: 2 firing ${WORKER_DUE} due timers among ${WORKER_RECORDS} records, ${perTx} per transaction…`);
    const r = await fireDue(createEngine({ storage: st, blueprints: [pingPong] }), WORKER_DUE, 2, 4, perTx);
    log(`  ${Math.round(r.rate)} timers/s`);
    rates.push(r.rate);
    await st.close();
    await admin.query(`DROP SCHEMA ${ws} CASCADE`);
  }
  figures.worker = {
    records: WORKER_RECORDS, due: WORKER_DUE, workers: 2, timers_per_transaction: PER_TX,
    single_per_s: round(rates[0]!), batched_per_s: round(rates[1]!), ratio_vs_single: round(rates[1]! / rates[0]!, 2),
  };
}

await main();
