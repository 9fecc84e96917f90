import { runStorageSuite } from '@dealflow/storage-testkit';
import { createMemoryStorage } from '../src/index.js';

runStorageSuite({
  name: 'memory',
  create: () => createMemoryStorage(),
  teardown: (s) => s.close(),
});
