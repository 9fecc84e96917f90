import { checkBatchSize, checkTaskRows, deadlineQuerySql, DealflowError, nextVersionMismatch, taskQuerySql, versionConflict } from '@dealflow/core/storage';
import type {
  DeadlineQuery, DeadlineRow, HistoryEvent, OutboxMessage, RecordQuery, StorageTx, StoredRecord, TaskQuery, TaskRow, TimerRecord, TimerStatus,
  UniqueKeyConflict,
} from '@dealflow/core/storage';
import type { PgQueryable } from './driver.js';
import { pgError } from './errors.js';
import { recordPage, recordWhere } from './query.js';
import { deadlineFromRow, historyFromRow, recordFromRow, taskFromRow, timerFromRow } from './rows.js';
import type { Statements, Tables } from './sql.js';
import type { TxConnection } from './tx-connection.js';
import { batchFailure, compose } from './batch/compose.js';
import type { Batch } from './batch/compose.js';
import { clash } from './batch/deferred.js';
import type { Deferred } from './batch/deferred.js';
import { matches, timerKey } from './batch/known-timers.js';
import type { ActiveTimer } from './batch/known-timers.js';
import { statementName } from './batch/statement-name.js';

export type { Tables } from './sql.js';
export type { Batch } from './batch/compose.js';

type Row = Record<string, unknown>;

/** What one store's queries need: its tables, its statement texts and its composed batches. */
export interface StoreSql {
  t: Tables;
  sql: Statements;
  /** Batched statements by the keys of their writes (see {@link PgTx}). */
  batches: Map<string, Batch>;
}

/**
 * Runs one parameterized query. Fixed-text queries (the default) run as named prepared statements;
 * queries built from caller input (record filters) pass `prepared: false`. The query is sent
 * before this returns its promise.
 */
export async function run(
  db: PgQueryable, what: string, text: string, values: unknown[] = [], prepared = true,
): Promise<{ rows: Row[]; rowCount: number }> {
  try {
    const res = prepared && values.length > 0
      ? await db.query<Row>({ name: statementName(text), text, values })
      : await db.query<Row>(text, values);
    return { rows: res.rows, rowCount: res.rowCount ?? 0 };
  } catch (error) {
    throw pgError(error, what);
  }
}

export async function readRecord(db: PgQueryable, s: StoreSql, tenantId: string, id: string, forUpdate = false): Promise<StoredRecord | null> {
  const { rows } = await run(db, `getRecord '${id}'`, forUpdate ? s.sql.getRecordForUpdate : s.sql.getRecord, [tenantId, id]);
  return rows[0] ? recordFromRow(rows[0]) : null;
}

export async function readRecords(db: PgQueryable, s: StoreSql, tenantId: string, q: RecordQuery): Promise<StoredRecord[]> {
  const { where, params } = recordWhere(tenantId, q);
  const { rows } = await run(db, 'queryRecords', `SELECT * FROM ${s.t.records} WHERE ${where}${recordPage(q, params)}`, params, false);
  return rows.map(recordFromRow);
}

export async function readHistory(
  db: PgQueryable, s: StoreSql, tenantId: string, recordId: string, o: { afterSeq?: number; limit?: number } = {},
): Promise<HistoryEvent[]> {
  const { rows } = await run(db, `listHistory '${recordId}'`, s.sql.listHistory, [tenantId, recordId, o.afterSeq ?? 0, o.limit ?? null]);
  return rows.map(historyFromRow);
}

const json = (v: unknown): string => JSON.stringify(v ?? null);

const pgParam = (n: number) => `$${n}`;

/**
 * The statement text and values of a task query. Prepared by name like the fixed statements: a
 * text depends only on which filters are present (owner lists are one array parameter), so there
 * are few of them.
 */
export function tasksStatement(s: StoreSql, tenantId: string, q: TaskQuery): [string, unknown[]] {
  const { where, orderBy, params, limit } = taskQuerySql(tenantId, q, pgParam, { arrayParam: true });
  params.push(limit);
  return [`SELECT * FROM ${s.t.tasks} WHERE ${where} ORDER BY ${orderBy} LIMIT $${params.length}`, params];
}

/**
 * The statement text and values of a deadline query (see {@link tasksStatement}): the owner's (or
 * team's) records through records_by_owner / records_by_team, then each record's active timers
 * through timers_active_by_record (a LATERAL join kept from being flattened by `OFFSET 0`, so the plan stays that way at any table size).
 */
export function deadlinesStatement(s: StoreSql, tenantId: string, q: DeadlineQuery): [string, unknown[]] {
  const { recordWhere, timerWhere, orderBy, params, limit } = deadlineQuerySql(tenantId, q, pgParam, { arrayParam: true, recordIdJoin: 'r.id COLLATE "default"' });
  params.push(limit);
  return [`SELECT r.id, r.type, r.stage, r.owner_id, r.team_id, t.due_at, t.id AS timer_id
    FROM ${s.t.records} r CROSS JOIN LATERAL (SELECT t.id, t.due_at FROM ${s.t.timers} t WHERE ${timerWhere} OFFSET 0) t
    WHERE ${recordWhere} ORDER BY ${orderBy} LIMIT $${params.length}`, params];
}

/** Rows of the task index matching a query (tasks_by_owner / tasks_by_team). */
export async function readTasks(db: PgQueryable, s: StoreSql, tenantId: string, q: TaskQuery): Promise<TaskRow[]> {
  const { rows } = await run(db, 'queryTasks', ...tasksStatement(s, tenantId, q));
  return rows.map(taskFromRow);
}

/** Pending stage deadlines of records matching a query (records by owner or team, then each record's active timers). */
export async function readDeadlines(db: PgQueryable, s: StoreSql, tenantId: string, q: DeadlineQuery): Promise<DeadlineRow[]> {
  const { rows } = await run(db, 'queryDeadlines', ...deadlinesStatement(s, tenantId, q));
  return rows.map(deadlineFromRow);
}

/**
 * Whether each event's seq is its place among its record's events of the call (1, 2… in call
 * order): then they are their records' first events, or the store already holds those seqs.
 */
function firstEvents(events: readonly HistoryEvent[]): boolean {
  const seen = new Map<string, number>();
  for (const e of events) {
    const place = (seen.get(e.recordId) ?? 0) + 1;
    if (e.seq !== place) return false;
    seen.set(e.recordId, place);
  }
  return true;
}

/** The operations of one PostgreSQL transaction on one pooled connection. */
export class PgTx implements StorageTx {
  active = true;
  private readonly t: Tables;
  private readonly sql: Statements;

  constructor(
    readonly tenantId: string,
    private readonly db: TxConnection,
    private readonly s: StoreSql,
    /** Batch result-less writes into fewer round trips (see {@link PgTx.flush}). */
    private readonly batch = true,
  ) {
    this.t = s.t;
    this.sql = s.sql;
  }

  private check(): void {
    if (!this.active) throw new DealflowError('CLOSED', `transaction of tenant '${this.tenantId}' was already committed or rolled back`);
  }

  private own(kind: string, id: string, tenantId: string): void {
    if (tenantId !== this.tenantId) {
      throw new DealflowError('INPUT_INVALID', `${kind} '${id}' belongs to tenant '${tenantId}', not to this transaction's tenant '${this.tenantId}'`, {
        details: { id, tenantId, txTenantId: this.tenantId },
      });
    }
  }

  // ----- write batching -----
  // Writes whose only result is "done" or CONFLICT are queued and sent together with the next
  // statement that needs an answer (as data-modifying CTEs of one statement), or with COMMIT, so a
  // transition costs fewer round trips. A queued write never shares a statement with another
  // statement on the same table (they would see the same snapshot), and reads flush the queue
  // first, so every read sees the transaction's writes. The row counts a batch must write are
  // checked on the server, so a failing check (CONFLICT) fails the statement and the transaction
  // whole; it surfaces at the next call or at commit.
  private queue: Deferred[] = [];

  // ----- known active timers -----
  // A record read with `forUpdate` comes with its active timers. While the lock is held, only this
  // transaction changes them (every writer of a record's timers locks the record first; claiming
  // keeps a timer active), so cancelTimers can answer its count without asking the server and
  // queue its write like the others. The server still checks that count: if the timers did change
  // underneath (a lock that waited gets an older snapshot, detected by its version; a writer that
  // did not lock), the transaction fails whole with a retryable CONFLICT.
  private known = new Map<string, ActiveTimer[]>();
  /**
   * Timers read with getTimer, as read (until this transaction writes them): completing one this
   * transaction holds (pending, or claimed by the worker) is foretold to succeed and queued; the
   * server checks it, and a lease lost meanwhile fails the transaction with a retryable CONFLICT.
   */
  private seen = new Map<string, ActiveTimer & { recordId: string; status: TimerStatus; leaseOwner: string | null }>();

  private defer(item: Deferred): Promise<void> | void {
    if (!this.batch) return this.execute([item], null, false).then(() => undefined);
    if (this.queue.some((q) => clash(q, item))) {
      return this.flush().then(() => { this.queue.push(item); });
    }
    this.queue.push(item);
  }

  /** Sends the queued writes (the store calls this before reads). */
  async flush(): Promise<void> {
    if (this.queue.length === 0) return;
    const items = this.queue;
    this.queue = [];
    await this.execute(items, null, false);
  }

  /** Sends the queued writes and COMMIT (together on a pipelined connection), or only COMMIT. */
  async commit(): Promise<void> {
    const items = this.queue;
    this.queue = [];
    await this.db.commit(items.length > 0 ? () => this.execute(items, null, true) : undefined);
  }

  /**
   * Runs a write that must answer a row count (its text ends with `RETURNING 1`), together with the
   * queued writes when it can (`timers`: the timer rows it touches, see {@link clash}).
   */
  private async counted(table: string, what: string, key: string, text: string, values: unknown[], timers?: Deferred['timers']): Promise<number> {
    if (this.queue.some((q) => clash(q, { tables: [table], timers }))) await this.flush();
    if (this.queue.length === 0) return (await run(this.db, what, text, values)).rowCount;
    const items = this.queue;
    this.queue = [];
    return (await this.execute(items, { key, text, values }, true))!;
  }

  /**
   * Sends writes: one write alone checks its count here (unless `onServer`), several go as one
   * batch checked on the server. The statement is sent before this returns its promise.
   */
  private execute(items: Deferred[], main: { key: string; text: string; values: unknown[] } | null, onServer: boolean): Promise<number | null> {
    if (items.length === 1 && items[0]!.parts.length === 1 && !main && !onServer) {
      const item = items[0]!;
      const sent = run(this.db, item.what, item.parts[0]!, item.values);
      return sent.then(async ({ rowCount }) => {
        const w = item.want[0];
        if (w !== null && w !== undefined && rowCount !== w) throw await item.fail([rowCount], undefined);
        return null;
      });
    }
    const batch = compose(this.s, items, main);
    const values: unknown[] = [];
    for (const item of items) for (const v of item.values) values.push(v);
    if (main) for (const v of main.values) values.push(v);
    if (batch.wants) values.push(batch.checks.map(([i, j]) => items[i]!.want[j]!));
    const what = items.map((i) => i.what).join(' + ');
    const sent = this.db.query<Row>({ name: batch.name, text: batch.text, values });
    return sent.then(
      ({ rows }) => (batch.answer === null ? null : Number(rows[0]![batch.answer])),
      async (error: unknown) => { throw await batchFailure(error, items, batch, what); },
    );
  }

  async getRecord(id: string, options?: { forUpdate?: boolean }): Promise<StoredRecord | null> {
    this.check();
    await this.flush();
    if (options?.forUpdate !== true || !this.batch) return readRecord(this.db, this.s, this.tenantId, id, options?.forUpdate === true);
    const { rows } = await run(this.db, `getRecord '${id}'`, this.sql.lockRecordWithTimers, [this.tenantId, id]);
    const row = rows[0];
    if (!row) {
      this.known.delete(id);
      return null;
    }
    const record = recordFromRow(row);
    if (Number(row.dealflow_snapshot_version) === record.version) {
      const list = (row.dealflow_active_timers ?? []) as [string, string, string | null, string | null][];
      this.known.set(id, list.map(([tid, kind, key, stage]) => ({ id: tid, kind, key, stage })));
    } else {
      this.known.delete(id);
    }
    return record;
  }

  async getRecords(ids: readonly string[], options?: { forUpdate?: boolean }): Promise<StoredRecord[]> {
    this.check();
    checkBatchSize('getRecords', ids.length);
    if (ids.length === 0) return [];
    await this.flush();
    const forUpdate = options?.forUpdate === true;
    const { rows } = await run(this.db, 'getRecords', forUpdate ? this.sql.getRecordsForUpdate : this.sql.getRecords, [this.tenantId, [...ids]]);
    // (the batch read carries no timers: cancelTimers of these records asks the server)
    if (forUpdate) for (const id of ids) this.known.delete(id);
    return rows.map(recordFromRow);
  }

  async queryRecords(query: RecordQuery): Promise<StoredRecord[]> {
    this.check();
    await this.flush();
    return readRecords(this.db, this.s, this.tenantId, query);
  }

  async countRecords(query: RecordQuery): Promise<number> {
    this.check();
    await this.flush();
    const { where, params } = recordWhere(this.tenantId, query);
    const { rows } = await run(this.db, 'countRecords', `SELECT count(*) AS n FROM ${this.t.records} WHERE ${where}`, params, false);
    return Number(rows[0]?.n ?? 0);
  }

  async insertRecord(r: StoredRecord): Promise<void> {
    this.check();
    this.own('record', r.id, r.tenantId);
    if (r.version !== 1) {
      throw new DealflowError('INPUT_INVALID', `record '${r.id}': a new record must have version 1, got ${r.version}`, { details: { recordId: r.id, version: r.version } });
    }
    await this.defer({
      key: 'insertRecord',
      what: `insertRecord '${r.id}'`,
      tables: ['records'],
      parts: [this.sql.insertRecord],
      values: [this.tenantId, r.id, r.type, r.blueprintId, r.blueprintVersion, r.stage, json(r.fields), r.ownerId ?? null, r.teamId ?? null,
        json(r.meta), r.stageEnteredAt, r.createdAt, r.updatedAt],
      want: [1],
      fail: () => new DealflowError('CONFLICT', `record '${r.id}' already exists in tenant '${this.tenantId}'`, { details: { recordId: r.id } }),
    });
  }

  async insertRecords(records: readonly StoredRecord[]): Promise<void> {
    this.check();
    checkBatchSize('insertRecords', records.length);
    if (records.length === 0) return;
    const cols: unknown[][] = Array.from({ length: 12 }, () => new Array<unknown>(records.length));
    records.forEach((r, i) => {
      this.own('record', r.id, r.tenantId);
      if (r.version !== 1) {
        throw new DealflowError('INPUT_INVALID', `record '${r.id}': a new record must have version 1, got ${r.version}`, { details: { recordId: r.id, version: r.version } });
      }
      const row = [r.id, r.type, r.blueprintId, r.blueprintVersion, r.stage, json(r.fields), r.ownerId ?? null, r.teamId ?? null, json(r.meta),
        r.stageEnteredAt, r.createdAt, r.updatedAt];
      for (let c = 0; c < 12; c++) cols[c]![i] = row[c];
    });
    const n = records.length;
    await this.defer({
      // (the count is part of the statement's check, so of its key)
      key: `insertRecords ${n}`,
      what: `insertRecords (${n})`,
      tables: ['records'],
      parts: [this.sql.insertRecords],
      strict: [this.sql.insertRecordsStrict],
      values: [this.tenantId, ...cols],
      want: [n],
      info: this.sql.insertRecordsInfo,
      fail: async (_, info) => {
        // ran alone (info undefined): the transaction is still usable, so ask which id exists
        const id = info !== undefined ? info
          : (await run(this.db, `insertRecords (${n})`, `SELECT ${this.sql.insertRecordsInfo} AS id`, [this.tenantId, cols[0]])).rows[0]?.id as string | null;
        return new DealflowError('CONFLICT', id
          ? `record '${id}' already exists in tenant '${this.tenantId}'`
          : `insertRecords: ${n} records given, an id among them exists or repeats in tenant '${this.tenantId}'`, { details: { recordId: id ?? null } });
      },
    });
  }

  async updateRecord(r: StoredRecord, expectedVersion: number): Promise<void> {
    this.check();
    this.own('record', r.id, r.tenantId);
    if (r.version !== expectedVersion + 1) {
      throw nextVersionMismatch(r.id, expectedVersion, r.version);
    }
    await this.defer({
      key: 'updateRecord',
      what: `updateRecord '${r.id}'`,
      tables: ['records'],
      parts: [this.sql.updateRecord],
      values: [this.tenantId, r.id, r.type, r.blueprintId, r.blueprintVersion, r.stage, r.version, json(r.fields), r.ownerId ?? null,
        r.teamId ?? null, json(r.meta), r.stageEnteredAt, r.createdAt, r.updatedAt, expectedVersion],
      want: [1],
      info: this.sql.updateRecordInfo,
      fail: async (_, info) => {
        const actual = info === undefined
          ? (await run(this.db, `updateRecord '${r.id}'`, this.sql.recordVersion, [this.tenantId, r.id])).rows[0]?.version
          : info;
        return versionConflict(r.id, expectedVersion, actual === null || actual === undefined ? null : Number(actual));
      },
    });
  }

  async updateRecords(changes: ReadonlyArray<{ record: StoredRecord; expectedVersion: number }>): Promise<void> {
    this.check();
    checkBatchSize('updateRecords', changes.length);
    if (changes.length === 0) return;
    const n = changes.length;
    const cols: unknown[][] = Array.from({ length: 14 }, () => new Array<unknown>(n));
    const ids = new Set<string>();
    changes.forEach(({ record: r, expectedVersion }, i) => {
      this.own('record', r.id, r.tenantId);
      if (r.version !== expectedVersion + 1) throw nextVersionMismatch(r.id, expectedVersion, r.version);
      if (ids.has(r.id)) throw new DealflowError('INPUT_INVALID', `updateRecords: record '${r.id}' is given twice`, { details: { recordId: r.id } });
      ids.add(r.id);
      const row = [r.id, r.type, r.blueprintId, r.blueprintVersion, r.stage, r.version, json(r.fields), r.ownerId ?? null, r.teamId ?? null, json(r.meta),
        r.stageEnteredAt, r.createdAt, r.updatedAt, expectedVersion];
      for (let c = 0; c < 14; c++) cols[c]![i] = row[c];
    });
    await this.defer({
      // (the count is part of the statement's check, so of its key)
      key: `updateRecords ${n}`,
      what: `updateRecords (${n})`,
      tables: ['records'],
      parts: [this.sql.updateRecords],
      values: [this.tenantId, ...cols],
      want: [n],
      info: this.sql.updateRecordsInfo,
      fail: (_, info) => new DealflowError('CONFLICT', info
        ? `record '${info}' is not at the version this transaction read (updateRecords of ${n})`
        : `updateRecords: of ${n} records, one is not at its expected version in tenant '${this.tenantId}'`, { details: { recordId: info ?? null } }),
    });
  }

  async cancelTimersOf(cancels: ReadonlyArray<{ recordId: string; filter?: { kinds?: string[]; keys?: string[]; stage?: string } }>): Promise<number> {
    this.check();
    if (cancels.length === 0) return 0;
    const list = cancels.map((c) => ({ r: c.recordId, kinds: c.filter?.kinds ?? null, keys: c.filter?.keys ?? null, stage: c.filter?.stage ?? null }));
    // (what this transaction foretold of these records' timers no longer holds)
    for (const c of cancels) this.known.delete(c.recordId);
    for (const [id, t] of this.seen) if (cancels.some((c) => c.recordId === t.recordId)) this.seen.delete(id);
    return this.counted('timers', `cancelTimersOf (${cancels.length} records)`, 'cancelTimersOf', this.sql.cancelTimersOf, [this.tenantId, JSON.stringify(list)]);
  }

  async completeTimers(completions: ReadonlyArray<{ timerId: string; workerId: string | null; outcome: string; at: string }>): Promise<string[]> {
    this.check();
    checkBatchSize('completeTimers', completions.length);
    if (completions.length === 0) return [];
    const ids = completions.map((c) => c.timerId);
    const outcomes = completions.map((c) => c.outcome);
    const ats = completions.map((c) => c.at);
    for (const id of ids) this.seen.delete(id);
    const n = await this.counted('timers', `completeTimers (${ids.length})`, 'completeTimers', this.sql.completeTimers,
      [this.tenantId, ids, outcomes, ats, completions.map((c) => c.workerId)]);
    for (const [recordId, known] of this.known) this.known.set(recordId, known.filter((tm) => !ids.includes(tm.id)));
    if (n === ids.length) return [];
    const { rows } = await run(this.db, `completeTimers (${ids.length})`, this.sql.completeTimersLost, [this.tenantId, ids, outcomes, ats]);
    return rows.map((r) => r.id as string);
  }

  async appendHistory(events: HistoryEvent[]): Promise<void> {
    this.check();
    if (events.length === 0) return;
    for (const e of events) this.own('history event', e.id, e.tenantId);
    const conflict = (e: HistoryEvent) =>
      new DealflowError('CONFLICT', `history of record '${e.recordId}': event '${e.id}' (seq ${e.seq}) is not the next event or its id is taken`, {
        details: { recordId: e.recordId, seq: e.seq, id: e.id },
      });
    if (events.length === 1) {
      const e = events[0]!;
      await this.defer({
        key: 'appendHistory',
        what: `appendHistory '${e.recordId}'`,
        tables: ['history'],
        parts: [this.sql.appendOneHistory],
        values: [this.tenantId, e.recordId, e.seq, e.id, e.at, e.kind, e.event ?? null, e.from ?? null, e.to ?? null, e.actorId ?? null, json(e.data)],
        want: [1],
        fail: () => conflict(e),
      });
      return;
    }
    // checked on the server and queued like the other writes (no read of the last seqs first)
    const n = events.length;
    const fresh = firstEvents(events);
    await this.defer({
      key: `appendHistory ${n}${fresh ? ' fresh' : ''}`,
      what: `appendHistory (${n} events)`,
      tables: ['history'],
      parts: [this.sql.appendHistoryChecked],
      // a record's first events (as every create writes) go in as a plain insert: a record with
      // history already, or a taken id, then raises a unique violation
      ...(fresh ? { strict: [this.sql.appendFreshHistory] } : {}),
      values: [this.tenantId, JSON.stringify(events.map((e, ord) => ({
        ord, record_id: e.recordId, seq: e.seq, id: e.id, at: e.at, kind: e.kind, event: e.event ?? null, from_stage: e.from ?? null,
        to_stage: e.to ?? null, actor_id: e.actorId ?? null, data: e.data ?? {},
      })))],
      want: [n],
      fail: () => new DealflowError('CONFLICT', `appendHistory: of ${n} events (records ${[...new Set(events.map((e) => `'${e.recordId}'`))].slice(0, 3).join(', ')}…), one is not the next event of its record or its id is taken`, {
        details: { recordIds: [...new Set(events.map((e) => e.recordId))].slice(0, 10), events: n },
      }),
    });
  }

  async listHistory(recordId: string, options?: { afterSeq?: number; limit?: number }): Promise<HistoryEvent[]> {
    this.check();
    await this.flush();
    return readHistory(this.db, this.s, this.tenantId, recordId, options);
  }

  async scheduleTimers(timers: TimerRecord[]): Promise<void> {
    this.check();
    if (timers.length === 0) return;
    for (const tm of timers) this.own('timer', tm.id, tm.tenantId);
    const seen = new Set<string>();
    const batches: TimerRecord[][] = [[]];
    for (const tm of timers) {
      // two timers with one key in one call: the later replaces the earlier, so split the batch
      const k = tm.key === null ? null : `${tm.recordId}\u0000${tm.key}`;
      if (k !== null && seen.has(k)) { batches.push([]); seen.clear(); }
      if (k !== null) seen.add(k);
      batches[batches.length - 1]!.push(tm);
    }
    const notify = this.t.notifyChannel;
    for (const batch of batches) {
      const fail = () => new DealflowError('CONFLICT', `scheduleTimers: a timer id of [${batch.map((b) => b.id).join(', ')}] already exists in tenant '${this.tenantId}'`, {
        details: { timerIds: batch.map((b) => b.id) },
      });
      let item: Deferred;
      if (batch.length === 1) {
        // one timer: plain parameters, and the replacement finds its row through the (record, key) index
        const tm = batch[0]!;
        const keyed = tm.key !== null;
        item = {
          key: `scheduleTimer${keyed ? ' keyed' : ''}${notify ? ' notify' : ''}`,
          what: `scheduleTimers '${tm.id}'`,
          tables: ['timers'],
          parts: keyed ? [this.sql.replaceOneTimer, this.sql.insertOneTimer] : [this.sql.insertOneTimer],
          values: [this.tenantId, tm.id, tm.recordId, tm.kind, tm.key, tm.dueAt, tm.event, json(tm.payload ?? {}), tm.stage, tm.recordVersion,
            tm.attempts ?? 0, tm.createdAt],
          want: keyed ? [null, 1] : [1],
          fail,
        };
        if (notify) { item.parts = [...item.parts, this.sql.notifyAfterOneTimer]; item.want = [...item.want, null]; item.values.push(notify, tm.dueAt); }
      } else {
        item = {
          key: `scheduleTimers ${batch.length}${notify ? ' notify' : ''}`,
          what: 'scheduleTimers',
          tables: ['timers'],
          parts: [this.sql.replaceTimers, this.sql.insertTimers],
          values: [this.tenantId, JSON.stringify(batch.map((tm) => ({
            id: tm.id, record_id: tm.recordId, kind: tm.kind, key: tm.key, due_at: tm.dueAt, event: tm.event, payload: tm.payload ?? {},
            stage: tm.stage, record_version: tm.recordVersion, attempts: tm.attempts ?? 0, created_at: tm.createdAt,
          })))],
          want: [null, batch.length],
          fail,
        };
        if (notify) {
          item.parts = [...item.parts, this.sql.notifyAfterTimers];
          item.want = [...item.want, null];
          item.values.push(notify, batch.map((tm) => tm.dueAt).sort()[0]!);
        }
        item.strict = item.parts.map((part) => (part === this.sql.insertTimers ? this.sql.insertTimersStrict : part));
      }
      item.timers = { write: 'schedule', ids: batch.map((tm) => tm.id), keys: batch.filter((tm) => tm.key !== null).map((tm) => timerKey(tm.recordId, tm.key!)) };
      for (const [id, t] of this.seen) if (t.key !== null && batch.some((tm) => tm.recordId === t.recordId && tm.key === t.key)) this.seen.delete(id);
      await this.defer(item);
      for (const tm of batch) {
        const known = this.known.get(tm.recordId);
        if (!known) continue;
        const kept = tm.key === null ? known : known.filter((a) => a.key !== tm.key);
        kept.push({ id: tm.id, kind: tm.kind, key: tm.key, stage: tm.stage });
        this.known.set(tm.recordId, kept);
      }
    }
  }

  async cancelTimers(recordId: string, filter: { kinds?: string[]; keys?: string[]; stage?: string } = {}): Promise<number> {
    this.check();
    const values = [this.tenantId, recordId, filter.kinds ?? null, filter.keys ?? null, filter.stage ?? null];
    for (const [id, t] of this.seen) if (t.recordId === recordId && matches(t, filter)) this.seen.delete(id);
    const known = this.known.get(recordId);
    if (!this.batch || !known || this.queue.some((q) => q.tables.includes('timers'))) {
      const n = await this.counted('timers', `cancelTimers '${recordId}'`, 'cancelTimers', this.sql.cancelTimers, values);
      if (known) this.known.set(recordId, known.filter((tm) => !matches(tm, filter)));
      return n;
    }
    // the count is foretold from the record's known active timers; the server checks it
    const hits = known.filter((tm) => matches(tm, filter));
    this.known.set(recordId, known.filter((tm) => !hits.includes(tm)));
    await this.defer({
      key: `cancelTimers ${hits.length}`,
      what: `cancelTimers '${recordId}'`,
      tables: ['timers'],
      parts: [this.sql.cancelTimers],
      values,
      want: [hits.length],
      timers: { write: 'cancel', ids: hits.map((tm) => tm.id), keys: hits.filter((tm) => tm.key !== null).map((tm) => timerKey(recordId, tm.key!)) },
      fail: (counts) => new DealflowError('CONFLICT', `cancelTimers of record '${recordId}': its active timers changed while the transaction ran (expected to cancel ${hits.length}, cancelled ${counts[0]})`, {
        details: { recordId, expected: hits.length, cancelled: counts[0] },
      }),
    });
    return hits.length;
  }

  async listTimers(recordId: string, options: { status?: TimerStatus[] } = {}): Promise<TimerRecord[]> {
    this.check();
    await this.flush();
    const { rows } = await run(this.db, `listTimers '${recordId}'`, this.sql.listTimers, [this.tenantId, recordId, options.status ?? null]);
    return rows.map(timerFromRow);
  }

  async listTimersOf(recordIds: readonly string[], options: { status?: TimerStatus[] } = {}): Promise<TimerRecord[]> {
    this.check();
    checkBatchSize('listTimersOf', recordIds.length);
    if (recordIds.length === 0 || options.status?.length === 0) return [];
    await this.flush();
    const active = options.status !== undefined && options.status.every((s) => s === 'pending' || s === 'claimed');
    const { rows } = await run(this.db, `listTimersOf (${recordIds.length})`, active ? this.sql.listActiveTimersOf : this.sql.listTimersOf,
      [this.tenantId, [...recordIds], options.status ?? null]);
    return rows.map(timerFromRow);
  }

  async getTimer(timerId: string): Promise<TimerRecord | null> {
    this.check();
    await this.flush();
    const { rows } = await run(this.db, `getTimer '${timerId}'`, this.sql.getTimer, [this.tenantId, timerId]);
    const timer = rows[0] ? timerFromRow(rows[0]) : null;
    if (timer) {
      this.seen.set(timerId, { id: timer.id, kind: timer.kind, key: timer.key, stage: timer.stage, recordId: timer.recordId, status: timer.status, leaseOwner: timer.leaseOwner });
    }
    else this.seen.delete(timerId);
    return timer;
  }

  async completeTimer(timerId: string, workerId: string | null, outcome: string, at: string): Promise<boolean> {
    this.check();
    const seen = this.seen.get(timerId);
    this.seen.delete(timerId);
    const text = workerId === null ? this.sql.completePendingTimer : this.sql.completeClaimedTimer;
    const values = workerId === null ? [this.tenantId, timerId, outcome, at] : [this.tenantId, timerId, outcome, at, workerId];
    const held = seen !== undefined && (workerId === null ? seen.status === 'pending' : seen.status === 'claimed' && seen.leaseOwner === workerId);
    // where the timer is (its record and key), when this transaction knows: from getTimer, or from a locked record's active timers
    let where = seen ? { recordId: seen.recordId, key: seen.key } : undefined;
    if (!where) {
      for (const [recordId, known] of this.known) {
        const tm = known.find((a) => a.id === timerId);
        if (tm) { where = { recordId, key: tm.key }; break; }
      }
    }
    const item: Deferred = {
      key: workerId === null ? 'completePendingTimer' : 'completeClaimedTimer',
      what: `completeTimer '${timerId}'`,
      tables: ['timers'],
      parts: [text],
      values,
      want: [1],
      ...(where ? { timers: { write: 'complete' as const, ids: [timerId], keys: where.key === null ? [] : [timerKey(where.recordId, where.key)] } } : {}),
      fail: () => new DealflowError('CONFLICT', `timer '${timerId}' is no longer ${workerId === null ? 'pending' : `claimed by '${workerId}'`} (it was when this transaction read it)`, {
        details: { timerId, workerId },
      }),
    };
    let done: boolean;
    if (this.batch && held && !this.queue.some((q) => clash(q, item))) {
      // foretold: this transaction read the timer as held; the server checks it at commit
      this.queue.push(item);
      done = true;
    } else {
      // asked: with the queued writes when they touch other timers (a firing: its transition's cancel and schedule)
      done = (await this.counted('timers', `completeTimer '${timerId}'`, item.key, text, values, item.timers)) === 1;
    }
    if (done) for (const [recordId, known] of this.known) this.known.set(recordId, known.filter((tm) => tm.id !== timerId));
    return done;
  }

  async getIdempotency(key: string): Promise<{ fingerprint: string; result: unknown } | undefined> {
    this.check();
    await this.flush();
    const { rows } = await run(this.db, `getIdempotency '${key}'`, this.sql.getIdempotency, [this.tenantId, key]);
    const r = rows[0];
    return r ? { fingerprint: r.fingerprint as string, result: r.result } : undefined;
  }

  async putIdempotency(key: string, fingerprint: string, result: unknown, at: string): Promise<void> {
    this.check();
    await this.defer({
      key: 'putIdempotency',
      what: `putIdempotency '${key}'`,
      tables: ['idempotency'],
      parts: [this.sql.putIdempotency],
      values: [this.tenantId, key, fingerprint, json(result), at],
      want: [1],
      fail: () => new DealflowError('CONFLICT', `idempotency key '${key}' is already used in tenant '${this.tenantId}'`, { details: { key } }),
    });
  }

  async incrementCounter(key: string, by = 1): Promise<number> {
    this.check();
    await this.flush();
    const { rows } = await run(this.db, `incrementCounter '${key}'`, this.sql.incrementCounter, [this.tenantId, key, by]);
    return Number(rows[0]!.value);
  }

  async getCounter(key: string): Promise<number> {
    this.check();
    await this.flush();
    const { rows } = await run(this.db, `getCounter '${key}'`, this.sql.getCounter, [this.tenantId, key]);
    return rows[0] ? Number(rows[0].value) : 0;
  }

  async setCounter(key: string, value: number): Promise<void> {
    this.check();
    // queued like the other writes (an upsert writes its one row; reads flush the queue first)
    await this.defer({
      key: 'setCounter',
      what: `setCounter '${key}'`,
      tables: ['counters'],
      parts: [this.sql.setCounter],
      values: [this.tenantId, key, value],
      want: [1],
      fail: () => new DealflowError('STORAGE', `setCounter '${key}': the counter row was not written`, { details: { key } }),
    });
  }

  async claimUniqueKeys(recordId: string, keys: string[]): Promise<UniqueKeyConflict[]> {
    this.check();
    await this.flush();
    if (keys.length === 0) return [];
    await run(this.db, 'claimUniqueKeys', 'SAVEPOINT dealflow_unique_keys');
    const { rows: inserted } = await run(this.db, 'claimUniqueKeys', this.sql.claimUniqueKeys, [this.tenantId, recordId, [...new Set(keys)]]);
    const got = new Set(inserted.map((r) => r.key as string));
    const missing = keys.filter((k) => !got.has(k));
    let conflicts: UniqueKeyConflict[] = [];
    if (missing.length > 0) {
      // a fresh statement sees keys committed by concurrent claimers we waited for
      const { rows } = await run(this.db, 'claimUniqueKeys', this.sql.uniqueKeyHolders, [this.tenantId, missing, recordId]);
      const holder = new Map(rows.map((r) => [r.key as string, r.record_id as string]));
      conflicts = missing.filter((k) => holder.has(k)).map((k) => ({ key: k, recordId: holder.get(k)! }));
    }
    await run(this.db, 'claimUniqueKeys', conflicts.length > 0 ? 'ROLLBACK TO SAVEPOINT dealflow_unique_keys' : 'RELEASE SAVEPOINT dealflow_unique_keys');
    return conflicts;
  }

  async releaseUniqueKeys(recordId: string, keys?: string[]): Promise<void> {
    this.check();
    await this.flush();
    await run(this.db, 'releaseUniqueKeys', this.sql.releaseUniqueKeys, [this.tenantId, recordId, keys ?? null]);
  }

  async findUniqueKey(key: string): Promise<string | null> {
    this.check();
    await this.flush();
    const { rows } = await run(this.db, 'findUniqueKey', this.sql.findUniqueKey, [this.tenantId, key]);
    return (rows[0]?.record_id as string | undefined) ?? null;
  }

  async appendOutbox(messages: OutboxMessage[]): Promise<void> {
    this.check();
    if (messages.length === 0) return;
    for (const m of messages) this.own('outbox message', m.id, m.tenantId);
    if (messages.length === 1) {
      const m = messages[0]!;
      await this.defer({
        key: 'appendOutbox',
        what: 'appendOutbox',
        tables: ['outbox'],
        parts: [this.sql.appendOneOutbox],
        values: [this.tenantId, m.id, m.recordId ?? null, m.type, json(m.payload ?? {}), m.createdAt],
        want: [null],
        fail: () => new DealflowError('STORAGE', 'appendOutbox: unchecked write reported as failed'),
      });
      return;
    }
    await this.defer({
      key: 'appendOutboxes',
      what: 'appendOutbox',
      tables: ['outbox'],
      parts: [this.sql.appendOutbox],
      values: [this.tenantId, JSON.stringify(messages.map((m) => ({ id: m.id, record_id: m.recordId ?? null, type: m.type, payload: m.payload ?? {}, created_at: m.createdAt })))],
      want: [null],
      fail: () => new DealflowError('STORAGE', 'appendOutbox: unchecked write reported as failed'),
    });
  }

  async replaceTasks(recordId: string, rows: TaskRow[]): Promise<void> {
    this.check();
    checkTaskRows(this.tenantId, recordId, rows);
    await this.flush();
    const list = rows.map((r) => ({ id: r.id, record_type: r.recordType, kind: r.kind, title: r.title, owner_id: r.ownerId, team_id: r.teamId, status: r.status, due_at: r.dueAt }));
    await run(this.db, `replaceTasks '${recordId}'`, this.sql.replaceTasks, [this.tenantId, recordId, JSON.stringify(list)]);
  }

  async listTasks(recordId: string): Promise<TaskRow[]> {
    this.check();
    await this.flush();
    const { rows } = await run(this.db, `listTasks '${recordId}'`, this.sql.listTasks, [this.tenantId, recordId]);
    return rows.map(taskFromRow);
  }
}
