import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStorage } from '@dealflow/storage-sqlite';
import { runQuickstart } from './quickstart.js';

// a durable SQLite file (WAL) in a fresh temp folder, so every run starts clean
const filename = join(mkdtempSync(join(tmpdir(), 'dealflow-quickstart-')), 'quickstart.db');
const storage = createSqliteStorage({ filename });

await runQuickstart(storage, (line) => console.log(line));
await storage.close();
console.log(`(records, history and timers are in ${filename})`);
