// conformance.test.ts (vitest): @dealflow/storage-postgres stands in for your PostgreSQL store here
import { createPostgresStorage, migrate } from '@dealflow/storage-postgres';
import { postgresTestTarget, runStorageSuite, uniqueSchemaName } from '@dealflow/storage-testkit';

const createMyStorage = async (options: { url: string; schema: string }) => {
  await migrate({ connectionString: options.url, schema: options.schema });
  return createPostgresStorage({ connectionString: options.url, schema: options.schema });
};

const target = await postgresTestTarget({
  label: 'my-store/test/conformance.test.ts',
  probe: (url) => migrate({ connectionString: url, schema: uniqueSchemaName('probe') }), // rejects when PostgreSQL does not answer
});
if (target.reachable) {
  runStorageSuite({
    name: 'my-pg-store',
    create: async () => createMyStorage({ url: target.url, schema: uniqueSchemaName('conf') }),
    teardown: async (storage) => { await storage.close(); },
  });
}

export {};
