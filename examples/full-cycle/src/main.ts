import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStorage } from '@dealflow/storage-sqlite';
import { runFullCycle } from './cycle.js';

// the embedded store: a SQLite file in a fresh temp folder, so every run starts clean
const filename = join(mkdtempSync(join(tmpdir(), 'dealflow-full-cycle-')), 'crm.db');
const storage = createSqliteStorage({ filename });
await runFullCycle(storage, (line) => console.log(line));
await storage.close();
console.log(`(records, links, history and timers are in ${filename})`);
