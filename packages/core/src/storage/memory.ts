import { checkBatchSize, nextVersionMismatch, versionConflict } from './errors.js';
import { DealflowError } from '@dealflow/logic';
import type {
  ClaimTimersOptions,
  DeadlineRow,
  TaskRow,
  HistoryEvent,
  OutboxMessage,
  RecordQuery,
  Storage,
  StorageTx,
  StoredRecord,
  TimerRecord,
  TimerStatus,
  UniqueKeyConflict,
} from './types.js';
import { TRANSITION_MESSAGE, WRITE_DONE } from './types.js';
import { cloneData, cloneJson, cloneRecord, cloneWithData } from './clone.js';
import { checkTaskRows, compareTaskRows, matchesTaskQuery, ownersOf, taskQueryLimit } from './tasks.js';

interface TenantData {
  records: Map<string, StoredRecord>;
  history: Map<string, KeptEvent[]>;
  timers: Map<string, TimerRecord>;
  timersByRecord: Map<string, Set<string>>;
  /** Ids of each record's pending or claimed timers (a superset: readers check the status). */
  activeByRecord: Map<string, Set<string>>;
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
    activeByRecord: new Map(),
    idempotency: new Map(),
    counters: new Map(),
    uniqueKeys: new Map(),
    tasks: new Map(),
  };
}

/** True when the record matches every part of the query. */
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

// Undo-journal operations (flat entries, no closures: this is the hot path of every engine call).
const RESTORE = 0; // [RESTORE, map, key, previous | ABSENT]
const POP_HISTORY = 1; // [POP_HISTORY, list, _, _]
const DROP_OUTBOX = 2; // [DROP_OUTBOX, message, _, _]
const ABSENT = Symbol('absent');

/** The settled answer a hot read shares when there is nothing (a resolved promise is immutable). */
const NULL_RESULT: Promise<null> = Promise.resolve(null);

/**
 * A plain move kept as one flat object: a `transition` event with every field set whose data is
 * exactly `{ transition, changes: { stage[, stageEnteredAt] } }` (what `engine.send` writes for a
 * move without actions). One object instead of three (event, data, changes) for the garbage
 * collector to move and mark, for as long as history is kept; read back as the event it was. What
 * its place tells is not kept: the tenant and record (the list it is in) and `seq` (its position).
 */
interface FlatMove {
  flat: true;
  id: string;
  at: string;
  event: string;
  from: string;
  to: string;
  actorId: string | null;
  transition: number;
  stage: string;
  stageEnteredAt: string | undefined;
}

/** What the store keeps per history event. */
type KeptEvent = HistoryEvent | FlatMove;

function isFlat(k: KeptEvent): k is FlatMove {
  return (k as FlatMove).flat === true;
}

/** The event a flat move at `seq` in a record's history was (a fresh object: the reader's to change). */
function expand(k: FlatMove, tenantId: string, recordId: string, seq: number): HistoryEvent {
  const changes: Record<string, unknown> = k.stageEnteredAt === undefined ? { stage: k.stage } : { stage: k.stage, stageEnteredAt: k.stageEnteredAt };
  return { tenantId, id: k.id, recordId, seq, at: k.at, kind: 'transition', event: k.event, from: k.from, to: k.to, actorId: k.actorId, data: { transition: k.transition, changes } };
}

function readHistory(tenantId: string, recordId: string, list: KeptEvent[] | undefined, options: { afterSeq?: number; limit?: number }): HistoryEvent[] {
  if (!list) return [];
  const start = options.afterSeq ?? 0;
  const end = Math.min(list.length, options.limit !== undefined ? start + options.limit : list.length);
  const out: HistoryEvent[] = [];
  for (let i = start; i < end; i++) {
    const k = list[i]!;
    // (a record's history holds seq 1, 2, 3… in order: the event at index i has seq i + 1)
    out.push(isFlat(k) ? expand(k, tenantId, recordId, i + 1) : cloneWithData(k, 'data'));
  }
  return out;
}

/** Whether `d` is a plain move's data: exactly `{ transition: <number>, changes: { stage[, stageEnteredAt] } }`. */
function isPlainMove(d: Record<string, unknown>): d is { transition: number; changes: { stage: string; stageEnteredAt?: string } } {
  const c = d.changes as Record<string, unknown> | null | undefined;
  if (typeof d.transition !== 'number' || typeof c !== 'object' || c === null || typeof c.stage !== 'string') return false;
  let n = 0;
  for (const _ in d) n++;
  if (n !== 2) return false;
  let m = 0;
  for (const _ in c) m++;
  return m === 1 || (m === 2 && typeof c.stageEnteredAt === 'string');
}

/**
 * The store's copy of a history event: a plain move flat (see {@link FlatMove}); any other event
 * with every field set as one object literal (V8 then sees that copies made there live on and
 * allocates them where long-lived objects go); the rest copied generically.
 */
function storedEvent(e: HistoryEvent, tenantId: string): KeptEvent {
  const full = e.event !== undefined && e.from !== undefined && e.to !== undefined && e.actorId !== undefined;
  if (full && e.kind === 'transition') {
    const d = e.data;
    if (isPlainMove(d)) {
      return {
        flat: true, id: e.id, at: e.at, event: e.event!, from: e.from!, to: e.to!, actorId: e.actorId!,
        transition: d.transition, stage: d.changes.stage, stageEnteredAt: d.changes.stageEnteredAt,
      };
    }
  }
  const data = cloneData(e.data, 'data') as Record<string, unknown>;
  if (full) return { tenantId, id: e.id, recordId: e.recordId, seq: e.seq, at: e.at, kind: e.kind, event: e.event, from: e.from, to: e.to, actorId: e.actorId, data };
  // (copy, then replace: a spread with overrides costs V8 a slow path per property)
  const copy = { ...e };
  copy.data = data;
  copy.tenantId = tenantId;
  return copy;
}

function isActive(timer: TimerRecord): boolean {
  return timer.status === 'pending' || timer.status === 'claimed';
}

/** Notes a pending or claimed timer in its record's active index (cancelling and completing leave it; readers skip it). */
function indexActive(t: TenantData, timer: TimerRecord): void {
  if (!isActive(timer)) return;
  let set = t.activeByRecord.get(timer.recordId);
  if (!set) t.activeByRecord.set(timer.recordId, (set = new Set()));
  set.add(timer.id);
}

function compareTimers(a: TimerRecord, b: TimerRecord): number {
  return a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** An outbox entry (a private copy of the message, with its tenant and position). */
type FullEntry = OutboxMessage & { position: number };

/**
 * The engine's transition message kept flat: type `dealflow.transition` with the payload
 * `{ recordId, type, event, from, to, actorId, version }` (the record id the message's own). One
 * object instead of two for as long as the message waits for its relay; read back as it was.
 */
interface FlatTransition {
  flat: true;
  position: number;
  tenantId: string;
  id: string;
  recordId: string;
  createdAt: string;
  recordType: string;
  event: string;
  from: string;
  to: string;
  actorId: string | null;
  version: number;
}

/** What the store keeps per outbox message, with its position. */
type OutboxEntry = FullEntry | FlatTransition;

/** The message an entry holds (a fresh object: the reader's to change). */
function outboxMessage(e: OutboxEntry): OutboxMessage {
  if ((e as FlatTransition).flat !== true) return cloneJson(e as FullEntry);
  const f = e as FlatTransition;
  return {
    tenantId: f.tenantId, id: f.id, recordId: f.recordId, type: TRANSITION_MESSAGE,
    payload: { recordId: f.recordId, type: f.recordType, event: f.event, from: f.from, to: f.to, actorId: f.actorId, version: f.version },
    createdAt: f.createdAt, position: f.position,
  };
}

/** The payload of an engine transition message with exactly its seven keys, or undefined. */
function transitionPayload(m: OutboxMessage): { type: string; event: string; from: string; to: string; actorId: string | null; version: number } | undefined {
  const p = m.payload as Record<string, unknown>;
  if (m.type !== TRANSITION_MESSAGE || m.recordId === null || p.recordId !== m.recordId) return undefined;
  if (typeof p.type !== 'string' || typeof p.event !== 'string' || typeof p.from !== 'string' || typeof p.to !== 'string' || typeof p.version !== 'number') return undefined;
  if (p.actorId !== null && typeof p.actorId !== 'string') return undefined;
  let n = 0;
  for (const _ in p) n++;
  return n === 7 ? (p as { type: string; event: string; from: string; to: string; actorId: string | null; version: number }) : undefined;
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

/** One transaction: reads see its own writes; `rollback()` undoes every write in reverse. */
class MemoryTx implements StorageTx {
  readonly journal: unknown[] = [];
  private readonly t: TenantData;

  constructor(
    readonly tenantId: string,
    private readonly state: MemoryState,
  ) {
    this.t = tenantOf(state, tenantId);
  }

  private remember(map: Map<string, unknown>, key: string): void {
    this.journal.push(RESTORE, map, key, map.has(key) ? map.get(key) : ABSENT);
  }

  rollback(): void {
    const j = this.journal;
    for (let i = j.length - 4; i >= 0; i -= 4) {
      const op = j[i];
      if (op === RESTORE) {
        const map = j[i + 1] as Map<string, unknown>;
        const prev = j[i + 3];
        if (prev === ABSENT) map.delete(j[i + 2] as string);
        else {
          map.set(j[i + 2] as string, prev);
          // a restored pending timer is active again (the index may have dropped it meanwhile)
          if (map === (this.t.timers as Map<string, unknown>)) indexActive(this.t, prev as TimerRecord);
        }
      } else if (op === POP_HISTORY) {
        (j[i + 1] as KeptEvent[]).pop();
      } else if (op === DROP_OUTBOX) {
        const k = this.state.outbox.lastIndexOf(j[i + 1] as OutboxEntry);
        if (k >= 0) this.state.outbox.splice(k, 1);
      }
    }
    j.length = 0;
  }

  private setTimer(timer: TimerRecord): void {
    this.remember(this.t.timers as Map<string, unknown>, timer.id);
    this.t.timers.set(timer.id, timer);
    let set = this.t.timersByRecord.get(timer.recordId);
    if (!set) this.t.timersByRecord.set(timer.recordId, (set = new Set()));
    set.add(timer.id); // the index may keep ids of rolled-back timers; readers skip missing ones
    indexActive(this.t, timer);
  }

  /** The record's pending and claimed timers (drops ids that are no longer active from the index). */
  private activeTimers(recordId: string): TimerRecord[] {
    const ids = this.t.activeByRecord.get(recordId);
    if (!ids) return [];
    const out: TimerRecord[] = [];
    for (const id of ids) {
      const timer = this.t.timers.get(id);
      if (timer && isActive(timer)) out.push(timer);
      else ids.delete(id);
    }
    return out;
  }

  private recordTimers(recordId: string): TimerRecord[] {
    const ids = this.t.timersByRecord.get(recordId);
    if (!ids) return [];
    const out: TimerRecord[] = [];
    for (const id of ids) {
      const timer = this.t.timers.get(id);
      if (timer) out.push(timer);
    }
    return out;
  }

  /** Cancels a timer: `outcome` 'cancelled' (by cancelTimers) or 'replaced' (by a timer with its key), as the SQL stores write it. */
  private cancel(timer: TimerRecord, at: string, outcome: 'cancelled' | 'replaced' = 'cancelled'): void {
    this.setTimer({ ...timer, status: 'cancelled', finishedAt: at, leaseOwner: null, leaseUntil: null, outcome });
  }

  // the hot calls of every engine call (getRecord, updateRecord, appendHistory, appendOutbox) are
  // plain functions that answer with a settled promise: no async frame, and the writes answer the
  // shared WRITE_DONE (a failure is still a rejected promise, never a synchronous throw)
  getRecord(id: string, options?: { readOnly?: boolean }): Promise<StoredRecord | null> {
    const r = this.t.records.get(id);
    // (a read-only read gets the stored object itself: the store never changes it in place, a write replaces it)
    return r ? Promise.resolve(options?.readOnly === true ? r : cloneRecord(r)) : NULL_RESULT;
  }
  async getRecords(ids: readonly string[]): Promise<StoredRecord[]> {
    checkBatchSize('getRecords', ids.length);
    const out: StoredRecord[] = [];
    for (const id of new Set(ids)) {
      const r = this.t.records.get(id);
      if (r) out.push(cloneRecord(r));
    }
    return out;
  }
  async queryRecords(query: RecordQuery): Promise<StoredRecord[]> {
    const list: StoredRecord[] = [];
    for (const r of this.t.records.values()) if (matchesQuery(r, query)) list.push(r);
    return sortAndPage(list, query).map(cloneJson);
  }
  async countRecords(query: RecordQuery): Promise<number> {
    let n = 0;
    for (const r of this.t.records.values()) if (matchesQuery(r, query)) n++;
    return n;
  }
  async insertRecord(record: StoredRecord): Promise<void> {
    if (this.t.records.has(record.id)) {
      throw new DealflowError('CONFLICT', `record '${record.id}' already exists in tenant '${this.tenantId}'`, { details: { recordId: record.id } });
    }
    if (record.version !== 1) {
      throw new DealflowError('CONFLICT', `record '${record.id}' must be inserted with version 1, got ${record.version}`, { details: { recordId: record.id } });
    }
    this.remember(this.t.records as Map<string, unknown>, record.id);
    const copy = cloneJson(record);
    copy.tenantId = this.tenantId;
    this.t.records.set(record.id, copy);
  }
  async insertRecords(records: readonly StoredRecord[]): Promise<void> {
    checkBatchSize('insertRecords', records.length);
    const seen = new Set<string>();
    for (const r of records) {
      if (r.tenantId !== this.tenantId) {
        throw new DealflowError('INPUT_INVALID', `record '${r.id}' belongs to tenant '${r.tenantId}', not to this transaction's tenant '${this.tenantId}'`, { details: { id: r.id } });
      }
      if (this.t.records.has(r.id) || seen.has(r.id)) {
        throw new DealflowError('CONFLICT', `record '${r.id}' already exists in tenant '${this.tenantId}'`, { details: { recordId: r.id } });
      }
      if (r.version !== 1) {
        throw new DealflowError('CONFLICT', `record '${r.id}' must be inserted with version 1, got ${r.version}`, { details: { recordId: r.id } });
      }
      seen.add(r.id);
    }
    for (const r of records) await this.insertRecord(r);
  }
  updateRecord(record: StoredRecord, expectedVersion: number): Promise<void> {
    try {
      this.update(record, expectedVersion);
      return WRITE_DONE;
    } catch (e) {
      return Promise.reject(e);
    }
  }
  private update(record: StoredRecord, expectedVersion: number): void {
    const cur = this.t.records.get(record.id);
    if (record.version !== expectedVersion + 1) throw nextVersionMismatch(record.id, expectedVersion, record.version);
    if (!cur || cur.version !== expectedVersion) throw versionConflict(record.id, expectedVersion, cur ? cur.version : null);
    this.remember(this.t.records as Map<string, unknown>, record.id);
    const copy = cloneRecord(record);
    copy.tenantId = this.tenantId;
    this.t.records.set(record.id, copy);
  }
  appendHistory(events: HistoryEvent[]): Promise<void> {
    try {
      this.append(events);
      return WRITE_DONE;
    } catch (e) {
      return Promise.reject(e);
    }
  }
  private append(events: HistoryEvent[]): void {
    const t = this.t;
    for (const e of events) {
      let list = t.history.get(e.recordId);
      const expected = (list?.length ?? 0) + 1;
      if (e.seq !== expected) {
        throw new DealflowError('CONFLICT', `history of record '${e.recordId}': expected seq ${expected}, got ${e.seq}`, {
          details: { recordId: e.recordId, expectedSeq: expected, seq: e.seq },
        });
      }
      if (!list) t.history.set(e.recordId, (list = []));
      const copy = storedEvent(e, this.tenantId);
      list.push(copy);
      this.journal.push(POP_HISTORY, list, null, null);
    }
  }
  async listHistory(recordId: string, options: { afterSeq?: number; limit?: number } = {}): Promise<HistoryEvent[]> {
    return readHistory(this.tenantId, recordId, this.t.history.get(recordId), options);
  }
  async scheduleTimers(timers: TimerRecord[]): Promise<void> {
    for (const timer of timers) {
      if (timer.key !== null) {
        for (const other of this.activeTimers(timer.recordId)) {
          if (other.key === timer.key && other.id !== timer.id) {
            this.cancel(other, timer.createdAt, 'replaced');
          }
        }
      }
      if (this.t.timers.has(timer.id)) {
        throw new DealflowError('CONFLICT', `timer '${timer.id}' already exists`, { details: { timerId: timer.id } });
      }
      const copy = cloneJson(timer);
      copy.tenantId = this.tenantId;
      this.setTimer(copy);
    }
  }
  async replaceTasks(recordId: string, rows: TaskRow[]): Promise<void> {
    checkTaskRows(this.tenantId, recordId, rows);
    this.remember(this.t.tasks as Map<string, unknown>, recordId);
    if (rows.length === 0) this.t.tasks.delete(recordId);
    else this.t.tasks.set(recordId, rows.map(cloneJson));
  }
  async listTasks(recordId: string): Promise<TaskRow[]> {
    return (this.t.tasks.get(recordId) ?? []).map(cloneJson).sort(compareTaskRows);
  }
  async cancelTimers(recordId: string, filter: { kinds?: string[]; keys?: string[]; stage?: string } = {}): Promise<number> {
    let n = 0;
    let at: string | undefined;
    for (const timer of this.activeTimers(recordId)) {
      if (filter.kinds && !filter.kinds.includes(timer.kind)) continue;
      if (filter.keys && (timer.key === null || !filter.keys.includes(timer.key))) continue;
      if (filter.stage !== undefined && timer.stage !== filter.stage) continue;
      this.cancel(timer, (at ??= new Date().toISOString()));
      n++;
    }
    return n;
  }
  async listTimers(recordId: string, options: { status?: TimerStatus[] } = {}): Promise<TimerRecord[]> {
    const onlyActive = options.status !== undefined && options.status.every((st) => st === 'pending' || st === 'claimed');
    const list = (onlyActive ? this.activeTimers(recordId) : this.recordTimers(recordId)).filter((x) => !options.status || options.status.includes(x.status));
    list.sort(compareTimers);
    return list.map(cloneJson);
  }
  async getTimer(timerId: string): Promise<TimerRecord | null> {
    const timer = this.t.timers.get(timerId);
    return timer ? cloneJson(timer) : null;
  }
  async completeTimer(timerId: string, workerId: string | null, outcome: string, at: string): Promise<boolean> {
    const timer = this.t.timers.get(timerId);
    if (!timer) return false;
    const ok = workerId === null ? timer.status === 'pending' : timer.status === 'claimed' && timer.leaseOwner === workerId;
    if (!ok) return false;
    this.setTimer({ ...timer, status: 'done', outcome, finishedAt: at, leaseOwner: null, leaseUntil: null });
    return true;
  }
  async getIdempotency(key: string): Promise<{ fingerprint: string; result: unknown } | undefined> {
    const v = this.t.idempotency.get(key);
    return v ? { fingerprint: v.fingerprint, result: cloneJson(v.result) } : undefined;
  }
  async putIdempotency(key: string, fingerprint: string, result: unknown, at: string): Promise<void> {
    if (this.t.idempotency.has(key)) {
      throw new DealflowError('CONFLICT', `idempotency key '${key}' already exists`, { details: { key } });
    }
    this.remember(this.t.idempotency as Map<string, unknown>, key);
    this.t.idempotency.set(key, { fingerprint, result: cloneJson(result), at });
  }
  async incrementCounter(key: string, by = 1): Promise<number> {
    const next = (this.t.counters.get(key) ?? 0) + by;
    this.remember(this.t.counters as Map<string, unknown>, key);
    this.t.counters.set(key, next);
    return next;
  }
  async getCounter(key: string): Promise<number> {
    return this.t.counters.get(key) ?? 0;
  }
  async setCounter(key: string, value: number): Promise<void> {
    this.remember(this.t.counters as Map<string, unknown>, key);
    this.t.counters.set(key, value);
  }
  async claimUniqueKeys(recordId: string, keys: string[]): Promise<UniqueKeyConflict[]> {
    const conflicts: UniqueKeyConflict[] = [];
    for (const key of keys) {
      const holder = this.t.uniqueKeys.get(key);
      if (holder !== undefined && holder !== recordId) conflicts.push({ key, recordId: holder });
    }
    if (conflicts.length > 0) return conflicts;
    for (const key of keys) {
      if (this.t.uniqueKeys.get(key) === recordId) continue;
      this.remember(this.t.uniqueKeys as Map<string, unknown>, key);
      this.t.uniqueKeys.set(key, recordId);
    }
    return [];
  }
  async releaseUniqueKeys(recordId: string, keys?: string[]): Promise<void> {
    const list = keys ?? [...this.t.uniqueKeys.entries()].filter(([, r]) => r === recordId).map(([k]) => k);
    for (const key of list) {
      if (this.t.uniqueKeys.get(key) !== recordId) continue;
      this.remember(this.t.uniqueKeys as Map<string, unknown>, key);
      this.t.uniqueKeys.delete(key);
    }
  }
  async findUniqueKey(key: string): Promise<string | null> {
    return this.t.uniqueKeys.get(key) ?? null;
  }
  appendOutbox(messages: OutboxMessage[]): Promise<void> {
    try {
      for (const m of messages) {
        const p = transitionPayload(m);
        // built whole (a spread copy that then gains `position` costs V8 a new hidden class per entry)
        const entry: OutboxEntry = p
          ? {
              flat: true, position: ++this.state.position, tenantId: this.tenantId, id: m.id, recordId: m.recordId!, createdAt: m.createdAt,
              recordType: p.type, event: p.event, from: p.from, to: p.to, actorId: p.actorId, version: p.version,
            }
          : {
              tenantId: this.tenantId,
              id: m.id,
              recordId: m.recordId,
              type: m.type,
              payload: cloneData(m.payload, 'payload') as Record<string, unknown>,
              createdAt: m.createdAt,
              position: ++this.state.position,
            };
        this.state.outbox.push(entry);
        this.journal.push(DROP_OUTBOX, entry, null, null);
      }
      return WRITE_DONE;
    } catch (e) {
      return Promise.reject(e);
    }
  }
}

/**
 * An in-memory {@link Storage}: the full contract (records, history, timers with leases,
 * idempotency, counters, unique keys, outbox), for tests, examples and single-process apps.
 * Transactions run one at a time (a store-wide async lock) and roll back whole through an undo
 * journal.
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
  let busy = false;
  const waiters: Array<() => void> = [];

  const closedError = () => new DealflowError('CLOSED', 'memory storage is closed');
  const ensureOpen = () => {
    if (closed) throw closedError();
  };
  const acquire = (): Promise<void> | undefined => {
    if (!busy) {
      busy = true;
      return undefined;
    }
    return new Promise<void>((resolve) => waiters.push(resolve));
  };
  const release = () => {
    const next = waiters.shift();
    if (next) next();
    else busy = false;
  };

  /** Runs `fn` in a new transaction (the lock is held): commits by keeping its writes, or rolls back whole. */
  const runTransaction = <T>(tenantId: string, fn: (tx: StorageTx) => Promise<T>): Promise<T> => {
    const tx = new MemoryTx(tenantId, state);
    let result: Promise<T>;
    try {
      ensureOpen();
      result = fn(tx);
      // (a callback that is not async still works: its value or thenable is taken as a promise)
      if (!(result instanceof Promise)) result = Promise.resolve(result);
    } catch (e) {
      tx.rollback();
      release();
      return Promise.reject(e);
    }
    return result.then(
      (value) => {
        release();
        return value;
      },
      (e: unknown) => {
        tx.rollback();
        release();
        throw e;
      },
    );
  };

  const claimable = (timer: TimerRecord, now: string) =>
    (timer.status === 'pending' && timer.dueAt <= now) ||
    (timer.status === 'claimed' && timer.leaseUntil !== null && timer.leaseUntil <= now);

  return {
    name: 'memory',
    transaction<T>(tenantId: string, fn: (tx: StorageTx) => Promise<T>): Promise<T> {
      if (closed) return Promise.reject(closedError());
      const wait = acquire();
      // (no async frame: the common uncontended call runs at once and settles through one `then`)
      return wait ? wait.then(() => runTransaction(tenantId, fn)) : runTransaction(tenantId, fn);
    },
    async getRecord(tenantId, id) {
      ensureOpen();
      const r = state.tenants.get(tenantId)?.records.get(id);
      return r ? cloneRecord(r) : null;
    },
    async queryRecords(tenantId, query) {
      ensureOpen();
      const t = state.tenants.get(tenantId);
      if (!t) return [];
      const list: StoredRecord[] = [];
      for (const r of t.records.values()) if (matchesQuery(r, query)) list.push(r);
      return sortAndPage(list, query).map(cloneJson);
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
      return readHistory(tenantId, recordId, state.tenants.get(tenantId)?.history.get(recordId), options);
    },
    async claimDueTimers(options: ClaimTimersOptions) {
      ensureOpen();
      const wait = acquire();
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
          const claimed: TimerRecord = {
            ...timer,
            status: 'claimed' as TimerStatus,
            leaseOwner: options.workerId,
            leaseUntil,
            attempts: timer.attempts + 1,
          };
          tenantOf(state, timer.tenantId).timers.set(timer.id, claimed);
          return cloneJson(claimed);
        });
      } finally {
        release();
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
        out.push(outboxMessage(m));
        if (out.length >= options.limit) break;
      }
      return out;
    },
    async ackOutbox(pos, options = {}) {
      ensureOpen();
      const outbox = state.outbox;
      let w = 0;
      for (let r = 0; r < outbox.length; r++) {
        const m = outbox[r]!;
        if (m.position <= pos && (options.tenantId === undefined || m.tenantId === options.tenantId)) continue;
        outbox[w++] = m;
      }
      outbox.length = w;
    },
    async close() {
      closed = true;
    },
  };
}
