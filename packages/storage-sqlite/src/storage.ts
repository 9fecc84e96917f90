import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { resolve as resolvePath } from 'node:path';
import { DealflowError, isDealflowError } from '@dealflow/core/storage';
import type { ClaimTimersOptions, OutboxMessage, Storage, StorageTx, TimerRecord } from '@dealflow/core/storage';
import type { SqliteDatabase, SqliteStatement } from './driver.js';
import { GroupCommit } from './group.js';
import { JobQueue } from './mutex.js';
import { startWalSync, type WalSync } from './wal-sync.js';
import { byDue, outboxFromRow, timerFromRow, type OutboxRow, type TimerRow } from './rows.js';
import { MIGRATIONS } from './schema.js';
import { readDeadlines, readHistories, readHistory, readRecord, readRecords, readTasks, SqliteTx } from './tx.js';

/** Options for {@link createSqliteStorage}: a file path (or `:memory:`), or an open database. */
export type CreateSqliteStorageOptions =
  | {
      /** Database file path, or `:memory:`. Opened with better-sqlite3 in WAL mode. */
      filename: string;
      /** Milliseconds to wait for another process's write lock (default 5000). */
      busyTimeoutMs?: number;
      /** At most this many queued transactions share one COMMIT (group commit; default 32, 1 = each commits alone). */
      maxGroupCommit?: number;
      /**
       * Once the store has committed 256 times, sync its WAL file from a background worker thread
       * every 10 ms, so the checkpoint inside a COMMIT has little left to sync (default true; see
       * docs/storage.md). `false` keeps every sync in SQLite's own hands, with no extra thread.
       */
      backgroundWalSync?: boolean;
    }
  | {
      /** An open better-sqlite3 (compatible) database; `close()` closes it too unless `closeDatabase: false`. */
      database: SqliteDatabase;
      /** Whether the store's `close()` closes `database` (default true); false when the app keeps using it. */
      closeDatabase?: boolean;
      /** Milliseconds to wait for another process's write lock (default 5000). */
      busyTimeoutMs?: number;
      /** At most this many queued transactions share one COMMIT (default 32, 1 = each commits alone). */
      maxGroupCommit?: number;
    };

/** A SQLite `Storage` with access to its database handle. */
export interface SqliteStorage extends Storage {
  /** The underlying database (for inspection and backups). */
  readonly database: SqliteDatabase;
}

function openDatabase(filename: string): SqliteDatabase {
  const require = createRequire(import.meta.url);
  let Driver: new (filename: string) => SqliteDatabase;
  try {
    Driver = require('better-sqlite3') as new (filename: string) => SqliteDatabase;
  } catch (error) {
    throw new DealflowError('STORAGE', "createSqliteStorage({ filename }) needs the peer dependency 'better-sqlite3' (npm i better-sqlite3)", { cause: error });
  }
  return new Driver(filename);
}

function migrate(db: SqliteDatabase): void {
  const current = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      const again = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
      if (again === v) {
        db.exec(MIGRATIONS[v]!);
        db.exec(`PRAGMA user_version = ${v + 1}`);
      }
      db.exec('COMMIT');
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw new DealflowError('MIGRATION', `SQLite migration ${v + 1} failed: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** Group commits after which a store starts its background WAL syncer (a busy store; tests rarely get there). */
const WAL_SYNC_AFTER_COMMITS = 256;

/** A plain file name (not `:memory:`, a temporary database or a `file:` URI), whose WAL is `<name>-wal`. */
function isFilePath(filename: string): boolean {
  return filename !== '' && filename !== ':memory:' && !filename.startsWith('file:');
}

function wrap(error: unknown, what: string): unknown {
  if (isDealflowError(error) || !(error instanceof Error) || !('code' in error)) return error;
  return new DealflowError('STORAGE', `SQLite ${what} failed: ${error.message}`, { cause: error });
}

/**
 * Creates the embedded SQLite store on better-sqlite3 (WAL mode, schema created on first use and
 * upgraded in place). All calls of one store run one at a time through a queue; transactions run in
 * `BEGIN IMMEDIATE`, so several processes may share one file (they wait on the write lock).
 * Transactions queued behind each other share one COMMIT (group commit, see `maxGroupCommit`); each
 * call still resolves only after its writes are committed, and a failing one rolls back alone.
 *
 * @example
 * ```ts
 * import { createSqliteStorage } from '@dealflow/storage-sqlite'
 * const storage = createSqliteStorage({ filename: './dealflow.db' })
 * const engine = createEngine({ storage, blueprints: [sales] })
 * ```
 */
export function createSqliteStorage(options: CreateSqliteStorageOptions): SqliteStorage {
  const db = 'database' in options ? options.database : openDatabase(options.filename);
  const closeDatabase = 'database' in options ? options.closeDatabase !== false : true;
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  if (!('database' in options) && (db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count === 0) {
    // a new file: 2 KiB pages. Each page a transaction changes is written whole to the WAL (and synced
    // at checkpoints); a transition changes a handful of index leaves by a few dozen bytes each, so
    // smaller pages write less. (Only settable before the first table; an open `database` is left as given.)
    db.exec('PRAGMA page_size = 2048');
  }
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  // savepoints of group-commit members journal in memory, not in a temporary file
  db.exec('PRAGMA temp_store = MEMORY');
  // a 64 MiB page cache (the default 2 MiB cannot hold the index pages a busy file keeps touching)
  db.exec('PRAGMA cache_size = -65536');
  // checkpoint every 16 000 WAL pages (32 MiB of 2 KiB pages) instead of 1 000: each checkpoint syncs the
  // WAL and the database file, and a hot page written many times between two checkpoints is copied back once
  db.exec('PRAGMA wal_autocheckpoint = 16000');
  migrate(db);

  const cache = new Map<string, SqliteStatement>();
  const prepare = (sql: string): SqliteStatement => {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };
  // a store that commits a lot syncs its WAL from a background thread (see wal-sync.ts)
  let walSync: WalSync | undefined;
  let commits = 0;
  const walPath = 'filename' in options && options.backgroundWalSync !== false && isFilePath(options.filename)
    && (db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode === 'wal'
    ? `${resolvePath(options.filename)}-wal`
    : undefined;
  let walSyncFailed = false;
  const afterCommit = walPath === undefined ? undefined : (): void => {
    if (walSync) walSync.committed();
    else if (!walSyncFailed && ++commits >= WAL_SYNC_AFTER_COMMITS) {
      try {
        walSync = startWalSync(walPath);
      } catch {
        walSyncFailed = true; // an optimization only: checkpoints sync the WAL themselves
      }
    }
  };
  const queue = new JobQueue();
  const group = new GroupCommit(db, wrap, afterCommit);
  const maxGroup = Math.max(1, Math.floor(options.maxGroupCommit ?? 32));
  /** Marks calls made from inside one of this store's transactions (they must not wait on the queue). */
  const inside = new AsyncLocalStorage<boolean>();
  let closed = false;

  const ensureOpen = (): void => {
    if (closed) throw new DealflowError('CLOSED', 'the SQLite store was closed');
  };
  /**
   * Runs a synchronous read/write in the queue, after committing any open group, so it never sees
   * another call's uncommitted writes.
   */
  const locked = async <T>(what: string, fn: () => T): Promise<T> => {
    ensureOpen();
    const run = async (): Promise<T> => {
      ensureOpen();
      try {
        return fn();
      } catch (error) {
        throw wrap(error, what);
      }
    };
    // Inside a transaction callback the connection is already ours: run at once (no deadlock).
    if (inside.getStore()) return run();
    return queue.run(async () => {
      group.flush();
      return run();
    });
  };
  const immediate = <T>(fn: () => T): T => {
    if (db.inTransaction) return fn();
    db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn();
      db.exec('COMMIT');
      return out;
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
  };

  /** Runs one transaction as a member of the commit group; its caller is answered by the group. */
  const member = async <T>(tenantId: string, fn: (tx: StorageTx) => Promise<T>, resolve: (value: unknown) => void, reject: (error: unknown) => void): Promise<void> => {
    if (closed) {
      reject(new DealflowError('CLOSED', 'the SQLite store was closed'));
      return;
    }
    try {
      group.start();
    } catch (error) {
      reject(wrap(error, 'BEGIN'));
      return;
    }
    const tx = new SqliteTx(tenantId, prepare);
    try {
      const result = await inside.run(true, () => fn(tx));
      tx.active = false;
      group.succeed(result, resolve, reject);
    } catch (error) {
      tx.active = false;
      group.fail();
      reject(wrap(error, `transaction of tenant '${tenantId}'`));
    }
  };

  const storage: SqliteStorage = {
    name: 'sqlite',
    database: db,

    async transaction<T>(tenantId: string, fn: (tx: StorageTx) => Promise<T>): Promise<T> {
      ensureOpen();
      if (inside.getStore()) {
        throw new DealflowError('STORAGE', `SQLite store: transaction() of tenant '${tenantId}' was called inside another transaction of the same store; use the outer transaction's tx`);
      }
      return new Promise<T>((resolve, reject) => {
        queue.push(async () => {
          await member(tenantId, fn, resolve as (value: unknown) => void, reject);
          // commit when nothing waits to join the group (or it is full); else the next transaction joins it
          if (queue.waiting === 0 || group.size >= maxGroup) group.flush();
        });
      });
    },

    getRecord: (tenantId, id) => locked('getRecord', () => readRecord(prepare, tenantId, id)),
    queryRecords: (tenantId, query) => locked('queryRecords', () => readRecords(prepare, tenantId, query)),
    listHistory: (tenantId, recordId, opts) => locked('listHistory', () => readHistory(prepare, tenantId, recordId, opts)),
    listHistories: (tenantId, recordIds) => locked('listHistories', () => readHistories(prepare, tenantId, recordIds)),
    queryTasks: (tenantId, query) => locked('queryTasks', () => readTasks(prepare, tenantId, query)),
    queryDeadlines: (tenantId, query) => locked('queryDeadlines', () => readDeadlines(prepare, tenantId, query)),

    claimDueTimers(o: ClaimTimersOptions): Promise<TimerRecord[]> {
      return locked('claimDueTimers', () => {
        const until = new Date(Date.parse(o.now) + o.leaseMs).toISOString();
        const tenant = o.tenantId === undefined ? '' : ' AND tenant_id = ?';
        const tp = o.tenantId === undefined ? [] : [o.tenantId];
        const sql = `UPDATE timers SET status = 'claimed', lease_owner = ?, lease_until = ?, attempts = attempts + 1
          WHERE rowid IN (
            SELECT rowid FROM (
              SELECT rowid, due_at, id FROM timers WHERE status = 'pending' AND due_at <= ?${tenant}
              UNION ALL
              SELECT rowid, due_at, id FROM timers WHERE status = 'claimed' AND lease_until <= ?${tenant}
            ) ORDER BY due_at, id LIMIT ?
          ) RETURNING *`;
        const rows = immediate(() => prepare(sql).all(o.workerId, until, o.now, ...tp, o.now, ...tp, o.limit) as TimerRow[]);
        return rows.map(timerFromRow).sort(byDue);
      });
    },

    oldestDueAt(opts = {}) {
      return locked('oldestDueAt', () => {
        const row = opts.tenantId === undefined
          ? (prepare("SELECT MIN(due_at) AS d FROM timers WHERE status = 'pending'").get() as { d: string | null })
          : (prepare("SELECT MIN(due_at) AS d FROM timers WHERE status = 'pending' AND tenant_id = ?").get(opts.tenantId) as { d: string | null });
        return row.d;
      });
    },

    readOutbox(opts): Promise<OutboxMessage[]> {
      return locked('readOutbox', () => {
        const rows = opts.tenantId === undefined
          ? prepare('SELECT * FROM outbox WHERE position > ? ORDER BY position LIMIT ?').all(opts.afterPosition ?? 0, opts.limit)
          : prepare('SELECT * FROM outbox WHERE tenant_id = ? AND position > ? ORDER BY position LIMIT ?').all(opts.tenantId, opts.afterPosition ?? 0, opts.limit);
        return (rows as OutboxRow[]).map(outboxFromRow);
      });
    },

    ackOutbox(position, opts = {}) {
      return locked('ackOutbox', () => {
        immediate(() => {
          // keep the highest acknowledged position, so the next message gets a higher one even when
          // the newest rows are deleted now
          prepare('UPDATE outbox_floor SET position = max(position, (SELECT COALESCE(max(position), 0) FROM outbox WHERE position <= ?))').run(position);
          if (opts.tenantId === undefined) prepare('DELETE FROM outbox WHERE position <= ?').run(position);
          else prepare('DELETE FROM outbox WHERE tenant_id = ? AND position <= ?').run(opts.tenantId, position);
        });
      });
    },

    async close() {
      if (closed) return;
      await queue.run(async () => {
        group.flush();
        closed = true;
        await walSync?.stop();
        cache.clear();
        if (closeDatabase) db.close();
      });
    },
  };
  return storage;
}
