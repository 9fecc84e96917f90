import pg from 'pg';
import { afterAll } from 'vitest';
import { runStorageSuite } from '@dealflow/storage-testkit';
import type { PostgresStorage } from '../src/index.js';
import { dropSchema, freshStore, PG_URL, pgAvailable } from './pg-helpers.js';

if (await pgAvailable('storage-postgres/test/conformance.test.ts')) {
  const pool = new pg.Pool({ connectionString: PG_URL, max: 12 });
  // the pools the store opens itself pipeline: BEGIN goes out with the first statement, COMMIT with the last write
  const pipelined = new pg.Pool({ connectionString: PG_URL, max: 12, pipeline: true } as pg.PoolConfig);
  afterAll(() => Promise.all([pool.end(), pipelined.end()]));
  const teardown = async (s: unknown) => {
    await (s as PostgresStorage).close();
    await dropSchema(pool, (s as PostgresStorage).schema);
  };
  runStorageSuite({ name: 'postgres', create: () => freshStore(pool, 'conf'), teardown });
  runStorageSuite({ name: 'postgres (batchWrites: false)', create: () => freshStore(pool, 'conf_nb', { batchWrites: false }), teardown });
  runStorageSuite({ name: 'postgres (pipelined pool)', create: () => freshStore(pipelined, 'conf_pl'), teardown });
}
