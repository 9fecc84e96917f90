// my-store.test.ts (vitest): the memory store stands in for yours here
import { createMemoryStorage } from '@dealflow/core';
import { runStorageSuite } from '@dealflow/storage-testkit';

const createMyStorage = (_options: { url: string }) => createMemoryStorage();

runStorageSuite({
  name: 'my-store',
  create: async () => createMyStorage({ url: process.env.MY_URL ?? 'memory:' }), // a fresh, empty store per test
  teardown: async (storage) => { await storage.close(); },                        // may receive a closed store
  supports: { concurrency: true, close: true },                                    // switch tests off with false
});

export {};
