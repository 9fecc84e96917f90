// my-store.test.ts (run with vitest)
import { createMemoryStorage } from '@dealflow/core';
import { runStorageSuite } from '@dealflow/storage-testkit';

runStorageSuite({
  name: 'my store',
  create: async () => createMemoryStorage(), // a fresh store per test
  teardown: async (storage) => storage.close(),
});

export {};
