import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { createEngine, isDealflowError } from '@dealflow/core';
import { ticketBlueprint } from '@dealflow/storage-testkit';
import { createPostgresStorage, migrate } from '../src/index.js';
import { dropSchema, PG_URL, pgAvailable, uniqueSchema } from './pg-helpers.js';

if (await pgAvailable('storage-postgres/test/unmigrated.test.ts')) {
  const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
  afterAll(() => admin.end());

  it('a store on a schema that was never migrated fails with MIGRATION naming migrate(), and works once migrated', async () => {
    const schema = uniqueSchema('unmigrated');
    await admin.query(`CREATE SCHEMA ${schema}`);
    const storage = createPostgresStorage({ connectionString: PG_URL, schema, max: 2 });
    try {
      const engine = createEngine({ storage, blueprints: [ticketBlueprint()] });
      const err = await engine.create('ticket', { fields: { title: 'early' } }).catch((e: unknown) => e);
      expect(isDealflowError(err, 'MIGRATION')).toBe(true);
      expect((err as Error).message).toContain('migrate()');
      expect(await storage.getRecord('default', 'nothing').catch((e: unknown) => (e as { code?: string }).code)).toBe('MIGRATION');
      await migrate({ pool: admin, schema });
      const { record } = await engine.create('ticket', { fields: { title: 'after migrate' } });
      expect((await engine.send(record.id, 'work')).ok).toBe(true);
    } finally {
      await storage.close();
      await dropSchema(admin, schema);
    }
  });
}
