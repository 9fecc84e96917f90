import pg from 'pg';
import { postgresTestTarget, postgresTestUrl, uniqueSchemaName } from '@dealflow/storage-testkit';
import { createPostgresStorage, migrate, type PostgresStorage } from '../src/index.js';

export const PG_URL = postgresTestUrl();

/** Whether PostgreSQL answers; when not, CI fails and local runs skip with a visible warning (the testkit's policy). */
export async function pgAvailable(file: string): Promise<boolean> {
  const target = await postgresTestTarget({
    label: file,
    probe: async (url) => {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  });
  return target.reachable;
}

/** A unique schema name for this test file and process. */
export const uniqueSchema = uniqueSchemaName;

/**
 * Creates a migrated store in a fresh schema on a shared pool. Tests drive time with manual
 * clocks, so timers are compared with the caller's clock unless `clock: 'database'` is asked for.
 */
export async function freshStore(
  pool: pg.Pool,
  prefix: string,
  extra: { notify?: boolean; batchWrites?: boolean; clock?: 'database' | 'caller' } = {},
): Promise<PostgresStorage> {
  const schema = uniqueSchema(prefix);
  await migrate({ pool, schema });
  return createPostgresStorage({ pool, schema, clock: 'caller', ...extra });
}

export async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
