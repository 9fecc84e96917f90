import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DealflowError } from '@dealflow/core';
import { DEFAULT_SCHEMA, openPool, quoteSchema } from './connect.js';
import type { PgPool } from './driver.js';

/** One versioned SQL migration shipped in `migrations/NNNN_name.sql`. */
export interface Migration {
  /** Its place in the order migrations are applied; recorded in the schema once applied. */
  version: number;
  /** A short name saying what it changes. */
  name: string;
  /** The SQL it runs, in one transaction. */
  sql: string;
}

/** Options for {@link migrate}. */
export interface MigrateOptions {
  /** A pool to run on (left open), or a connection string (a pool is opened and closed). */
  pool?: PgPool;
  /** Opens a pool for this call and ends it afterwards (when no `pool` is given). */
  connectionString?: string;
  /** Target schema (default `dealflow`); created when missing. */
  schema?: string;
}

/** What {@link migrate} did. */
export interface MigrateResult {
  /** The schema migrated. */
  schema: string;
  /** Versions applied by this call (empty when the schema was already current). */
  applied: number[];
  /** The schema's version afterwards. */
  version: number;
}

/**
 * The migrations directory shipped with the package (`../migrations` from `src/` or `dist/`).
 *
 * @example
 * ```ts
 * console.log(`Dealflow SQL migrations are in ${migrationsDir()}`)
 * ```
 */
export function migrationsDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations');
}

/**
 * The shipped migrations in version order.
 *
 * @example
 * ```ts
 * listMigrations().map((m) => m.name) // ['0001_init']
 * ```
 */
export function listMigrations(dir: string = migrationsDir()): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f.replace(/\.sql$/, ''), sql: readFileSync(join(dir, f), 'utf8') }));
}

/**
 * Applies the shipped SQL migrations that the schema does not have yet, in one transaction under
 * an advisory lock (two instances starting at once do not race; the second sees the work done).
 * Idempotent: running it again applies nothing.
 *
 * @example
 * ```ts
 * import { migrate } from '@dealflow/storage-postgres'
 * await migrate({ connectionString: process.env.DATABASE_URL })
 * ```
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const q = quoteSchema(schema);
  if (!options.pool && !options.connectionString) {
    throw new DealflowError('INPUT_INVALID', 'migrate: give { pool } or { connectionString }');
  }
  const pool = options.pool ?? openPool(options.connectionString!, 1);
  const migrations = listMigrations();
  try {
    const client = await pool.connect();
    let failed: Error | undefined;
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', ['dealflow:migrate', schema]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${q}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${q}.dealflow_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const done = new Set(
        (await client.query<{ version: number }>(`SELECT version FROM ${q}.dealflow_migrations`)).rows.map((r) => r.version),
      );
      const applied: number[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await client.query(`SET LOCAL search_path TO ${q}`);
        try {
          await client.query(m.sql);
        } catch (error) {
          throw new DealflowError('MIGRATION', `migration ${m.name} failed in schema '${schema}': ${(error as Error).message}`, {
            cause: error, details: { schema, migration: m.name },
          });
        }
        await client.query(`INSERT INTO ${q}.dealflow_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
        applied.push(m.version);
      }
      await client.query('COMMIT');
      const version = Math.max(0, ...done, ...applied);
      return { schema, applied, version };
    } catch (error) {
      failed = error as Error;
      await client.query('ROLLBACK').catch(() => undefined);
      if (error instanceof DealflowError) throw error;
      throw new DealflowError('MIGRATION', `migrating schema '${schema}' failed: ${(error as Error).message}`, { cause: error, details: { schema } });
    } finally {
      client.release(failed);
    }
  } finally {
    if (!options.pool) await pool.end();
  }
}
