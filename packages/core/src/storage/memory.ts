import { DealflowError } from '@dealflow/logic';
import { checkBatchSize, foreignTenant, nextVersionMismatch, versionConflict } from './errors.js';
import type {
  ClaimTimersOptions,
  DeadlineRow,
  HistoryEvent,
  OutboxMessage,
  RecordQuery,
  Storage,
  StorageTx,
  StoredRecord,
  TaskRow,
  TimerRecord,
  TimerStatus,
  UniqueKeyConflict,
} from './types.js';
import { cloneJson } from './clone.js';
import { Overlay } from './overlay.js';
import { checkTaskRows, compareTaskRows, matchesTaskQuery, ownersOf, taskQueryLimit } from './tasks.js';

/** What the store keeps for one tenant (committed state). */
interface TenantData {
  records: Map<string, StoredRecord>;
  /** Each record's history, in seq order (append-only copies; see {@link sliceHistory}). */
  history: Map<string, HistoryEvent[]>;
  timers: Map<string, TimerRecord>;
  /** Ids of each record's timers (every status). */
  timersByRecord: Map<string, Set<string>>;
  idempotency: Map<string, { fingerprint: string; result: unknown; at: string }>;
  counters: Map<string, number>;
  uniqueKeys: Map<string, string>;
  /** The task index: each record's rows. */
  tasks: Map<string, TaskRow[]>;
}

function emptyTenant(): TenantData {
  return {
    records: new Map(),
    history: new Map(),
    timers: new Map(),
    timersByRecord: new Map(),
    idempotency: new Map(),
    counters: new Map(),
    uniqueKeys: new Map(),
    tasks: new Map(),
  };
}

/**
 * True when the record matches every part of the query.
 *
 * @example
 * ```ts
 * const open = records.filter((r) => matchesQuery(r, { stage: ['new', 'qualified'] }))
 * ```
 */
export function matchesQuery(r: StoredRecord, q: RecordQuery): boolean {
  if (q.type !== undefined && r.type !== q.type) return false;
  if (q.blueprintId !== undefined && r.blueprintId !== q.blueprintId) return false;
  if (q.stage !== undefined) {
    if (Array.isArray(q.stage) ? !q.stage.includes(r.stage) : r.stage !== q.stage) return false;
  }
  if (q.ownerId !== undefined && r.ownerId !== q.ownerId) return false;
  if (q.teamId !== undefined && r.teamId !== q.teamId) return false;
  if (q.fields) {
    for (const [k, v] of Object.entries(q.fields)) {
      const actual = r.fields[k] === undefined ? null : r.fields[k];
      if (actual !== v) return false;
    }
  }
  if (q.updatedFrom !== undefined && r.updatedAt < q.updatedFrom) return false;
  if (q.updatedTo !== undefined && r.updatedAt >= q.updatedTo) return false;
  if (q.after !== undefined) {
    const c = r.createdAt < q.after.createdAt ? -1 : r.createdAt > q.after.createdAt ? 1 : r.id < q.after.id ? -1 : r.id > q.after.id ? 1 : 0;
    if (q.order === 'desc' ? c >= 0 : c <= 0) return false;
  }
  return true;
}

function sortAndPage(list: StoredRecord[], q: RecordQuery): StoredRecord[] {
  const dir = q.order === 'desc' ? -1 : 1;
  list.sort((a, b) => (a.createdAt < b.createdAt ? -dir : a.createdAt > b.createdAt ? dir : a.id < b.id ? -dir : a.id > b.id ? dir : 0));
  const start = q.offset ?? 0;
  return list.slice(start, q.limit !== undefined ? start + q.limit : undefined);
}

function queryList(records: Iterable<StoredRecord>, query: RecordQuery): StoredRecord[] {
  const list: StoredRecord[] = [];
  for (const r of records) if (matchesQuery(r, query)) list.push(r);
  return sortAndPage(list, query).map(cloneJson);
}

/**
 * A page of a record's history, copied out. History events and outbox messages are kept as copies
 * made when they are appended, like records: values are copied in and out, nothing else.
 */
function sliceHistory(list: readonly HistoryEvent[], options: { afterSeq?: number; limit?: number }): HistoryEvent[] {
  // (a record's history holds seq 1, 2, 3… in order: the event at index i has seq i + 1)
  const start = options.afterSeq ?? 0;
  return list.slice(start, options.limit !== undefined ? start + options.limit : undefined).map(cloneJson);
}

/** An outbox message as the store keeps it: a copy of the message, its `position` given at commit. */
type OutboxEntry = OutboxMessage & { position: number };

function isActive(timer: TimerRecord): boolean {
  return timer.status === 'pending' || timer.status === 'claimed';
}

function compareTimers(a: TimerRecord, b: TimerRecord): number {
  return a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Shared state of one memory store. */
interface MemoryState {
  tenants: Map<string, TenantData>;
  outbox: OutboxEntry[];
  position: number;
}

function tenantOf(state: MemoryState, id: string): TenantData {
  let t = state.tenants.get(id);
  if (!t) {
    t = emptyTenant();
    state.tenants.set(id, t);
  }
  return t;
}

/**
 * One transaction, copy-on-write: its writes go to overlays over the committed maps (and to lists
 * of appended history and outbox messages); `commit()` applies them, a rollback drops them.
 * Values are copied on the way in and on the way out, so no caller ever holds the store's objects.
 */
class MemoryTx implements StorageTx {
  private readonly t: TenantData;
  /**
   * The overlays, made when a table is first touched (most transactions touch two or three). They
   * live in one object made with the transaction, so a caller that wraps it (`Object.create(tx)`)
   * still writes into this transaction's overlays, never into its own properties.
   */
  private readonly overlays: {
    records?: Overlay<StoredRecord>;
    timers?: Overlay<TimerRecord>;
    idempotency?: Overlay<{ fingerprint: string; result: unknown; at: string }>;
    counters?: Overlay<number>;
    uniqueKeys?: Overlay<string>;
    tasks?: Overlay<TaskRow[]>;
  } = {};
  /** History events appended by this transaction, per record (copies). */
  private readonly history = new Map<string, HistoryEvent[]>();
  /** Timers scheduled by this transaction, per record. */
  private readonly newTimers = new Map<string, Set<string>>();
  /** Outbox messages appended by this transaction (copies; positions are given at commit). */
  private readonly outbox: OutboxMessage[] = [];

  constructor(
    readonly tenantId: string,
    private readonly state: MemoryState,
  ) {
    this.t = tenantOf(state, tenantId);
  }

  private get records(): Overlay<StoredRecord> {
    return (this.overlays.records ??= new Overlay(this.t.records));
  }
  private get timers(): Overlay<TimerRecord> {
    return (this.overlays.timers ??= new Overlay(this.t.timers));
  }
  private get idempotency(): Overlay<{ fingerprint: string; result: unknown; at: string }> {
    return (this.overlays.idempotency ??= new Overlay(this.t.idempotency));
  }
  private get counters(): Overlay<number> {
    return (this.overlays.counters ??= new Overlay(this.t.counters));
  }
  private get uniqueKeys(): Overlay<string> {
    return (this.overlays.uniqueKeys ??= new Overlay(this.t.uniqueKeys));
  }
  private get tasks(): Overlay<TaskRow[]> {
    return (this.overlays.tasks ??= new Overlay(this.t.tasks));
  }

  /** Applies every write of the transaction. */
  commit(): void {
    const t = this.t;
    const o = this.overlays;
    o.records?.commit();
    o.timers?.commit();
    o.idempotency?.commit();
    o.counters?.commit();
    o.uniqueKeys?.commit();
    o.tasks?.commit();
    for (const [recordId, events] of this.history) {
      let list = t.history.get(recordId);
      if (!list) t.history.set(recordId, (list = []));
      list.push(...events);
    }
    for (const [recordId, ids] of this.newTimers) {
      let set = t.timersByRecord.get(recordId);
      if (!set) t.timersByRecord.set(recordId, (set = new Set()));
      for (const id of ids) set.add(id);
    }
    for (const m of this.outbox) {
      const entry = m as OutboxEntry;
      entry.position = ++this.state.position;
      this.state.outbox.push(entry);
    }
  }

  private own(kind: string, id: string, tenantId: string): void {
    if (tenantId !== this.tenantId) throw foreignTenant(kind, id, tenantId, this.tenantId);
  }

  private historyOf(recordId: string): HistoryEvent[] {
    const committed = this.t.history.get(recordId) ?? [];
    const added = this.history.get(recordId);
    return added ? [...committed, ...added] : committed;
  }

  private recordTimers(recordId: string): TimerRecord[] {
    const out: TimerRecord[] = [];
    for (const ids of [this.t.timersByRecord.get(recordId), this.newTimers.get(recordId)]) {
      for (const id of ids ?? []) {
        const timer = this.timers.get(id);
        if (timer) out.push(timer);
      }
    }
    return out;
  }

  private finish(timer: TimerRecord, status: TimerStatus, outcome: string, at: string): void {
    this.timers.set(timer.id, { ...timer, status, outcome, finishedAt: at, leaseOwner: null, leaseUntil: null });
  }

  async getRecord(id: string): Promise<StoredRecord | null> {
    const r = this.records.get(id);
    return r ? cloneJson(r) : null;
  }
  async getRecords(ids: readonly string[]): Promise<StoredRecord[]> {
    checkBatchSize('getRecords', ids.length);
    const out: StoredRecord[] = [];
    for (const id of new Set(ids)) {
      const r = this.records.get(id);
      if (r) out.push(cloneJson(r));
    }
    return out;
  }
  async queryRecords(query: RecordQuery): Promise<StoredRecord[]> {
    return queryList(this.records.values(), query);
  }
  async countRecords(query: RecordQuery): Promise<number> {
    let n = 0;
    for (const r of this.records.values()) if (matchesQuery(r, query)) n++;
    return n;
  }
  private checkNew(record: StoredRecord): void {
    this.own('record', record.id, record.tenantId);
    if (record.version !== 1) {
      throw new DealflowError('INPUT_INVALID', `record '${record.id}': a new record must have version 1, got ${record.version}`, {
        details: { recordId: record.id, version: record.version },
      });
    }
  }
  async insertRecord(record: StoredRecord): Promise<void> {
    this.checkNew(record);
    if (this.records.has(record.id)) {
      throw new DealflowError('CONFLICT', `record '${record.id}' already exists in tenant '${this.tenantId}'`, { details: { recordId: record.id } });
    }
    this.records.set(record.id, cloneJson(record));
  }
  async insertRecords(records: readonly StoredRecord[]): Promise<void> {
    checkBatchSize('insertRecords', records.length);
    const seen = new Set<string>();
    for (const r of records) {
      this.checkNew(r);
      if (seen.has(r.id)) throw new DealflowError('CONFLICT', `record '${r.id}' appears twice in insertRecords`, { details: { recordId: r.id } });
      if (this.records.has(r.id)) {
        throw new DealflowError('CONFLICT', `record '${r.id}' already exists in tenant '${this.tenantId}'`, { details: { recordId: r.id } });
      }
      seen.add(r.id);
    }
    for (const r of records) this.records.set(r.id, cloneJson(r));
  }
  async updateRecord(record: StoredRecord, expectedVersion: number): Promise<void> {
    this.own('record', record.id, record.tenantId);
    if (record.version !== expectedVersion + 1) throw nextVersionMismatch(record.id, expectedVersion, record.version);
    const cur = this.records.get(record.id);
    if (!cur || cur.version !== expectedVersion) throw versionConflict(record.id, expectedVersion, cur ? cur.version : null);
    this.records.set(record.id, cloneJson(record));
  }
  async appendHistory(events: HistoryEvent[]): Promise<void> {
    for (const e of events) this.own('history event', e.id, e.tenantId);
    for (const e of events) {
      const expected = (this.t.history.get(e.recordId)?.length ?? 0) + (this.history.get(e.recordId)?.length ?? 0) + 1;
      if (e.seq !== expected) {
        throw new DealflowError('CONFLICT', `history of record '${e.recordId}': expected seq ${expected}, got ${e.seq}`, {
          details: { recordId: e.recordId, expectedSeq: expected, seq: e.seq },
        });
      }
      let added = this.history.get(e.recordId);
      if (!added) this.history.set(e.recordId, (added = []));
      added.push(cloneJson(e));
    }
  }
  async listHistory(recordId: string, options: { afterSeq?: number; limit?: number } = {}): Promise<HistoryEvent[]> {
    return sliceHistory(this.historyOf(recordId), options);
  }
  async scheduleTimers(timers: TimerRecord[]): Promise<void> {
    for (const timer of timers) this.own('timer', timer.id, timer.tenantId);
    for (const timer of timers) {
      if (this.timers.has(timer.id)) {
        throw new DealflowError('CONFLICT', `timer '${timer.id}' already exists in tenant '${this.tenantId}'`, { details: { timerId: timer.id } });
      }
      if (timer.key !== null) {
        for (const other of this.recordTimers(timer.recordId)) {
          if (isActive(other) && other.key === timer.key) this.finish(other, 'cancelled', 'replaced', timer.createdAt);
        }
      }
      this.timers.set(timer.id, { ...cloneJson(timer), status: 'pending', leaseOwner: null, leaseUntil: null, finishedAt: null, outcome: null });
      let ids = this.newTimers.get(timer.recordId);
      if (!ids) this.newTimers.set(timer.recordId, (ids = new Set()));
      ids.add(timer.id);
    }
  }
  async replaceTasks(recordId: string, rows: TaskRow[]): Promise<void> {
    checkTaskRows(this.tenantId, recordId, rows);
    if (rows.length === 0) this.tasks.delete(recordId);
    else this.tasks.set(recordId, rows.map(cloneJson));
  }
  async listTasks(recordId: string): Promise<TaskRow[]> {
    return (this.tasks.get(recordId) ?? []).map(cloneJson).sort(compareTaskRows);
  }
  async cancelTimers(recordId: string, filter: { kinds?: string[]; keys?: string[]; stage?: string } = {}): Promise<number> {
    const at = new Date().toISOString();
    let n = 0;
    for (const timer of this.recordTimers(recordId)) {
      if (!isActive(timer)) continue;
      if (filter.kinds && !filter.kinds.includes(timer.kind)) continue;
      if (filter.keys && (timer.key === null || !filter.keys.includes(timer.key))) continue;
      if (filter.stage !== undefined && timer.stage !== filter.stage) continue;
      this.finish(timer, 'cancelled', 'cancelled', at);
      n++;
    }
    return n;
  }
  async listTimers(recordId: string, options: { status?: TimerStatus[] } = {}): Promise<TimerRecord[]> {
    const list = this.recordTimers(recordId).filter((x) => !options.status || options.status.includes(x.status));
    return list.sort(compareTimers).map(cloneJson);
  }
  async getTimer(timerId: string): Promise<TimerRecord | null> {
    const timer = this.timers.get(timerId);
    return timer ? cloneJson(timer) : null;
  }
  async completeTimer(timerId: string, workerId: string | null, outcome: string, at: string): Promise<boolean> {
    const timer = this.timers.get(timerId);
    if (!timer) return false;
    const ok = workerId === null ? timer.status === 'pending' : timer.status === 'claimed' && timer.leaseOwner === workerId;
    if (!ok) return false;
    this.finish(timer, 'done', outcome, at);
    return true;
  }
  async getIdempotency(key: string): Promise<{ fingerprint: string; result: unknown } | undefined> {
    const v = this.idempotency.get(key);
    return v ? { fingerprint: v.fingerprint, result: cloneJson(v.result) } : undefined;
  }
  async putIdempotency(key: string, fingerprint: string, result: unknown, at: string): Promise<void> {
    if (this.idempotency.has(key)) {
      throw new DealflowError('CONFLICT', `idempotency key '${key}' already exists`, { details: { key } });
    }
    this.idempotency.set(key, { fingerprint, result: cloneJson(result), at });
  }
  async incrementCounter(key: string, by = 1): Promise<number> {
    const next = (this.counters.get(key) ?? 0) + by;
    this.counters.set(key, next);
    return next;
  }
  async getCounter(key: string): Promise<number> {
    return this.counters.get(key) ?? 0;
  }
  async setCounter(key: string, value: number): Promise<void> {
    this.counters.set(key, value);
  }
  async claimUniqueKeys(recordId: string, keys: string[]): Promise<UniqueKeyConflict[]> {
    const conflicts: UniqueKeyConflict[] = [];
    for (const key of keys) {
      const holder = this.uniqueKeys.get(key);
      if (holder !== undefined && holder !== recordId) conflicts.push({ key, recordId: holder });
    }
    if (conflicts.length > 0) return conflicts;
    for (const key of keys) this.uniqueKeys.set(key, recordId);
    return [];
  }
  async releaseUniqueKeys(recordId: string, keys?: string[]): Promise<void> {
    const list = keys ?? [...this.uniqueKeys.entries()].filter(([, r]) => r === recordId).map(([k]) => k);
    for (const key of list) if (this.uniqueKeys.get(key) === recordId) this.uniqueKeys.delete(key);
  }
  async findUniqueKey(key: string): Promise<string | null> {
    return this.uniqueKeys.get(key) ?? null;
  }
  async appendOutbox(messages: OutboxMessage[]): Promise<void> {
    for (const m of messages) this.own('outbox message', m.id, m.tenantId);
    for (const m of messages) this.outbox.push(cloneJson(m));
  }
}

/**
 * An in-memory {@link Storage}: the full contract (records, history, timers with leases,
 * idempotency, counters, unique keys, outbox), for tests, examples and single-process apps. It is
 * the reference store: transactions run one at a time (a store-wide async lock), each writes
 * copy-on-write and commits whole or not at all, and every value is copied in and out.
 *
 * @example
 * ```ts
 * const storage = createMemoryStorage()
 * const engine = createEngine({ storage, blueprints: [deal] })
 * ```
 */
export function createMemoryStorage(): Storage {
  const state: MemoryState = { tenants: new Map(), outbox: [], position: 0 };
  let closed = false;
  // the store-wide lock: one transaction (or claim) at a time, the others wait in order
  let busy = false;
  const waiting: Array<() => void> = [];
  /** Waits for the lock (a promise only when another call holds it). */
  const lock = (): Promise<void> | undefined => {
    if (!busy) {
      busy = true;
      return undefined;
    }
    return new Promise<void>((resolve) => waiting.push(resolve));
  };
  const unlock = () => {
    const next = waiting.shift();
    if (next) next();
    else busy = false;
  };

  const closedError = () => new DealflowError('CLOSED', 'memory storage is closed');
  const ensureOpen = () => {
    if (closed) throw closedError();
  };

  const claimable = (timer: TimerRecord, now: string) =>
    (timer.status === 'pending' && timer.dueAt <= now) ||
    (timer.status === 'claimed' && timer.leaseUntil !== null && timer.leaseUntil <= now);

  return {
    name: 'memory',
    async transaction<T>(tenantId: string, fn: (tx: StorageTx) => Promise<T>): Promise<T> {
      ensureOpen();
      const wait = lock();
      if (wait) await wait;
      try {
        ensureOpen();
        const tx = new MemoryTx(tenantId, state);
        const value = await fn(tx);
        tx.commit();
        return value;
      } finally {
        unlock();
      }
    },
    async getRecord(tenantId, id) {
      ensureOpen();
      const r = state.tenants.get(tenantId)?.records.get(id);
      return r ? cloneJson(r) : null;
    },
    async queryRecords(tenantId, query) {
      ensureOpen();
      return queryList(state.tenants.get(tenantId)?.records.values() ?? [], query);
    },
    async queryTasks(tenantId, query) {
      ensureOpen();
      const limit = taskQueryLimit(query);
      const owners = ownersOf(query);
      const out: TaskRow[] = [];
      for (const rows of state.tenants.get(tenantId)?.tasks.values() ?? []) for (const r of rows) if (matchesTaskQuery(r, query, owners)) out.push(r);
      return out.sort(compareTaskRows).slice(0, limit).map(cloneJson);
    },
    async queryDeadlines(tenantId, query) {
      ensureOpen();
      const limit = taskQueryLimit(query);
      const owners = ownersOf(query);
      const t = state.tenants.get(tenantId);
      const out: DeadlineRow[] = [];
      for (const timer of t?.timers.values() ?? []) {
        if (timer.kind !== 'breach' || !isActive(timer) || timer.dueAt >= query.dueBefore) continue;
        if (query.dueAfter !== undefined && timer.dueAt < query.dueAfter) continue;
        const r = t!.records.get(timer.recordId);
        if (!r || (owners && (r.ownerId === null || !owners.includes(r.ownerId)))) continue;
        if ((query.teamId !== undefined && r.teamId !== query.teamId) || (query.recordType !== undefined && r.type !== query.recordType)) continue;
        out.push({ recordId: r.id, recordType: r.type, stage: r.stage, ownerId: r.ownerId, teamId: r.teamId, dueAt: timer.dueAt, timerId: timer.id });
      }
      out.sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0));
      return out.slice(0, limit);
    },
    async listHistory(tenantId, recordId, options = {}) {
      ensureOpen();
      return sliceHistory(state.tenants.get(tenantId)?.history.get(recordId) ?? [], options);
    },
    async listHistories(tenantId, recordIds) {
      ensureOpen();
      checkBatchSize('listHistories', recordIds.length);
      const t = state.tenants.get(tenantId);
      return [...new Set(recordIds)].flatMap((id) => sliceHistory(t?.history.get(id) ?? [], {}));
    },
    async claimDueTimers(options: ClaimTimersOptions) {
      ensureOpen();
      const wait = lock();
      if (wait) await wait;
      try {
        const due: TimerRecord[] = [];
        for (const [id, t] of state.tenants) {
          if (options.tenantId !== undefined && id !== options.tenantId) continue;
          for (const timer of t.timers.values()) if (claimable(timer, options.now)) due.push(timer);
        }
        due.sort(compareTimers);
        const leaseUntil = new Date(Date.parse(options.now) + options.leaseMs).toISOString();
        return due.slice(0, Math.max(0, options.limit)).map((timer) => {
          const claimed: TimerRecord = { ...timer, status: 'claimed', leaseOwner: options.workerId, leaseUntil, attempts: timer.attempts + 1 };
          tenantOf(state, timer.tenantId).timers.set(timer.id, claimed);
          return cloneJson(claimed);
        });
      } finally {
        unlock();
      }
    },
    async oldestDueAt(options = {}) {
      ensureOpen();
      let oldest: string | null = null;
      for (const [id, t] of state.tenants) {
        if (options.tenantId !== undefined && id !== options.tenantId) continue;
        for (const timer of t.timers.values()) {
          const at = timer.status === 'pending' ? timer.dueAt : timer.status === 'claimed' ? timer.leaseUntil : null;
          if (at !== null && (oldest === null || at < oldest)) oldest = at;
        }
      }
      return oldest;
    },
    async readOutbox(options) {
      ensureOpen();
      const after = options.afterPosition ?? 0;
      const out: OutboxMessage[] = [];
      for (const m of state.outbox) {
        if (m.position <= after) continue;
        if (options.tenantId !== undefined && m.tenantId !== options.tenantId) continue;
        out.push(cloneJson(m));
        if (out.length >= options.limit) break;
      }
      return out;
    },
    async ackOutbox(pos, options = {}) {
      ensureOpen();
      state.outbox = state.outbox.filter((m) => m.position > pos || (options.tenantId !== undefined && m.tenantId !== options.tenantId));
    },
    async close() {
      closed = true;
    },
  };
}
