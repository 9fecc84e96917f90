/**
 * The three stores for cross-package tests that must run on each: memory, SQLite (a temporary
 * file) and PostgreSQL (a fresh schema; declared only when PostgreSQL answers, see postgres.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStorage } from '../../packages/core/src/index.js';
import type { Storage } from '../../packages/core/src/index.js';
import { createSqliteStorage } from '../../packages/storage-sqlite/src/index.js';
import { dropAndClose, freshSchema, openPostgres, postgresForTests } from './postgres.js';

/** A store kind: a name and how to open a fresh store and drop it. */
export interface StoreKind {
  name: 'memory' | 'sqlite' | 'postgres';
  /** A fresh, empty store, and how to reopen the same data (another process would) and to drop it. */
  open(): Promise<{ storage: Storage; location: string; reopen(): Storage; drop(): Promise<void> }>;
}

/** The store kinds to test on (PostgreSQL only when reachable; its probe declares a skipped or failing test otherwise). */
export async function storeKinds(label: string): Promise<StoreKind[]> {
  const kinds: StoreKind[] = [
    {
      name: 'memory',
      async open() {
        const storage = createMemoryStorage();
        return { storage, location: 'memory', reopen: () => storage, drop: () => storage.close() };
      },
    },
    {
      name: 'sqlite',
      async open() {
        const dir = mkdtempSync(join(tmpdir(), 'dealflow-bulk-'));
        const filename = join(dir, 'db.sqlite');
        const opened: Storage[] = [];
        const reopen = () => {
          const s = createSqliteStorage({ filename });
          opened.push(s);
          return s;
        };
        const storage = reopen();
        return {
          storage,
          location: filename,
          reopen,
          async drop() {
            for (const s of opened) await s.close().catch(() => undefined);
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
  ];
  const pg = await postgresForTests(label);
  if (pg.reachable) {
    kinds.push({
      name: 'postgres',
      async open() {
        const schema = await freshSchema(pg.url, 'bulk');
        const opened: Storage[] = [];
        const reopen = () => {
          const s = openPostgres(pg.url, schema);
          opened.push(s);
          return s;
        };
        const storage = reopen();
        return {
          storage,
          location: `${pg.url}#${schema}`,
          reopen,
          async drop() {
            for (const s of opened) await s.close().catch(() => undefined);
            await dropAndClose(openPostgres(pg.url, schema));
          },
        };
      },
    });
  }
  return kinds;
}
