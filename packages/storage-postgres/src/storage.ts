import { AsyncLocalStorage } from 'node:async_hooks';
import { checkBatchSize, DealflowError } from '@dealflow/core/storage';
import type { ClaimTimersOptions, OutboxMessage, Storage, StorageTx, TimerRecord } from '@dealflow/core/storage';
import { DEFAULT_SCHEMA, openPool, quoteSchema } from './connect.js';
import type { PgPool, PgPoolClient, PgQueryable } from './driver.js';
import { pgError } from './errors.js';
import { migrate } from './migrate.js';
import { byDue, historyFromRow, iso, outboxFromRow, timerFromRow } from './rows.js';
import { statements, tables } from './sql.js';
import { PgTx, readDeadlines, readHistory, readRecord, readRecords, readTasks, run, type StoreSql } from './tx.js';
import { TxConnection } from './tx-connection.js';

/** Options for {@link createPostgresStorage}. */
export type CreatePostgresStorageOptions = (
  | {
      /** A `pg.Pool` (or compatible). Left open by `close()` unless `closePool: true`. */
      pool: PgPool;
      /** End `pool` when the store is closed (default false: the app owns the pool). */
      closePool?: boolean;
    }
  | {
      /** Opens a pool of `max` connections (default 10); `close()` ends it. */
      connectionString: string;
      /** Most connections the opened pool holds (default 10). */
      max?: number;
    }
) & {
  /** Schema of Dealflow's tables (default `dealflow`). */
  schema?: string;
  /**
   * Send a transaction's result-less writes (record, history, timers, outbox) together with its
   * next statement or its commit, saving round trips (default true). With it, a CONFLICT of such a
   * write is reported by the next call of the transaction or by the commit instead of by the write
   * itself; the transaction fails whole either way.
   */
  batchWrites?: boolean;
  /**
   * Send `NOTIFY` on the timers channel when timers are scheduled, so workers using
   * {@link createTimerListener} wake at once (default false).
   */
  notify?: boolean;
  /**
   * Whose clock decides when a timer is due and when a lease has expired (default `'database'`).
   * `'database'`: PostgreSQL's `now()` — app hosts and workers with skewed clocks neither fire
   * timers early nor take over live leases; the `now` a worker passes only fills `finishedAt`.
   * `'caller'`: the `now` passed to `claimDueTimers` (for tests and simulations that drive time by
   * hand with a manual clock). Due times themselves are computed by the engine that sets them.
   */
  clock?: 'database' | 'caller';
};

/** A PostgreSQL `Storage` with its pool and schema. */
export interface PostgresStorage extends Storage {
  /** The pool the store runs on (the app's, or the one it opened). */
  readonly pool: PgPool;
  /** The schema holding Dealflow's tables. */
  readonly schema: string;
  /** Applies the shipped migrations to this store's schema (idempotent; advisory-locked). */
  migrate(): Promise<{
    /** Versions applied by this call (empty when the schema was already current). */
    applied: number[];
    /** The schema's version afterwards. */
    version: number;
  }>;
  /**
   * `ANALYZE` of the tables a bulk load fills (records, history, timers, outbox, unique keys,
   * tasks). `importRecords` and `restoreRecords` call it after writing many rows; call it yourself
   * after loading rows another way, where autovacuum is off or has not run yet.
   *
   * @example
   * ```ts
   * await storage.refreshStatistics()
   * ```
   */
  refreshStatistics(): Promise<void>;
}

/**
 * The NOTIFY channel for new timers of a schema.
 *
 * @example
 * ```ts
 * timersChannel('dealflow') // 'dealflow_timers_dealflow'
 * ```
 */
export function timersChannel(schema: string = DEFAULT_SCHEMA): string {
  return `dealflow_timers_${schema}`.toLowerCase();
}

/**
 * Creates the PostgreSQL store on a `pg` pool. Run {@link migrate} (or `storage.migrate()`, or
 * `dealflow migrate`) once before use. Every query is parameterized and keyed by tenant; rows are
 * locked with `SELECT … FOR UPDATE`, and workers claim timers with `FOR UPDATE SKIP LOCKED`.
 *
 * @example
 * ```ts
 * import { createPostgresStorage } from '@dealflow/storage-postgres'
 * const storage = createPostgresStorage({ connectionString: process.env.DATABASE_URL!, max: 8 })
 * await storage.migrate()
 * const engine = createEngine({ storage, blueprints: [sales] })
 * ```
 */
export function createPostgresStorage(options: CreatePostgresStorageOptions): PostgresStorage {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const q = quoteSchema(schema);
  const pool = 'pool' in options ? options.pool : openPool(options.connectionString, options.max ?? 10);
  const ownsPool = 'pool' in options ? options.closePool === true : true;
  const t = tables(q, options.notify ? timersChannel(schema) : null);
  const s: StoreSql = { t, sql: statements(t), batches: new Map() };
  const batchWrites = options.batchWrites !== false;
  if (options.clock !== undefined && options.clock !== 'database' && options.clock !== 'caller') {
    throw new DealflowError('INPUT_INVALID', `createPostgresStorage: clock must be 'database' or 'caller', got ${String(options.clock)}`);
  }
  const databaseClock = options.clock !== 'caller';
  let closed = false;
  const inside = new AsyncLocalStorage<{ conn: TxConnection; tx: PgTx }>();
  const ensureOpen = (): void => {
    if (closed) throw new DealflowError('CLOSED', `the PostgreSQL store (schema '${schema}') was closed`);
  };
  /** Inside a transaction, reads go through its connection (after its queued writes: they see them). */
  const db = async (): Promise<PgQueryable> => {
    const current = inside.getStore();
    if (!current) return pool;
    await current.tx.flush();
    return current.conn;
  };

  /**
   * Runs `fn` in a transaction on one pooled connection. `BEGIN` goes out with the first statement
   * and `COMMIT` with the last write (see {@link TxConnection}); `fn` commits by resolving (its
   * `commit` argument sends COMMIT, with a final write when it has one).
   */
  async function inTransaction<T>(what: string, fn: (conn: TxConnection) => Promise<T>, commit: (conn: TxConnection) => Promise<void>): Promise<T> {
    let client: PgPoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw pgError(error, `${what}: connect`);
    }
    const conn = new TxConnection(client);
    let broken: Error | undefined;
    try {
      const result = await fn(conn);
      try {
        await commit(conn);
      } catch (error) {
        throw pgError(error, what);
      }
      return result;
    } catch (error) {
      try {
        await conn.rollback();
      } catch (rollbackError) {
        broken = rollbackError as Error;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  const storage: PostgresStorage = {
    name: 'postgres',
    pool,
    schema,

    async migrate() {
      ensureOpen();
      const r = await migrate({ pool, schema });
      return { applied: r.applied, version: r.version };
    },

    async transaction<T>(tenantId: string, fn: (tx: StorageTx) => Promise<T>): Promise<T> {
      ensureOpen();
      let tx: PgTx | undefined;
      return inTransaction(`transaction of tenant '${tenantId}'`, async (conn) => {
        tx = new PgTx(tenantId, conn, s, batchWrites);
        try {
          return await inside.run({ conn, tx }, () => fn(tx!));
        } finally {
          tx.active = false;
        }
      }, () => tx!.commit());
    },

    async getRecord(tenantId, id) {
      ensureOpen();
      return readRecord(await db(), s, tenantId, id);
    },
    async queryRecords(tenantId, query) {
      ensureOpen();
      return readRecords(await db(), s, tenantId, query);
    },
    async listHistory(tenantId, recordId, opts) {
      ensureOpen();
      return readHistory(await db(), s, tenantId, recordId, opts);
    },
    async listHistories(tenantId, recordIds) {
      ensureOpen();
      checkBatchSize('listHistories', recordIds.length);
      const ids = [...new Set(recordIds)];
      if (ids.length === 0) return [];
      const { rows } = await run(await db(), `listHistories (${ids.length})`, s.sql.listHistories, [tenantId, ids]);
      return rows.map(historyFromRow);
    },
    async queryTasks(tenantId, query) {
      ensureOpen();
      return readTasks(await db(), s, tenantId, query);
    },
    async queryDeadlines(tenantId, query) {
      ensureOpen();
      return readDeadlines(await db(), s, tenantId, query);
    },

    async claimDueTimers(o: ClaimTimersOptions): Promise<TimerRecord[]> {
      ensureOpen();
      // $1 is the instant timers are compared with: the database's clock unless the caller's was asked for
      const params: unknown[] = [databaseClock ? null : o.now, o.limit, o.workerId, o.leaseMs];
      if (o.tenantId !== undefined) params.push(o.tenantId);
      const { rows } = await run(await db(), 'claimDueTimers', o.tenantId === undefined ? s.sql.claimDueTimers : s.sql.claimDueTimersOfTenant, params);
      return rows.map(timerFromRow).sort(byDue);
    },

    async oldestDueAt(opts = {}) {
      ensureOpen();
      const { rows } = await run(await db(), 'oldestDueAt',
        `SELECT min(due_at) AS d FROM ${t.timers} WHERE status = 'pending' AND ($1::text IS NULL OR tenant_id = $1::text)`, [opts.tenantId ?? null]);
      const d = rows[0]?.d;
      return d === null || d === undefined ? null : iso(d);
    },

    async readOutbox(opts): Promise<OutboxMessage[]> {
      ensureOpen();
      // Positions are handed out here, under the head row's lock, to committed rows only: a
      // transaction that commits late gets a later position, never one behind an acknowledged one.
      await inTransaction('readOutbox', async (client) => {
        const head = await run(client, 'readOutbox', `SELECT last_position FROM ${t.outboxHead} FOR UPDATE`);
        const last = Number(head.rows[0]?.last_position ?? 0);
        const { rowCount } = await run(client, 'readOutbox',
          `WITH todo AS (
             SELECT seq, row_number() OVER (ORDER BY seq) AS rn FROM ${t.outbox} WHERE position IS NULL ORDER BY seq LIMIT 100000
           )
           UPDATE ${t.outbox} AS o SET position = $1::bigint + todo.rn FROM todo WHERE o.seq = todo.seq`, [last]);
        if (rowCount > 0) await run(client, 'readOutbox', `UPDATE ${t.outboxHead} SET last_position = $1`, [last + rowCount]);
      }, (conn) => conn.commit());
      const { rows } = await run(await db(), 'readOutbox',
        `SELECT * FROM ${t.outbox} WHERE position > $1 AND ($2::text IS NULL OR tenant_id = $2::text) ORDER BY position LIMIT $3`,
        [opts.afterPosition ?? 0, opts.tenantId ?? null, opts.limit]);
      return rows.map(outboxFromRow);
    },

    async refreshStatistics() {
      ensureOpen();
      // the tables a bulk load fills; ANALYZE samples (about 30 000 rows a table), so it stays seconds at millions of rows
      await run(await db(), 'refreshStatistics', `ANALYZE ${t.records}, ${t.history}, ${t.timers}, ${t.outbox}, ${t.uniqueKeys}, ${t.tasks}`, [], false);
    },

    async ackOutbox(position, opts = {}) {
      ensureOpen();
      await run(await db(), 'ackOutbox', `DELETE FROM ${t.outbox} WHERE position <= $1 AND ($2::text IS NULL OR tenant_id = $2::text)`, [
        position, opts.tenantId ?? null,
      ]);
    },

    async close() {
      if (closed) return;
      closed = true;
      if (ownsPool) await pool.end();
    },
  };
  return storage;
}
