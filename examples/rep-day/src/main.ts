import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStorage } from '@dealflow/storage-sqlite';
import { runRepDay } from './rep-day.js';

// a durable SQLite file in a fresh temp folder, so every run starts clean
const filename = join(mkdtempSync(join(tmpdir(), 'dealflow-rep-day-')), 'deals.db');
const storage = createSqliteStorage({ filename });
await runRepDay(storage, (line) => console.log(line));
await storage.close();
console.log(`(records, history, timers, the task index and the outbox are in ${filename})`);
