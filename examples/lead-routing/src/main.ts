import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStorage } from '@dealflow/storage-sqlite';
import { runLeadRouting } from './lead-routing.js';

// a durable SQLite file in a fresh temp folder, so every run starts clean
const filename = join(mkdtempSync(join(tmpdir(), 'dealflow-lead-routing-')), 'leads.db');
const storage = createSqliteStorage({ filename });
await runLeadRouting(storage, (line) => console.log(line));
await storage.close();
console.log(`(records, history, timers and the outbox are in ${filename})`);
