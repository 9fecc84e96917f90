/**
 * PostgreSQL for the cross-package tests in `test/`: the testkit's policy (CI fails, a local run
 * skips with a visible warning), a probe through the store itself, and fresh schemas.
 */
import { postgresTestTarget, uniqueSchemaName } from '../../packages/storage-testkit/src/index.js';
import type { PostgresTestTarget } from '../../packages/storage-testkit/src/index.js';
import { createPostgresStorage, migrate } from '../../packages/storage-postgres/src/index.js';
import type { PostgresStorage } from '../../packages/storage-postgres/src/index.js';

/** Probes PostgreSQL for test file `label`; declare its PostgreSQL tests only when `reachable`. */
export function postgresForTests(label: string): Promise<PostgresTestTarget> {
  return postgresTestTarget({
    label,
    probe: async (url) => {
      const probe = createPostgresStorage({ connectionString: url, schema: 'dealflow_probe_unused', max: 1 });
      try {
        await probe.pool.query('SELECT 1');
      } finally {
        await probe.close();
      }
    },
  });
}

/** Creates and migrates a fresh schema named after `prefix`; returns its name. */
export async function freshSchema(url: string, prefix: string): Promise<string> {
  const schema = uniqueSchemaName(prefix);
  await migrate({ connectionString: url, schema });
  return schema;
}

/** A store (pool of 4) on `schema`; timers follow the caller's (manual) clock unless told otherwise. */
export function openPostgres(url: string, schema: string, clock: 'database' | 'caller' = 'caller'): PostgresStorage {
  return createPostgresStorage({ connectionString: url, schema, max: 4, clock });
}

/** Drops the store's schema, then closes it (closed even when the drop fails). */
export async function dropAndClose(storage: PostgresStorage): Promise<void> {
  try {
    await storage.pool.query(`DROP SCHEMA IF EXISTS "${storage.schema}" CASCADE`);
  } finally {
    await storage.close();
  }
}
