import Database from 'better-sqlite3';
import { expect, test } from 'vitest';
import { InjectedFault, makeRecord } from '@dealflow/storage-testkit';
import { tempDatabaseFiles } from './temp-file.js';
import { createSqliteStorage, type SqliteDatabase } from '../src/index.js';

const T = 'tenant-a';
const file = tempDatabaseFiles('group');

/** A better-sqlite3 database whose COMMIT statements are counted. */
function countingCommits(filename: string): { database: SqliteDatabase; commits: () => number } {
  const db = new Database(filename);
  let commits = 0;
  const prepare = db.prepare.bind(db);
  const database = Object.assign(Object.create(db) as Database.Database, {
    prepare(sql: string) {
      const stmt = prepare(sql);
      if (sql.trim().toUpperCase() !== 'COMMIT') return stmt;
      return { run: () => { commits++; return stmt.run(); }, get: stmt.get.bind(stmt), all: stmt.all.bind(stmt) };
    },
    exec: db.exec.bind(db),
    close: db.close.bind(db),
  });
  Object.defineProperty(database, 'inTransaction', { get: () => db.inTransaction });
  return { database: database as unknown as SqliteDatabase, commits: () => commits };
}

test('queued transactions share a COMMIT; a failing one rolls back alone and the others commit', async () => {
  const filename = file();
  const { database, commits } = countingCommits(filename);
  const s = createSqliteStorage({ database });
  const before = commits();
  const results = await Promise.allSettled(
    Array.from({ length: 10 }, (_, i) =>
      s.transaction(T, async (tx) => {
        await tx.insertRecord(makeRecord({ tenantId: T, id: `r${i}` }));
        await tx.incrementCounter('n');
        if (i === 4) throw new InjectedFault();
        return i;
      }),
    ),
  );
  expect(results.map((r) => r.status)).toEqual(Array.from({ length: 10 }, (_, i) => (i === 4 ? 'rejected' : 'fulfilled')));
  expect((results[4] as PromiseRejectedResult).reason).toBeInstanceOf(InjectedFault);
  expect(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9]);
  expect(commits() - before).toBeLessThan(9);

  // every answered transaction is committed: another connection sees it
  const other = new Database(filename, { readonly: true });
  const ids = (other.prepare('SELECT id FROM records WHERE tenant_id = ? ORDER BY id').all(T) as { id: string }[]).map((r) => r.id);
  expect(ids).toEqual(['r0', 'r1', 'r2', 'r3', 'r5', 'r6', 'r7', 'r8', 'r9']);
  expect((other.prepare("SELECT value FROM counters WHERE key = 'n'").get() as { value: number }).value).toBe(9);
  other.close();
  await s.close();
});

test('maxGroupCommit: 1 commits every transaction alone', async () => {
  const { database, commits } = countingCommits(file());
  const s = createSqliteStorage({ database, maxGroupCommit: 1 });
  const before = commits();
  await Promise.all(Array.from({ length: 6 }, (_, i) => s.transaction(T, (tx) => tx.insertRecord(makeRecord({ tenantId: T, id: `r${i}` })))));
  expect(commits() - before).toBe(6);
  await s.close();
});

test('a read queued behind an open group sees the group committed', async () => {
  const filename = file();
  const s = createSqliteStorage({ filename });
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const slow = s.transaction(T, async (tx) => {
    await gate;
    await tx.insertRecord(makeRecord({ tenantId: T, id: 'slow' }));
  });
  const next = s.transaction(T, (tx) => tx.insertRecord(makeRecord({ tenantId: T, id: 'next' })));
  const read = s.queryRecords(T, {});
  release();
  await Promise.all([slow, next]);
  expect((await read).map((r) => r.id).sort()).toEqual(['next', 'slow']);
  const other = new Database(filename, { readonly: true });
  expect((other.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n).toBe(2);
  other.close();
  await s.close();
});

test('close() commits the open group first', async () => {
  const filename = file();
  const s = createSqliteStorage({ filename });
  const writes = Array.from({ length: 4 }, (_, i) => s.transaction(T, (tx) => tx.insertRecord(makeRecord({ tenantId: T, id: `c${i}` }))));
  const closing = s.close();
  await Promise.all(writes);
  await closing;
  const other = new Database(filename, { readonly: true });
  expect((other.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n).toBe(4);
  other.close();
});

test('a busy file store syncs its WAL in the background and stops the syncer on close', async () => {
  const filename = file();
  const s = createSqliteStorage({ filename });
  // each transaction commits alone (awaited one by one): well past the point where the syncer starts
  for (let i = 0; i < 300; i++) await s.transaction(T, (tx) => tx.incrementCounter('n'));
  await new Promise((r) => setTimeout(r, 30));
  await s.close();
  const other = new Database(filename, { readonly: true });
  expect((other.prepare("SELECT value FROM counters WHERE key = 'n'").get() as { value: number }).value).toBe(300);
  other.close();
});
