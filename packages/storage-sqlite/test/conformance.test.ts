import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStorageSuite } from '@dealflow/storage-testkit';
import { createSqliteStorage } from '../src/index.js';

runStorageSuite({
  name: 'sqlite :memory:',
  create: () => createSqliteStorage({ filename: ':memory:' }),
  teardown: (s) => s.close(),
});

const dirs = new Map<object, string>();
runStorageSuite({
  name: 'sqlite file (WAL)',
  create: () => {
    const dir = mkdtempSync(join(tmpdir(), 'dealflow-sqlite-'));
    const s = createSqliteStorage({ filename: join(dir, 'test.db') });
    dirs.set(s, dir);
    return s;
  },
  teardown: async (s) => {
    await s.close();
    const dir = dirs.get(s);
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
});
