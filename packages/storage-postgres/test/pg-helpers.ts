import pg from 'pg';
import { it } from 'vitest';
import { createPostgresStorage, migrate, type PostgresStorage } from '../src/index.js';

export const PG_URL = process.env.DEALFLOW_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether PostgreSQL answers; when not, CI fails and local runs skip with a visible warning. */
export async function pgAvailable(file: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    const why = (error as Error).message;
    if (process.env.CI) {
      it(`PostgreSQL is reachable at ${PG_URL} (required in CI)`, () => {
        throw new Error(`PostgreSQL tests cannot run in CI: ${why}`);
      });
    } else {
      console.warn(`[dealflow] PostgreSQL tests in ${file} were skipped: cannot connect to ${PG_URL} (${why}). Set DEALFLOW_PG_URL to run them.`);
      it.skip(`PostgreSQL tests (skipped: cannot connect to ${PG_URL}: ${why})`, () => undefined);
    }
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

let counter = 0;
/** A unique schema name for this test file and process. */
export function uniqueSchema(prefix: string): string {
  counter += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter}`.toLowerCase();
}

/** Creates a migrated store in a fresh schema on a shared pool. */
export async function freshStore(pool: pg.Pool, prefix: string, extra: { notify?: boolean; batchWrites?: boolean } = {}): Promise<PostgresStorage> {
  const schema = uniqueSchema(prefix);
  await migrate({ pool, schema });
  return createPostgresStorage({ pool, schema, ...extra });
}

export async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
