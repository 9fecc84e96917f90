import { DealflowError, nextVersionMismatch, versionConflict } from '@dealflow/core';
import type {
  HistoryEvent, OutboxMessage, RecordQuery, StorageTx, StoredRecord, TimerRecord, TimerStatus, UniqueKeyConflict,
} from '@dealflow/core';
import type { PgQueryable } from './driver.js';
import { pgError } from './errors.js';
import { recordPage, recordWhere } from './query.js';
import { historyFromRow, recordFromRow, timerFromRow } from './rows.js';

/** Table names qualified with the store's schema. */
export interface Tables {
  records: string; history: string; timers: string; idempotency: string; counters: string;
  uniqueKeys: string; outbox: string; outboxHead: string;
  /** Channel for NOTIFY on new timers, or null when notifications are off. */
  notifyChannel: string | null;
}

type Row = Record<string, unknown>;

const names = new Map<string, string>();
/** A stable statement name for a query text (FNV-1a), so pg prepares it once per connection. */
function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    name = `dealflow_${(h >>> 0).toString(36)}_${text.length.toString(36)}`;
    if (names.size < 10_000) names.set(text, name);
  }
  return name;
}

/**
 * Runs one parameterized query. Fixed-text queries (the default) run as named prepared statements;
 * queries built from caller input (record filters) pass `prepared: false`.
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

export async function readRecord(db: PgQueryable, t: Tables, tenantId: string, id: string, forUpdate = false): Promise<StoredRecord | null> {
  const { rows } = await run(db, `getRecord '${id}'`, `SELECT * FROM ${t.records} WHERE tenant_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [tenantId, id]);
  return rows[0] ? recordFromRow(rows[0]) : null;
}

export async function readRecords(db: PgQueryable, t: Tables, tenantId: string, q: RecordQuery): Promise<StoredRecord[]> {
  const { where, params } = recordWhere(tenantId, q);
  const { rows } = await run(db, 'queryRecords', `SELECT * FROM ${t.records} WHERE ${where}${recordPage(q, params)}`, params, false);
  return rows.map(recordFromRow);
}

export async function readHistory(
  db: PgQueryable, t: Tables, tenantId: string, recordId: string, o: { afterSeq?: number; limit?: number } = {},
): Promise<HistoryEvent[]> {
  const { rows } = await run(
    db, `listHistory '${recordId}'`,
    `SELECT * FROM ${t.history} WHERE tenant_id = $1 AND record_id = $2 AND seq > $3 ORDER BY seq LIMIT $4`,
    [tenantId, recordId, o.afterSeq ?? 0, o.limit ?? null],
  );
  return rows.map(historyFromRow);
}

const json = (v: unknown): string => JSON.stringify(v ?? null);

/** A queued write: data-modifying statements (each `RETURNING 1`) and the check of their row counts. */
interface Deferred {
  what: string;
  tables: string[];
  parts: string[];
  values: unknown[];
  check: (counts: number[]) => void | Promise<void>;
}

/** The operations of one PostgreSQL transaction on one pooled connection. */
export class PgTx implements StorageTx {
  active = true;

  constructor(
    readonly tenantId: string,
    private readonly db: PgQueryable,
    private readonly t: Tables,
    /** Batch result-less writes into fewer round trips (see {@link PgTx.flush}). */
    private readonly batch = true,
  ) {}

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
  // statement that needs an answer (as data-modifying CTEs of one statement), or at commit, so a
  // transition costs fewer round trips. A queued write never shares a statement with another
  // statement on the same table (they would see the same snapshot), and reads flush the queue
  // first, so every read sees the transaction's writes. A failing check (CONFLICT) surfaces at the
  // next call or at commit; the transaction fails whole either way.
  private queue: Deferred[] = [];

  private defer(item: Deferred): Promise<void> | void {
    if (!this.batch) return this.execute([item], null).then(() => undefined);
    if (this.queue.some((q) => q.tables.some((t) => item.tables.includes(t)))) {
      return this.flush().then(() => { this.queue.push(item); });
    }
    this.queue.push(item);
  }

  /** Sends the queued writes (the store calls this before reads and at commit). */
  async flush(): Promise<void> {
    if (this.queue.length === 0) return;
    const items = this.queue;
    this.queue = [];
    await this.execute(items, null);
  }

  /** Runs a write that must answer a row count, together with the queued writes when it can. */
  private async counted(table: string, what: string, text: string, values: unknown[]): Promise<number> {
    if (this.queue.some((q) => q.tables.includes(table))) await this.flush();
    if (this.queue.length === 0) return (await run(this.db, what, text, values)).rowCount;
    const items = this.queue;
    this.queue = [];
    return (await this.execute(items, { text: `${text} RETURNING 1`, values }))!;
  }

  private async execute(items: Deferred[], main: { text: string; values: unknown[] } | null): Promise<number | null> {
    if (items.length === 1 && items[0]!.parts.length === 1 && !main) {
      const item = items[0]!;
      const { rowCount } = await run(this.db, item.what, item.parts[0]!, item.values);
      await item.check([rowCount]);
      return null;
    }
    const ctes: string[] = [];
    const values: unknown[] = [];
    const shift = (text: string, offset: number) => text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
    for (const item of items) {
      const offset = values.length;
      for (const part of item.parts) ctes.push(`c${ctes.length} AS (${shift(part, offset)})`);
      values.push(...item.values);
    }
    if (main) {
      ctes.push(`c${ctes.length} AS (${shift(main.text, values.length)})`);
      values.push(...main.values);
    }
    const counts = ctes.map((_, i) => `(SELECT count(*) FROM c${i})::int AS n${i}`);
    const { rows } = await run(this.db, items.map((i) => i.what).join(' + '), `WITH ${ctes.join(',\n')} SELECT ${counts.join(', ')}`, values);
    const row = rows[0]!;
    let k = 0;
    for (const item of items) {
      const got = item.parts.map(() => Number(row[`n${k++}`]));
      await item.check(got);
    }
    return main ? Number(row[`n${k}`]) : null;
  }

  async getRecord(id: string, options?: { forUpdate?: boolean }): Promise<StoredRecord | null> {
    this.check();
    await this.flush();
    return readRecord(this.db, this.t, this.tenantId, id, options?.forUpdate === true);
  }

  async queryRecords(query: RecordQuery): Promise<StoredRecord[]> {
    this.check();
    await this.flush();
    return readRecords(this.db, this.t, this.tenantId, query);
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
      what: `insertRecord '${r.id}'`,
      tables: ['records'],
      parts: [`INSERT INTO ${this.t.records} (tenant_id, id, type, blueprint_id, blueprint_version, stage, version, fields, owner_id, team_id, meta,
        stage_entered_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 1, $7::jsonb, $8, $9, $10::jsonb, $11::timestamptz, $12::timestamptz, $13::timestamptz)
       ON CONFLICT (tenant_id, id) DO NOTHING RETURNING 1`],
      values: [this.tenantId, r.id, r.type, r.blueprintId, r.blueprintVersion, r.stage, json(r.fields), r.ownerId ?? null, r.teamId ?? null,
        json(r.meta), r.stageEnteredAt, r.createdAt, r.updatedAt],
      check: ([n]) => {
        if (n === 0) throw new DealflowError('CONFLICT', `record '${r.id}' already exists in tenant '${this.tenantId}'`, { details: { recordId: r.id } });
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
      what: `updateRecord '${r.id}'`,
      tables: ['records'],
      parts: [`UPDATE ${this.t.records} SET type = $3, blueprint_id = $4, blueprint_version = $5, stage = $6, version = $7, fields = $8::jsonb,
        owner_id = $9, team_id = $10, meta = $11::jsonb, stage_entered_at = $12::timestamptz, created_at = $13::timestamptz,
        updated_at = $14::timestamptz
       WHERE tenant_id = $1 AND id = $2 AND version = $15 RETURNING 1`],
      values: [this.tenantId, r.id, r.type, r.blueprintId, r.blueprintVersion, r.stage, r.version, json(r.fields), r.ownerId ?? null,
        r.teamId ?? null, json(r.meta), r.stageEnteredAt, r.createdAt, r.updatedAt, expectedVersion],
      check: async ([n]) => {
        if (n !== 0) return;
        throw versionConflict(r.id, expectedVersion, (await readRecord(this.db, this.t, this.tenantId, r.id))?.version ?? null);
      },
    });
  }

  async appendHistory(events: HistoryEvent[]): Promise<void> {
    this.check();
    if (events.length === 0) return;
    for (const e of events) this.own('history event', e.id, e.tenantId);
    const conflict = (e: HistoryEvent, expected: number | null) =>
      new DealflowError('CONFLICT', expected === null
        ? `history of record '${e.recordId}': event '${e.id}' (seq ${e.seq}) is not the next event or its id is taken`
        : `history of record '${e.recordId}': event seq ${e.seq} is not the next seq ${expected}`, {
        details: { recordId: e.recordId, seq: e.seq, id: e.id, expectedSeq: expected },
      });
    if (events.length === 1) {
      const e = events[0]!;
      // one round trip: insert only when seq is the next one
      await this.defer({
        what: `appendHistory '${e.recordId}'`,
        tables: ['history'],
        parts: [`INSERT INTO ${this.t.history} (tenant_id, record_id, seq, id, at, kind, event, from_stage, to_stage, actor_id, data)
         SELECT $1, $2, $3, $4, $5::timestamptz, $6, $7, $8, $9, $10, $11::jsonb
         WHERE (SELECT COALESCE(max(seq), 0) FROM ${this.t.history} WHERE tenant_id = $1 AND record_id = $2) = $3::int - 1
         ON CONFLICT DO NOTHING RETURNING 1`],
        values: [this.tenantId, e.recordId, e.seq, e.id, e.at, e.kind, e.event ?? null, e.from ?? null, e.to ?? null, e.actorId ?? null, json(e.data)],
        check: ([n]) => {
          if (n === 0) throw conflict(e, null);
        },
      });
      return;
    }
    await this.flush();
    const ids = [...new Set(events.map((e) => e.recordId))];
    const { rows } = await run(this.db, 'appendHistory',
      `SELECT record_id, max(seq) AS s FROM ${this.t.history} WHERE tenant_id = $1 AND record_id = ANY($2::text[]) GROUP BY record_id`,
      [this.tenantId, ids]);
    const last = new Map<string, number>(rows.map((r) => [r.record_id as string, Number(r.s)]));
    for (const e of events) {
      const expected = (last.get(e.recordId) ?? 0) + 1;
      if (e.seq !== expected) throw conflict(e, expected);
      last.set(e.recordId, e.seq);
    }
    const { rowCount } = await run(this.db, 'appendHistory',
      `INSERT INTO ${this.t.history} (tenant_id, record_id, seq, id, at, kind, event, from_stage, to_stage, actor_id, data)
       SELECT $1, x.record_id, x.seq, x.id, x.at, x.kind, x.event, x.from_stage, x.to_stage, x.actor_id, x.data
       FROM jsonb_to_recordset($2::jsonb) AS x(record_id text, seq integer, id text, at timestamptz, kind text, event text,
         from_stage text, to_stage text, actor_id text, data jsonb)
       ON CONFLICT DO NOTHING`,
      [this.tenantId, JSON.stringify(events.map((e) => ({
        record_id: e.recordId, seq: e.seq, id: e.id, at: e.at, kind: e.kind, event: e.event ?? null, from_stage: e.from ?? null,
        to_stage: e.to ?? null, actor_id: e.actorId ?? null, data: e.data ?? {},
      })))]);
    if (rowCount !== events.length) throw conflict(events[0]!, null);
  }

  async listHistory(recordId: string, options?: { afterSeq?: number; limit?: number }): Promise<HistoryEvent[]> {
    this.check();
    await this.flush();
    return readHistory(this.db, this.t, this.tenantId, recordId, options);
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
    const timerRows = `jsonb_to_recordset($2::jsonb) AS x(id text, record_id text, kind text, key text, due_at timestamptz, event text,
      payload jsonb, stage text, record_version integer, attempts integer, created_at timestamptz)`;
    for (const batch of batches) {
      const parts = [
        `UPDATE ${this.t.timers} t SET status = 'cancelled', finished_at = x.created_at, lease_owner = NULL, lease_until = NULL, outcome = 'replaced'
         FROM ${timerRows}
         WHERE t.tenant_id = $1 AND t.record_id = x.record_id AND t.key = x.key AND t.status IN ('pending', 'claimed') RETURNING 1`,
        `INSERT INTO ${this.t.timers} (tenant_id, id, record_id, kind, key, due_at, event, payload, stage, record_version, status,
           lease_owner, lease_until, attempts, created_at, finished_at, outcome)
         SELECT $1, id, record_id, kind, key, due_at, event, payload, stage, record_version, 'pending', NULL, NULL, attempts, created_at, NULL, NULL
         FROM ${timerRows} ON CONFLICT DO NOTHING RETURNING 1`,
      ];
      const values: unknown[] = [this.tenantId, JSON.stringify(batch.map((tm) => ({
        id: tm.id, record_id: tm.recordId, kind: tm.kind, key: tm.key, due_at: tm.dueAt, event: tm.event, payload: tm.payload ?? {},
        stage: tm.stage, record_version: tm.recordVersion, attempts: tm.attempts ?? 0, created_at: tm.createdAt,
      })))];
      if (this.t.notifyChannel) {
        parts.push('SELECT pg_notify($3, $4)');
        values.push(this.t.notifyChannel, batch.map((tm) => tm.dueAt).sort()[0]!);
      }
      await this.defer({
        what: 'scheduleTimers',
        tables: ['timers'],
        parts,
        values,
        check: (counts) => {
          if (counts[1] !== batch.length) {
            throw new DealflowError('CONFLICT', `scheduleTimers: a timer id of [${batch.map((b) => b.id).join(', ')}] already exists in tenant '${this.tenantId}'`, {
              details: { timerIds: batch.map((b) => b.id) },
            });
          }
        },
      });
    }
  }

  async cancelTimers(recordId: string, filter: { kinds?: string[]; keys?: string[]; stage?: string } = {}): Promise<number> {
    this.check();
    return this.counted('timers', `cancelTimers '${recordId}'`,
      `UPDATE ${this.t.timers} SET status = 'cancelled', finished_at = now(), lease_owner = NULL, lease_until = NULL, outcome = 'cancelled'
       WHERE tenant_id = $1 AND record_id = $2 AND status IN ('pending', 'claimed')
         AND ($3::text[] IS NULL OR kind = ANY($3::text[])) AND ($4::text[] IS NULL OR key = ANY($4::text[]))
         AND ($5::text IS NULL OR stage = $5::text)`,
      [this.tenantId, recordId, filter.kinds ?? null, filter.keys ?? null, filter.stage ?? null]);
  }

  async listTimers(recordId: string, options: { status?: TimerStatus[] } = {}): Promise<TimerRecord[]> {
    this.check();
    await this.flush();
    const { rows } = await run(this.db, `listTimers '${recordId}'`,
      `SELECT * FROM ${this.t.timers} WHERE tenant_id = $1 AND record_id = $2 AND ($3::text[] IS NULL OR status = ANY($3::text[]))
       ORDER BY due_at, id`,
      [this.tenantId, recordId, options.status ?? null]);
    return rows.map(timerFromRow);
  }

  async getTimer(timerId: string): Promise<TimerRecord | null> {
    this.check();
    await this.flush();
    const { rows } = await run(this.db, `getTimer '${timerId}'`, `SELECT * FROM ${this.t.timers} WHERE tenant_id = $1 AND id = $2`, [this.tenantId, timerId]);
    return rows[0] ? timerFromRow(rows[0]) : null;
  }

  async completeTimer(timerId: string, workerId: string | null, outcome: string, at: string): Promise<boolean> {
    this.check();
    const rowCount = workerId === null
      ? await this.counted('timers', `completeTimer '${timerId}'`,
          `UPDATE ${this.t.timers} SET status = 'done', outcome = $3, finished_at = $4::timestamptz
           WHERE tenant_id = $1 AND id = $2 AND status = 'pending'`, [this.tenantId, timerId, outcome, at])
      : await this.counted('timers', `completeTimer '${timerId}'`,
          `UPDATE ${this.t.timers} SET status = 'done', outcome = $3, finished_at = $4::timestamptz, lease_until = NULL
           WHERE tenant_id = $1 AND id = $2 AND status = 'claimed' AND lease_owner = $5`, [this.tenantId, timerId, outcome, at, workerId]);
    return rowCount === 1;
  }

  async getIdempotency(key: string): Promise<{ fingerprint: string; result: unknown } | undefined> {
    this.check();
    await this.flush();
    const { rows } = await run(this.db, `getIdempotency '${key}'`,
      `SELECT fingerprint, result FROM ${this.t.idempotency} WHERE tenant_id = $1 AND key = $2`, [this.tenantId, key]);
    const r = rows[0];
    return r ? { fingerprint: r.fingerprint as string, result: r.result } : undefined;
  }

  async putIdempotency(key: string, fingerprint: string, result: unknown, at: string): Promise<void> {
    this.check();
    await this.defer({
      what: `putIdempotency '${key}'`,
      tables: ['idempotency'],
      parts: [`INSERT INTO ${this.t.idempotency} (tenant_id, key, fingerprint, result, at) VALUES ($1, $2, $3, $4::jsonb, $5::timestamptz)
       ON CONFLICT DO NOTHING RETURNING 1`],
      values: [this.tenantId, key, fingerprint, json(result), at],
      check: ([n]) => {
        if (n === 0) throw new DealflowError('CONFLICT', `idempotency key '${key}' is already used in tenant '${this.tenantId}'`, { details: { key } });
      },
    });
  }

  async incrementCounter(key: string, by = 1): Promise<number> {
    this.check();
    await this.flush();
    const { rows } = await run(this.db, `incrementCounter '${key}'`,
      `INSERT INTO ${this.t.counters} (tenant_id, key, value) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, key) DO UPDATE SET value = ${this.t.counters}.value + excluded.value RETURNING value`, [this.tenantId, key, by]);
    return Number(rows[0]!.value);
  }

  async getCounter(key: string): Promise<number> {
    this.check();
    await this.flush();
    const { rows } = await run(this.db, `getCounter '${key}'`, `SELECT value FROM ${this.t.counters} WHERE tenant_id = $1 AND key = $2`, [this.tenantId, key]);
    return rows[0] ? Number(rows[0].value) : 0;
  }

  async setCounter(key: string, value: number): Promise<void> {
    this.check();
    await run(this.db, `setCounter '${key}'`,
      `INSERT INTO ${this.t.counters} (tenant_id, key, value) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value`, [this.tenantId, key, value]);
  }

  async claimUniqueKeys(recordId: string, keys: string[]): Promise<UniqueKeyConflict[]> {
    this.check();
    await this.flush();
    if (keys.length === 0) return [];
    await run(this.db, 'claimUniqueKeys', 'SAVEPOINT dealflow_unique_keys');
    const { rows: inserted } = await run(this.db, 'claimUniqueKeys',
      `INSERT INTO ${this.t.uniqueKeys} (tenant_id, key, record_id) SELECT $1, k, $2 FROM unnest($3::text[]) AS k
       ON CONFLICT DO NOTHING RETURNING key`, [this.tenantId, recordId, [...new Set(keys)]]);
    const got = new Set(inserted.map((r) => r.key as string));
    const missing = keys.filter((k) => !got.has(k));
    let conflicts: UniqueKeyConflict[] = [];
    if (missing.length > 0) {
      // a fresh statement sees keys committed by concurrent claimers we waited for
      const { rows } = await run(this.db, 'claimUniqueKeys',
        `SELECT key, record_id FROM ${this.t.uniqueKeys} WHERE tenant_id = $1 AND key = ANY($2::text[]) AND record_id <> $3`,
        [this.tenantId, missing, recordId]);
      const holder = new Map(rows.map((r) => [r.key as string, r.record_id as string]));
      conflicts = missing.filter((k) => holder.has(k)).map((k) => ({ key: k, recordId: holder.get(k)! }));
    }
    await run(this.db, 'claimUniqueKeys', conflicts.length > 0 ? 'ROLLBACK TO SAVEPOINT dealflow_unique_keys' : 'RELEASE SAVEPOINT dealflow_unique_keys');
    return conflicts;
  }

  async releaseUniqueKeys(recordId: string, keys?: string[]): Promise<void> {
    this.check();
    await run(this.db, 'releaseUniqueKeys',
      `DELETE FROM ${this.t.uniqueKeys} WHERE tenant_id = $1 AND record_id = $2 AND ($3::text[] IS NULL OR key = ANY($3::text[]))`,
      [this.tenantId, recordId, keys ?? null]);
  }

  async findUniqueKey(key: string): Promise<string | null> {
    this.check();
    await this.flush();
    const { rows } = await run(this.db, 'findUniqueKey', `SELECT record_id FROM ${this.t.uniqueKeys} WHERE tenant_id = $1 AND key = $2`, [this.tenantId, key]);
    return (rows[0]?.record_id as string | undefined) ?? null;
  }

  async appendOutbox(messages: OutboxMessage[]): Promise<void> {
    this.check();
    if (messages.length === 0) return;
    for (const m of messages) this.own('outbox message', m.id, m.tenantId);
    await this.defer({
      what: 'appendOutbox',
      tables: ['outbox'],
      check: () => undefined,
      parts: [`INSERT INTO ${this.t.outbox} (tenant_id, id, record_id, type, payload, created_at)
       SELECT $1, x.id, x.record_id, x.type, x.payload, x.created_at
       FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS (id text, record_id text, type text, payload jsonb, created_at timestamptz))
         WITH ORDINALITY AS x(id, record_id, type, payload, created_at, n)
       ORDER BY x.n RETURNING 1`],
      values: [this.tenantId, JSON.stringify(messages.map((m) => ({ id: m.id, record_id: m.recordId ?? null, type: m.type, payload: m.payload ?? {}, created_at: m.createdAt })))],
    });
  }
}
