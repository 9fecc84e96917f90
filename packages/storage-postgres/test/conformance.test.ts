import pg from 'pg';
import { afterAll } from 'vitest';
import { runStorageSuite } from '@dealflow/storage-testkit';
import type { PostgresStorage } from '../src/index.js';
import { dropSchema, freshStore, PG_URL, pgAvailable } from './pg-helpers.js';

if (await pgAvailable('storage-postgres/test/conformance.test.ts')) {
  const pool = new pg.Pool({ connectionString: PG_URL, max: 12 });
  afterAll(() => pool.end());
  const teardown = async (s: unknown) => {
    await (s as PostgresStorage).close();
    await dropSchema(pool, (s as PostgresStorage).schema);
  };
  runStorageSuite({ name: 'postgres', create: () => freshStore(pool, 'conf'), teardown });
  runStorageSuite({ name: 'postgres (batchWrites: false)', create: () => freshStore(pool, 'conf_nb', { batchWrites: false }), teardown });
}
