/**
 * The benches' stores: a fresh SQLite file or PostgreSQL schema per measurement, and the probe that
 * tells whether PostgreSQL answers (benches skip their PostgreSQL part when it does not).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Storage } from '@dealflow/core';
import { createPostgresStorage, migrate } from '@dealflow/storage-postgres';
import { createSqliteStorage } from '@dealflow/storage-sqlite';

/** The durable stores a bench measures. */
export type BenchStoreKind = 'sqlite' | 'postgres';

/** Whether PostgreSQL at `url` answers a query within 3 s. */
export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

let opened = 0;

/**
 * A fresh store of `kind`: a SQLite file in a temporary folder, or a migrated PostgreSQL schema
 * `bench_<name>_<pid>_<n>` on `pgUrl` (4 connections); `drop()` closes it and removes its data.
 */
export async function openBenchStore(kind: BenchStoreKind, name: string, pgUrl: string): Promise<{ storage: Storage; drop(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `dealflow-bench-${name}-`));
    const storage = createSqliteStorage({ filename: join(dir, 'bench.sqlite') });
    return { storage, drop: async () => { await storage.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  const schema = `bench_${name}_${process.pid}_${opened++}`;
  const admin = new pg.Pool({ connectionString: pgUrl, max: 1 });
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await migrate({ pool: admin, schema });
  const storage = createPostgresStorage({ connectionString: pgUrl, schema, max: 4 });
  return { storage, drop: async () => { await storage.close(); await admin.query(`DROP SCHEMA ${schema} CASCADE`); await admin.end(); } };
}
