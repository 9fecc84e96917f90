/**
 * Scaling benchmark: 1, 2 and 4 worker processes (child_process) against one PostgreSQL.
 *  - timers/s: the processes' deadline workers (default options: 50 timers per transaction) fire
 *    SCALING_DUE due timers among SCALING_RECORDS records, fresh seed per run;
 *  - transitions/s: each process sends `flip` from 4 callers to its own records for SCALING_SECONDS.
 * Each process has its own pool of 5 connections. On this machine the processes share its CPU cores
 * with PostgreSQL: the curve shows where the database (or the machine) saturates, not a cluster.
 *
 * Run: pnpm --dir bench run scaling   (DEALFLOW_PG_URL overrides the database; SCALING_RECORDS,
 *      SCALING_DUE, SCALING_SECONDS size it). The last line printed is one JSON object.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate } from '@dealflow/storage-postgres';
import { seedDueTimers } from './support/timers.js';

const PG_URL = process.env.DEALFLOW_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RECORDS = Number(process.env.SCALING_RECORDS ?? '100000');
const DUE = Number(process.env.SCALING_DUE ?? '20000');
const SECONDS = Number(process.env.SCALING_SECONDS ?? '15');
const CHILD = join(fileURLToPath(new URL('.', import.meta.url)), 'scaling', 'child.ts');
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const log = (s: string) => process.stderr.write(`${s}\n`);

function start(mode: string, schema: string, index: number, processes: number): Promise<ChildProcess> {
  const child = fork(CHILD, [mode, PG_URL, schema, String(index), String(processes), String(RECORDS), String(SECONDS)], { execArgv: ['--import', 'tsx'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (m) => (m === 'ready' ? resolve(child) : reject(new Error(`scaling: child said ${JSON.stringify(m)}`))));
  });
}

const answer = <T>(child: ChildProcess): Promise<T> => new Promise((resolve) => child.once('message', (m) => resolve(m as T)));

async function fresh(admin: pg.Pool, schema: string, due: number): Promise<void> {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await migrate({ pool: admin, schema });
  await seedDueTimers(admin, schema, RECORDS, due);
}

async function timers(admin: pg.Pool, processes: number): Promise<number> {
  const schema = `bench_scaling_t${processes}_${process.pid}`;
  await fresh(admin, schema, DUE);
  const children = await Promise.all(Array.from({ length: processes }, (_, i) => start('timers', schema, i, processes)));
  const t0 = performance.now();
  for (const c of children) c.send('go');
  for (;;) {
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.timers WHERE status = 'done'`);
    if (rows[0].n >= DUE) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - t0) / 1000;
  const counts = await Promise.all(children.map((c) => { const a = answer<{ fired: number; failed: number }>(c); c.send('stop'); return a; }));
  const failed = counts.reduce((n, c) => n + c.failed, 0);
  if (failed > 0) log(`  (${failed} firings failed and were retried)`);
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  return DUE / seconds;
}

async function transitions(admin: pg.Pool, processes: number): Promise<number> {
  const schema = `bench_scaling_s${processes}_${process.pid}`;
  await fresh(admin, schema, 0);
  const children = await Promise.all(Array.from({ length: processes }, (_, i) => start('transitions', schema, i, processes)));
  const t0 = performance.now();
  const counts = await Promise.all(children.map((c) => { const a = answer<{ transitions: number }>(c); c.send('go'); return a; }));
  const seconds = (performance.now() - t0) / 1000;
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  return counts.reduce((n, c) => n + c.transitions, 0) / seconds;
}

async function main(): Promise<void> {
  const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
  const curve: Array<{ processes: number; transitions_per_s: number; timers_per_s: number }> = [];
  try {
    for (const processes of [1, 2, 4]) {
      log(`${processes} process(es): transitions for ${SECONDS} s…`);
      const t = await transitions(admin, processes);
      log(`  ${Math.round(t)} transitions/s`);
      log(`${processes} process(es): firing ${DUE} due timers among ${RECORDS} records…`);
      const f = await timers(admin, processes);
      log(`  ${Math.round(f)} timers/s`);
      curve.push({ processes, transitions_per_s: round(t), timers_per_s: round(f) });
    }
  } finally {
    await admin.end();
  }
  console.log(JSON.stringify({ bench: 'scaling', records: RECORDS, due: DUE, seconds: SECONDS, curve }));
}

await main();
