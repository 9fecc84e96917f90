import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStorage } from '@dealflow/storage-sqlite';
import { createPostgresStorage, migrate } from '@dealflow/storage-postgres';
import type { Storage } from '@dealflow/core';
import { runFullCycle } from './cycle.js';

// PostgreSQL when given a URL (a fresh schema per run), else an embedded SQLite file in a fresh temp folder
const url = process.env.DEALFLOW_PG_URL;
let storage: Storage;
let where: string;
if (url) {
  const schema = `full_cycle_${Date.now()}`;
  await migrate({ connectionString: url, schema });
  // the run drives time with a manual clock, so timers follow the caller's clock
  storage = createPostgresStorage({ connectionString: url, schema, clock: 'caller' });
  where = `PostgreSQL schema "${schema}"`;
} else {
  where = join(mkdtempSync(join(tmpdir(), 'dealflow-full-cycle-')), 'crm.db');
  storage = createSqliteStorage({ filename: where });
}
await runFullCycle(storage, (line) => console.log(line));
await storage.close();
console.log(`(records, links, history and timers are in ${where})`);
