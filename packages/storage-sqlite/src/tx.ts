import { checkBatchSize, checkTaskRows, deadlineQuerySql, DealflowError, nextVersionMismatch, taskQuerySql, versionConflict } from '@dealflow/core/storage';
import type {
  DeadlineQuery, DeadlineRow, HistoryEvent, OutboxMessage, RecordQuery, StorageTx, StoredRecord, TaskQuery, TaskRow, TimerRecord, TimerStatus,
  UniqueKeyConflict,
} from '@dealflow/core/storage';
import { recordPage, recordWhere } from './query.js';
import {
  deadlineFromRow, historyFromRow, json, RECORD_COLUMNS, recordColumns, recordFromRow, recordParams, recordRow, taskFromRow, timerFromRow,
  type DeadlineIndexRow, type HistoryRow, type RecordRow, type TaskIndexRow, type TimerRow,
} from './rows.js';
import type { SqliteStatement } from './driver.js';

/** Prepared-statement cache shared by the store and its transactions. */
export type Prepare = (sql: string) => SqliteStatement;

const INSERT_RECORD = `INSERT INTO records (tenant_id, id, type, blueprint_id, blueprint_version, stage, version, fields,
  owner_id, team_id, meta, stage_entered_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function isConstraint(error: unknown): boolean {
  return typeof (error as { code?: unknown })?.code === 'string' && (error as { code: string }).code.startsWith('SQLITE_CONSTRAINT');
}

const SELECT_RECORD = 'SELECT * FROM records WHERE tenant_id = ? AND id = ?';
/** Records of a JSON array of ids. */
const SELECT_RECORDS = 'SELECT * FROM records WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?))';
const EXISTING_IDS = 'SELECT id FROM records WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?)) LIMIT 1';

/**
 * The next outbox position: one more than the newest row's, and than any position ever acknowledged
 * (outbox_floor), so positions keep increasing after acks delete the newest rows. Writers are
 * serialized (`BEGIN IMMEDIATE`), so positions also increase in commit order.
 */
const INSERT_OUTBOX = `INSERT INTO outbox (position, tenant_id, id, record_id, type, payload, created_at)
  VALUES ((SELECT max(COALESCE((SELECT max(position) FROM outbox), 0), position) + 1 FROM outbox_floor), ?, ?, ?, ?, ?, ?)`;

const LAST_SEQ = 'SELECT MAX(seq) AS s FROM history WHERE tenant_id = ? AND record_id = ?';

const CANCEL_TIMER = `UPDATE timers SET status = 'cancelled', finished_at = ?, lease_owner = NULL, lease_until = NULL, outcome = 'cancelled'
  WHERE rowid = ?`;

/** A record's active (pending or claimed) timers, through the small partial index. */
const ACTIVE_TIMERS = `SELECT rowid, kind, key, stage FROM timers INDEXED BY timers_active_by_record
  WHERE tenant_id = ? AND record_id = ? AND status IN ('pending', 'claimed')`;

const updateSql = new Map<number, string>();

/** `UPDATE records` of the columns in `mask` (bits follow RECORD_COLUMNS), guarded by the expected version. */
function updateRecordSql(mask: number): string {
  let sql = updateSql.get(mask);
  if (sql === undefined) {
    const set = RECORD_COLUMNS.filter((_, i) => (mask & (1 << i)) !== 0).map((c) => `${c} = ?`);
    sql = `UPDATE records SET ${set.join(', ')} WHERE tenant_id = ? AND id = ? AND version = ?`;
    updateSql.set(mask, sql);
  }
  return sql;
}

/** Reads shared by transactions and the store's out-of-transaction reads. */
export function readRecord(prepare: Prepare, tenantId: string, id: string): StoredRecord | null {
  const row = prepare(SELECT_RECORD).get(tenantId, id) as RecordRow | undefined;
  return row ? recordFromRow(row) : null;
}

export function readRecords(prepare: Prepare, tenantId: string, q: RecordQuery): StoredRecord[] {
  const { where, params } = recordWhere(tenantId, q);
  const sql = `SELECT * FROM records WHERE ${where}${recordPage(q, params)}`;
  return (prepare(sql).all(...params) as RecordRow[]).map(recordFromRow);
}

export function readHistory(
  prepare: Prepare, tenantId: string, recordId: string, options: { afterSeq?: number; limit?: number } = {},
): HistoryEvent[] {
  const rows = prepare(
    'SELECT * FROM history WHERE tenant_id = ? AND record_id = ? AND seq > ? ORDER BY seq LIMIT ?',
  ).all(tenantId, recordId, options.afterSeq ?? 0, options.limit ?? -1) as HistoryRow[];
  return rows.map(historyFromRow);
}

/** The history of many records (see `Storage.listHistories`): one read over a JSON array of the ids. */
export function readHistories(prepare: Prepare, tenantId: string, recordIds: readonly string[]): HistoryEvent[] {
  checkBatchSize('listHistories', recordIds.length);
  const ids = [...new Set(recordIds)];
  if (ids.length === 0) return [];
  const rows = prepare(
    'SELECT h.* FROM json_each(?) AS x JOIN history h ON h.tenant_id = ? AND h.record_id = x.value ORDER BY x.key, h.seq',
  ).all(JSON.stringify(ids), tenantId) as HistoryRow[];
  return rows.map(historyFromRow);
}

const sqliteParam = () => '?';

/** Rows of the task index matching a query (tasks_by_owner / tasks_by_team). */
export function readTasks(prepare: Prepare, tenantId: string, q: TaskQuery): TaskRow[] {
  const { where, orderBy, params, limit } = taskQuerySql(tenantId, q, sqliteParam);
  return (prepare(`SELECT * FROM tasks WHERE ${where} ORDER BY ${orderBy} LIMIT ?`).all(...params, limit) as TaskIndexRow[]).map(taskFromRow);
}

/** Pending stage deadlines of records matching a query (records by owner or team, then each record's active timers). */
export function readDeadlines(prepare: Prepare, tenantId: string, q: DeadlineQuery): DeadlineRow[] {
  const { where, orderBy, params, limit } = deadlineQuerySql(tenantId, q, sqliteParam);
  const sql = `SELECT r.id, r.type, r.stage, r.owner_id, r.team_id, t.due_at, t.id AS timer_id
    FROM records r JOIN timers t INDEXED BY timers_active_by_record WHERE ${where} ORDER BY ${orderBy} LIMIT ?`;
  return (prepare(sql).all(...params, limit) as DeadlineIndexRow[]).map(deadlineFromRow);
}

/** The operations of one SQLite transaction (the connection is inside `BEGIN IMMEDIATE`). */
export class SqliteTx implements StorageTx {
  active = true;
  /** Record rows as this transaction read or wrote them (updateRecord writes only what changed). */
  private readonly rows = new Map<string, RecordRow>();
  /**
   * Keys of each record's active (pending or claimed) timers, as this transaction last saw them
   * whole (cancelTimers reads them all). scheduleTimers then skips the key-replacement UPDATE for a
   * key no active timer holds. Transactions run one at a time, so only this one changes them;
   * anything else that changes a timer's status forgets what is known.
   */
  private readonly activeKeys = new Map<string, Set<string | null>>();

  constructor(
    readonly tenantId: string,
    private readonly prepare: Prepare,
  ) {}

  private check(): void {
    if (!this.active) {
      throw new DealflowError('CLOSED', `transaction of tenant '${this.tenantId}' was already committed or rolled back`);
    }
  }

  private own(kind: string, id: string, tenantId: string): void {
    if (tenantId !== this.tenantId) {
      throw new DealflowError('INPUT_INVALID', `${kind} '${id}' belongs to tenant '${tenantId}', not to this transaction's tenant '${this.tenantId}'`, {
        details: { id, tenantId, txTenantId: this.tenantId },
      });
    }
  }

  async getRecord(id: string): Promise<StoredRecord | null> {
    this.check();
    const row = this.prepare(SELECT_RECORD).get(this.tenantId, id) as RecordRow | undefined;
    if (!row) return null;
    this.rows.set(id, row);
    return recordFromRow(row);
  }

  async getRecords(ids: readonly string[]): Promise<StoredRecord[]> {
    this.check();
    checkBatchSize('getRecords', ids.length);
    if (ids.length === 0) return [];
    const rows = this.prepare(SELECT_RECORDS).all(this.tenantId, JSON.stringify(ids)) as RecordRow[];
    return rows.map((row) => {
      this.rows.set(row.id, row);
      return recordFromRow(row);
    });
  }

  async queryRecords(query: RecordQuery): Promise<StoredRecord[]> {
    this.check();
    return readRecords(this.prepare, this.tenantId, query);
  }

  async countRecords(query: RecordQuery): Promise<number> {
    this.check();
    const { where, params } = recordWhere(this.tenantId, query);
    const row = this.prepare(`SELECT COUNT(*) AS n FROM records WHERE ${where}`).get(...params) as { n: number };
    return row.n;
  }

  async insertRecord(record: StoredRecord): Promise<void> {
    this.check();
    this.own('record', record.id, record.tenantId);
    if (record.version !== 1) {
      throw new DealflowError('INPUT_INVALID', `record '${record.id}': a new record must have version 1, got ${record.version}`, {
        details: { recordId: record.id, version: record.version },
      });
    }
    try {
      this.prepare(INSERT_RECORD).run(...recordParams(this.tenantId, record));
    } catch (error) {
      if (isConstraint(error)) {
        throw new DealflowError('CONFLICT', `record '${record.id}' already exists in tenant '${this.tenantId}'`, {
          cause: error, details: { recordId: record.id },
        });
      }
      throw error;
    }
  }

  async insertRecords(records: readonly StoredRecord[]): Promise<void> {
    this.check();
    checkBatchSize('insertRecords', records.length);
    if (records.length === 0) return;
    const seen = new Set<string>();
    for (const r of records) {
      this.own('record', r.id, r.tenantId);
      if (r.version !== 1) {
        throw new DealflowError('INPUT_INVALID', `record '${r.id}': a new record must have version 1, got ${r.version}`, { details: { recordId: r.id, version: r.version } });
      }
      if (seen.has(r.id)) throw new DealflowError('CONFLICT', `record '${r.id}' appears twice in insertRecords`, { details: { recordId: r.id } });
      seen.add(r.id);
    }
    const taken = this.prepare(EXISTING_IDS).get(this.tenantId, JSON.stringify([...seen])) as { id: string } | undefined;
    if (taken) {
      throw new DealflowError('CONFLICT', `record '${taken.id}' already exists in tenant '${this.tenantId}'`, { details: { recordId: taken.id } });
    }
    // one transaction already holds the write lock: a prepared statement per row is SQLite's fastest bulk insert
    const insert = this.prepare(INSERT_RECORD);
    for (const r of records) insert.run(...recordParams(this.tenantId, r));
  }

  async updateRecord(record: StoredRecord, expectedVersion: number): Promise<void> {
    this.check();
    this.own('record', record.id, record.tenantId);
    if (record.version !== expectedVersion + 1) {
      throw nextVersionMismatch(record.id, expectedVersion, record.version);
    }
    const values = recordColumns(record);
    // write only the columns that differ from the row this transaction read: an index whose
    // columns are not written is not touched (no page of it changes, no WAL frame at COMMIT)
    const before = this.rows.get(record.id);
    let mask = 0;
    const params: unknown[] = [];
    for (let i = 0; i < values.length; i++) {
      if (before === undefined || before.version !== expectedVersion || values[i] !== before[RECORD_COLUMNS[i]!]) {
        mask |= 1 << i;
        params.push(values[i]);
      }
    }
    params.push(this.tenantId, record.id, expectedVersion);
    const res = this.prepare(updateRecordSql(mask)).run(...params);
    if (res.changes === 0) {
      this.rows.delete(record.id);
      throw versionConflict(record.id, expectedVersion, readRecord(this.prepare, this.tenantId, record.id)?.version ?? null);
    }
    this.rows.set(record.id, recordRow(this.tenantId, record.id, values));
  }

  async appendHistory(events: HistoryEvent[]): Promise<void> {
    this.check();
    const next = new Map<string, number>();
    for (const e of events) {
      this.own('history event', e.id, e.tenantId);
      let last = next.get(e.recordId);
      if (last === undefined) {
        const row = this.prepare(LAST_SEQ).get(this.tenantId, e.recordId) as { s: number | null };
        last = row.s ?? 0;
      }
      if (e.seq !== last + 1) {
        throw new DealflowError('CONFLICT', `history of record '${e.recordId}': event seq ${e.seq} is not the next seq ${last + 1}`, {
          details: { recordId: e.recordId, seq: e.seq, expectedSeq: last + 1 },
        });
      }
      next.set(e.recordId, e.seq);
    }
    const insert = this.prepare(`INSERT INTO history (tenant_id, record_id, seq, id, at, kind, event, from_stage, to_stage, actor_id, data)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const e of events) {
      try {
        insert.run(this.tenantId, e.recordId, e.seq, e.id, e.at, e.kind, e.event ?? null, e.from ?? null, e.to ?? null, e.actorId ?? null, json(e.data));
      } catch (error) {
        if (isConstraint(error)) {
          throw new DealflowError('CONFLICT', `history event '${e.id}' of record '${e.recordId}' (seq ${e.seq}) already exists`, {
            cause: error, details: { recordId: e.recordId, seq: e.seq, id: e.id },
          });
        }
        throw error;
      }
    }
  }

  async listHistory(recordId: string, options?: { afterSeq?: number; limit?: number }): Promise<HistoryEvent[]> {
    this.check();
    return readHistory(this.prepare, this.tenantId, recordId, options);
  }

  async scheduleTimers(timers: TimerRecord[]): Promise<void> {
    this.check();
    const replace = this.prepare(`UPDATE timers INDEXED BY timers_active_by_record SET status = 'cancelled', finished_at = ?, lease_owner = NULL, lease_until = NULL, outcome = 'replaced'
      WHERE tenant_id = ? AND record_id = ? AND key = ? AND status IN ('pending', 'claimed')`);
    const insert = this.prepare(`INSERT INTO timers (tenant_id, id, record_id, kind, key, due_at, event, payload, stage, record_version,
      status, lease_owner, lease_until, attempts, created_at, finished_at, outcome)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', NULL, NULL, ?, ?, NULL, NULL)`);
    for (const t of timers) {
      this.own('timer', t.id, t.tenantId);
      const known = this.activeKeys.get(t.recordId);
      if (t.key !== null && (known === undefined || known.has(t.key))) {
        replace.run(t.createdAt, this.tenantId, t.recordId, t.key);
        known?.delete(t.key);
      }
      try {
        insert.run(this.tenantId, t.id, t.recordId, t.kind, t.key, t.dueAt, t.event, json(t.payload), t.stage, t.recordVersion, t.attempts ?? 0, t.createdAt);
      } catch (error) {
        this.activeKeys.clear();
        if (isConstraint(error)) {
          throw new DealflowError('CONFLICT', `timer '${t.id}' already exists in tenant '${this.tenantId}'`, { cause: error, details: { timerId: t.id } });
        }
        throw error;
      }
      known?.add(t.key);
    }
  }

  async cancelTimers(recordId: string, filter: { kinds?: string[]; keys?: string[]; stage?: string } = {}): Promise<number> {
    this.check();
    const { kinds, keys, stage } = filter;
    if (kinds?.length === 0 || keys?.length === 0) return 0;
    // read the record's active timers by index (a handful), pick the matches here and cancel them
    // by rowid (an UPDATE that removes entries from the index it walks would first copy the matches
    // aside); what stays active is noted for scheduleTimers
    const all = this.prepare(ACTIVE_TIMERS).all(this.tenantId, recordId) as { rowid: number; kind: string; key: string | null; stage: string | null }[];
    const remaining = new Set<string | null>();
    const cancel = this.prepare(CANCEL_TIMER);
    let now: string | undefined;
    let n = 0;
    for (const t of all) {
      const match = (!kinds || kinds.includes(t.kind)) && (!keys || (t.key !== null && keys.includes(t.key))) && (stage === undefined || t.stage === stage);
      if (match) {
        cancel.run((now ??= new Date().toISOString()), t.rowid);
        n++;
      } else remaining.add(t.key);
    }
    this.activeKeys.set(recordId, remaining);
    return n;
  }

  async listTimers(recordId: string, options: { status?: TimerStatus[] } = {}): Promise<TimerRecord[]> {
    this.check();
    const params: unknown[] = [this.tenantId, recordId];
    let sql = 'SELECT * FROM timers WHERE tenant_id = ? AND record_id = ?';
    if (options.status) {
      if (options.status.length === 0) return [];
      // only pending or claimed: the small partial index timers_active_by_record has them
      if (options.status.every((st) => st === 'pending' || st === 'claimed')) {
        sql = "SELECT * FROM timers INDEXED BY timers_active_by_record WHERE tenant_id = ? AND record_id = ? AND status IN ('pending', 'claimed')";
      }
      sql += ` AND status IN (${options.status.map(() => '?').join(', ')})`;
      params.push(...options.status);
    }
    return (this.prepare(`${sql} ORDER BY due_at, id`).all(...params) as TimerRow[]).map(timerFromRow);
  }

  async getTimer(timerId: string): Promise<TimerRecord | null> {
    this.check();
    const row = this.prepare('SELECT * FROM timers WHERE tenant_id = ? AND id = ?').get(this.tenantId, timerId) as TimerRow | undefined;
    return row ? timerFromRow(row) : null;
  }

  async completeTimer(timerId: string, workerId: string | null, outcome: string, at: string): Promise<boolean> {
    this.check();
    this.activeKeys.clear();
    const res = workerId === null
      ? this.prepare(`UPDATE timers SET status = 'done', outcome = ?, finished_at = ? WHERE tenant_id = ? AND id = ? AND status = 'pending'`)
          .run(outcome, at, this.tenantId, timerId)
      : this.prepare(`UPDATE timers SET status = 'done', outcome = ?, finished_at = ?, lease_until = NULL
          WHERE tenant_id = ? AND id = ? AND status = 'claimed' AND lease_owner = ?`).run(outcome, at, this.tenantId, timerId, workerId);
    return res.changes === 1;
  }

  async getIdempotency(key: string): Promise<{ fingerprint: string; result: unknown } | undefined> {
    this.check();
    const row = this.prepare('SELECT fingerprint, result FROM idempotency WHERE tenant_id = ? AND key = ?').get(this.tenantId, key) as
      | { fingerprint: string; result: string }
      | undefined;
    return row ? { fingerprint: row.fingerprint, result: JSON.parse(row.result) as unknown } : undefined;
  }

  async putIdempotency(key: string, fingerprint: string, result: unknown, at: string): Promise<void> {
    this.check();
    try {
      this.prepare('INSERT INTO idempotency (tenant_id, key, fingerprint, result, at) VALUES (?, ?, ?, ?, ?)').run(this.tenantId, key, fingerprint, json(result), at);
    } catch (error) {
      if (isConstraint(error)) {
        throw new DealflowError('CONFLICT', `idempotency key '${key}' is already used in tenant '${this.tenantId}'`, { cause: error, details: { key } });
      }
      throw error;
    }
  }

  async incrementCounter(key: string, by = 1): Promise<number> {
    this.check();
    const row = this.prepare(`INSERT INTO counters (tenant_id, key, value) VALUES (?, ?, ?)
      ON CONFLICT (tenant_id, key) DO UPDATE SET value = value + excluded.value RETURNING value`).get(this.tenantId, key, by) as { value: number };
    return row.value;
  }

  async getCounter(key: string): Promise<number> {
    this.check();
    const row = this.prepare('SELECT value FROM counters WHERE tenant_id = ? AND key = ?').get(this.tenantId, key) as { value: number } | undefined;
    return row?.value ?? 0;
  }

  async setCounter(key: string, value: number): Promise<void> {
    this.check();
    this.prepare(`INSERT INTO counters (tenant_id, key, value) VALUES (?, ?, ?)
      ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value`).run(this.tenantId, key, value);
  }

  async claimUniqueKeys(recordId: string, keys: string[]): Promise<UniqueKeyConflict[]> {
    this.check();
    const find = this.prepare('SELECT record_id FROM unique_keys WHERE tenant_id = ? AND key = ?');
    const conflicts: UniqueKeyConflict[] = [];
    for (const key of keys) {
      const row = find.get(this.tenantId, key) as { record_id: string } | undefined;
      if (row && row.record_id !== recordId) conflicts.push({ key, recordId: row.record_id });
    }
    if (conflicts.length > 0) return conflicts;
    const insert = this.prepare('INSERT OR IGNORE INTO unique_keys (tenant_id, key, record_id) VALUES (?, ?, ?)');
    for (const key of keys) insert.run(this.tenantId, key, recordId);
    return [];
  }

  async releaseUniqueKeys(recordId: string, keys?: string[]): Promise<void> {
    this.check();
    if (keys === undefined) {
      this.prepare('DELETE FROM unique_keys WHERE tenant_id = ? AND record_id = ?').run(this.tenantId, recordId);
      return;
    }
    const del = this.prepare('DELETE FROM unique_keys WHERE tenant_id = ? AND record_id = ? AND key = ?');
    for (const key of keys) del.run(this.tenantId, recordId, key);
  }

  async findUniqueKey(key: string): Promise<string | null> {
    this.check();
    const row = this.prepare('SELECT record_id FROM unique_keys WHERE tenant_id = ? AND key = ?').get(this.tenantId, key) as { record_id: string } | undefined;
    return row?.record_id ?? null;
  }

  async appendOutbox(messages: OutboxMessage[]): Promise<void> {
    this.check();
    const insert = this.prepare(INSERT_OUTBOX);
    for (const m of messages) {
      this.own('outbox message', m.id, m.tenantId);
      insert.run(this.tenantId, m.id, m.recordId ?? null, m.type, json(m.payload), m.createdAt);
    }
  }

  async replaceTasks(recordId: string, rows: TaskRow[]): Promise<void> {
    this.check();
    checkTaskRows(this.tenantId, recordId, rows);
    this.prepare('DELETE FROM tasks WHERE tenant_id = ? AND record_id = ?').run(this.tenantId, recordId);
    const insert = this.prepare(`INSERT INTO tasks (tenant_id, record_id, id, record_type, kind, title, owner_id, team_id, status, due_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const r of rows) insert.run(this.tenantId, recordId, r.id, r.recordType, r.kind, r.title, r.ownerId, r.teamId, r.status, r.dueAt);
  }

  async listTasks(recordId: string): Promise<TaskRow[]> {
    this.check();
    const rows = this.prepare('SELECT * FROM tasks WHERE tenant_id = ? AND record_id = ? ORDER BY due_at IS NULL, due_at, id').all(this.tenantId, recordId);
    return (rows as TaskIndexRow[]).map(taskFromRow);
  }
}
