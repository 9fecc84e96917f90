/**
 * A transaction of many items: a {@link StorageTx} over the store's own transaction that keeps the
 * writes of each item to itself until the item is accepted, and writes every accepted item in a
 * few batched store calls at the end. The batch paths of the engine (`createMany`) run the same
 * per-record code as single calls against it, so one rejected item never leaves a write behind and
 * a thousand records cost a handful of statements.
 *
 * Reads see the writes of accepted items and of the current item (read-your-writes), then the
 * store. What the store checks (an id taken meanwhile, a version moved, a unique key claimed by
 * another transaction) it checks at {@link BatchTx.flush}: a failure there fails the whole
 * transaction, which the caller retries or splits.
 *
 * Items of one batch should touch distinct records (records they only read may be shared): writes
 * are sent grouped by kind (records, history, unique keys, timers, outbox, counters, idempotency),
 * which is each item's own order; timer writes keep their order per record.
 */
import { DealflowError } from '@dealflow/logic';
import { matchesQuery } from './memory.js';
import { cloneJson } from './clone.js';
import { MAX_BATCH_IDS } from './types.js';
import type {
  HistoryEvent, OutboxMessage, RecordQuery, StorageTx, StoredRecord, TaskRow, TimerRecord, TimerStatus, UniqueKeyConflict,
} from './types.js';
import { checkTaskRows, compareTaskRows } from './tasks.js';

type TimerFilter = { kinds?: string[]; keys?: string[]; stage?: string };

/** A record this batch wrote: the versions it wrote in order, and the stored one it started from. */
interface RecordEntry {
  /** The stored record before the batch (null: the batch inserted it). */
  base: StoredRecord | null;
  versions: StoredRecord[];
}

/** The timer operations of the batch, in order (for reads of a record's timers). */
type TimerOp =
  | { op: 'schedule'; timer: TimerRecord }
  | { op: 'cancel'; recordId: string; filter: TimerFilter; at: string }
  | { op: 'complete'; timerId: string; recordId: string; workerId: string | null; outcome: string; at: string };

function sortRecords(list: StoredRecord[], q: RecordQuery): StoredRecord[] {
  const dir = q.order === 'desc' ? -1 : 1;
  return list.sort((a, b) => (a.createdAt < b.createdAt ? -dir : a.createdAt > b.createdAt ? dir : a.id < b.id ? -dir : a.id > b.id ? dir : 0));
}

function matchesFilter(t: TimerRecord, f: TimerFilter): boolean {
  return (f.kinds === undefined || f.kinds.includes(t.kind))
    && (f.keys === undefined || (t.key !== null && f.keys.includes(t.key)))
    && (f.stage === undefined || t.stage === f.stage);
}

const isActive = (t: TimerRecord) => t.status === 'pending' || t.status === 'claimed';

/**
 * See the module comment. Use: `begin()` before an item, `accept()` or `reject()` after it,
 * `flush()` once at the end, inside the store transaction whose `StorageTx` it wraps.
 *
 * @example
 * ```ts
 * await storage.transaction(tenant, async (tx) => {
 *   const batch = new BatchTx(tx)
 *   for (const item of items) {
 *     batch.begin()
 *     try { await createInTx(core, batch, bp, item, ctx, actor, at); batch.accept() } catch (e) { batch.reject() }
 *   }
 *   await batch.flush()
 * })
 * ```
 */
export class BatchTx implements StorageTx {
  readonly tenantId: string;
  private readonly records = new Map<string, RecordEntry>();
  /** Records read from the store (null: known absent), so repeated reads cost nothing. */
  private readonly read = new Map<string, StoredRecord | null>();
  private readonly history: HistoryEvent[] = [];
  private readonly timerOps: TimerOp[] = [];
  private readonly outbox: OutboxMessage[] = [];
  /** Task-index rows each record's items replaced (the last replacement wins). */
  private readonly tasks = new Map<string, TaskRow[]>();
  private readonly idempotency = new Map<string, { fingerprint: string; result: unknown; at: string }>();
  /** Counters this batch touched: their value now (the store row was taken, see incrementCounter). */
  private readonly counters = new Map<string, number>();
  private readonly claims = new Map<string, string>();
  private readonly claimOrder: Array<{ recordId: string; keys: string[] }> = [];
  private readonly releases: Array<{ recordId: string; keys?: string[] }> = [];
  /** Timers the caller knows as stored (a worker's claimed timers): completing one needs no read. */
  private readonly knownTimers = new Map<string, TimerRecord>();
  /** Each prefetched record's timers as the store had them (every status), see {@link prefetchTimers}. */
  private readonly storedTimers = new Map<string, TimerRecord[]>();
  private undo: Array<() => void> = [];
  private open = false;

  constructor(private readonly base: StorageTx) {
    this.tenantId = base.tenantId;
  }

  /** Starts an item: its writes stay apart until {@link accept} or {@link reject}. */
  begin(): void {
    this.undo = [];
    this.open = true;
  }

  /** Keeps the current item's writes for the flush. */
  accept(): void {
    this.undo = [];
    this.open = false;
  }

  /** Drops every write of the current item, as if it had not run. */
  reject(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) this.undo[i]!();
    this.undo = [];
    this.open = false;
  }

  /** Whether an item is open (begun, neither accepted nor rejected yet). */
  get isOpen(): boolean {
    return this.open;
  }

  /** How many records accepted items wrote so far. */
  get size(): number {
    return this.records.size;
  }

  private note(fn: () => void): void {
    if (this.open) this.undo.push(fn);
  }

  private truncate<T>(list: T[]): void {
    const n = list.length;
    this.note(() => { list.length = n; });
  }

  /**
   * Tells the batch timers as they are stored (a worker's freshly claimed timers), so that
   * completing them reads nothing; the store still checks each lease when the batch is flushed.
   */
  knowTimers(timers: readonly TimerRecord[]): void {
    for (const t of timers) this.knownTimers.set(t.id, cloneJson(t));
  }

  /** Reads records of the store once for the whole batch (those about to be created or changed). */
  async prefetch(ids: readonly string[]): Promise<void> {
    const want = [...new Set(ids)].filter((id) => !this.read.has(id) && !this.records.has(id));
    for (let i = 0; i < want.length; i += MAX_BATCH_IDS) {
      const chunk = want.slice(i, i + MAX_BATCH_IDS);
      for (const id of chunk) this.read.set(id, null);
      for (const r of await this.base.getRecords(chunk, { forUpdate: true })) this.read.set(r.id, r);
    }
  }

  /**
   * Reads the timers of these records once for the whole batch, where the store reads many in one
   * call (`listTimersOf`); `listTimers` then answers from them with this batch's operations applied.
   * Without it, nothing is read here and `listTimers` asks the store record by record.
   */
  async prefetchTimers(ids: readonly string[]): Promise<void> {
    if (!this.base.listTimersOf) return;
    const want = [...new Set(ids)].filter((id) => !this.storedTimers.has(id));
    for (let i = 0; i < want.length; i += MAX_BATCH_IDS) {
      const chunk = want.slice(i, i + MAX_BATCH_IDS);
      for (const id of chunk) this.storedTimers.set(id, []);
      for (const t of await this.base.listTimersOf(chunk)) this.storedTimers.get(t.recordId)?.push(t);
    }
  }

  /** The record as this batch sees it (its own latest version, else the store's), or null; not a copy. */
  private async current(id: string, forUpdate = false): Promise<StoredRecord | null> {
    const e = this.records.get(id);
    if (e) return e.versions[e.versions.length - 1] ?? null;
    if (this.read.has(id)) return this.read.get(id)!;
    const r = await this.base.getRecord(id, { forUpdate });
    this.read.set(id, r);
    return r;
  }

  async getRecord(id: string, options?: { forUpdate?: boolean }): Promise<StoredRecord | null> {
    const r = await this.current(id, options?.forUpdate === true);
    return r ? cloneJson(r) : null;
  }

  async getRecords(ids: readonly string[], options?: { forUpdate?: boolean }): Promise<StoredRecord[]> {
    await this.prefetch(ids);
    const out: StoredRecord[] = [];
    for (const id of new Set(ids)) {
      const r = await this.current(id, options?.forUpdate === true);
      if (r) out.push(cloneJson(r));
    }
    return out;
  }

  /** The batch's records (latest versions) and, for those it changed, whether the stored version matched. */
  private changed(q: RecordQuery): { now: StoredRecord[]; baseMatches: number } {
    const now: StoredRecord[] = [];
    let baseMatches = 0;
    for (const e of this.records.values()) {
      const last = e.versions[e.versions.length - 1]!;
      if (matchesQuery(last, q)) now.push(last);
      if (e.base && matchesQuery(e.base, q)) baseMatches++;
    }
    return { now, baseMatches };
  }

  async queryRecords(query: RecordQuery): Promise<StoredRecord[]> {
    if (this.records.size === 0) return this.base.queryRecords(query);
    const { offset = 0, limit } = query;
    const widened: RecordQuery = { ...query, offset: undefined, limit: limit === undefined ? undefined : offset + limit + this.records.size };
    const fromStore = (await this.base.queryRecords(widened)).filter((r) => !this.records.has(r.id));
    const merged = sortRecords([...fromStore, ...this.changed(query).now.map(cloneJson)], query);
    return merged.slice(offset, limit === undefined ? undefined : offset + limit);
  }

  async countRecords(query: RecordQuery): Promise<number> {
    const n = await this.base.countRecords(query);
    if (this.records.size === 0) return n;
    const { now, baseMatches } = this.changed(query);
    return n - baseMatches + now.length;
  }

  private put(record: StoredRecord, base: StoredRecord | null): void {
    const copy = cloneJson(record);
    copy.tenantId = this.tenantId;
    const e = this.records.get(record.id);
    if (e) {
      e.versions.push(copy);
      this.note(() => { e.versions.pop(); });
      return;
    }
    this.records.set(record.id, { base, versions: [copy] });
    this.note(() => { this.records.delete(record.id); });
  }

  async insertRecord(record: StoredRecord): Promise<void> {
    this.own('record', record.id, record.tenantId);
    if (record.version !== 1) {
      throw new DealflowError('INPUT_INVALID', `record '${record.id}': a new record must have version 1, got ${record.version}`, { details: { recordId: record.id } });
    }
    if (await this.current(record.id)) {
      throw new DealflowError('CONFLICT', `record '${record.id}' already exists in tenant '${this.tenantId}'`, { details: { recordId: record.id } });
    }
    this.put(record, null);
  }

  async insertRecords(records: readonly StoredRecord[]): Promise<void> {
    for (const r of records) await this.insertRecord(r);
  }

  async updateRecord(record: StoredRecord, expectedVersion: number): Promise<void> {
    this.own('record', record.id, record.tenantId);
    if (record.version !== expectedVersion + 1) {
      throw new DealflowError('CONFLICT', `record '${record.id}': the new version must be ${expectedVersion + 1}, got ${record.version}`, { details: { recordId: record.id } });
    }
    const cur = await this.current(record.id);
    if (!cur || cur.version !== expectedVersion) {
      throw new DealflowError('CONFLICT', `record '${record.id}' is at version ${cur?.version ?? 'none'}, expected ${expectedVersion}`, {
        details: { recordId: record.id, expectedVersion, actualVersion: cur?.version ?? null },
      });
    }
    this.put(record, this.records.has(record.id) ? null : cur);
  }

  async appendHistory(events: HistoryEvent[]): Promise<void> {
    for (const e of events) this.own('history event', e.id, e.tenantId);
    this.truncate(this.history);
    for (const e of events) this.history.push(cloneJson(e));
  }

  async listHistory(recordId: string, options: { afterSeq?: number; limit?: number } = {}): Promise<HistoryEvent[]> {
    const inserted = this.records.get(recordId)?.base === null && !this.read.get(recordId);
    const stored = inserted ? [] : await this.base.listHistory(recordId);
    const all = [...stored, ...this.history.filter((e) => e.recordId === recordId).map(cloneJson)];
    const from = all.filter((e) => e.seq > (options.afterSeq ?? 0));
    return options.limit === undefined ? from : from.slice(0, options.limit);
  }

  async scheduleTimers(timers: TimerRecord[]): Promise<void> {
    this.truncate(this.timerOps);
    for (const timer of timers) this.timerOps.push({ op: 'schedule', timer: cloneJson(timer) });
  }

  /**
   * Queues the cancel for the flush without reading the store: the count answers the timers this
   * batch knows (its own, and known ones) that the cancel matches; the store's others are cancelled
   * at the flush all the same (no engine path reads the count).
   */
  async cancelTimers(recordId: string, filter: TimerFilter = {}): Promise<number> {
    const active = this.overlay(recordId, [...this.knownTimers.values()].filter((t) => t.recordId === recordId))
      .filter((t) => isActive(t) && matchesFilter(t, filter));
    this.truncate(this.timerOps);
    this.timerOps.push({ op: 'cancel', recordId, filter, at: new Date().toISOString() });
    return active.length;
  }

  /** A record's timers: the store's, then this batch's operations applied in order. */
  async listTimers(recordId: string, options: { status?: TimerStatus[] } = {}): Promise<TimerRecord[]> {
    const inserted = this.records.get(recordId)?.base === null && !this.read.get(recordId);
    const stored = this.storedTimers.get(recordId);
    const list = this.overlay(recordId, inserted ? [] : stored ? stored.map(cloneJson) : await this.base.listTimers(recordId))
      .filter((t) => options.status === undefined || options.status.includes(t.status));
    return list.sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** `stored` (timers of one record as the store has them) with this batch's timer operations applied in order. */
  private overlay(recordId: string, stored: readonly TimerRecord[]): TimerRecord[] {
    const byId = new Map<string, TimerRecord>();
    for (const t of stored) byId.set(t.id, t);
    for (const o of this.timerOps) {
      if (o.op === 'schedule' && o.timer.recordId === recordId) {
        if (o.timer.key !== null) {
          for (const t of byId.values()) {
            if (isActive(t) && t.key === o.timer.key) byId.set(t.id, { ...t, status: 'cancelled', outcome: 'replaced', finishedAt: o.timer.createdAt, leaseOwner: null, leaseUntil: null });
          }
        }
        byId.set(o.timer.id, cloneJson(o.timer));
      } else if (o.op === 'cancel' && o.recordId === recordId) {
        for (const t of byId.values()) {
          if (isActive(t) && matchesFilter(t, o.filter)) byId.set(t.id, { ...t, status: 'cancelled', outcome: 'cancelled', finishedAt: o.at, leaseOwner: null, leaseUntil: null });
        }
      } else if (o.op === 'complete') {
        const t = byId.get(o.timerId);
        if (t) byId.set(t.id, { ...t, status: 'done', outcome: o.outcome, finishedAt: o.at, leaseOwner: null, leaseUntil: null });
      }
    }
    return [...byId.values()];
  }

  async getTimer(timerId: string): Promise<TimerRecord | null> {
    const known = this.knownTimers.get(timerId);
    if (known) return this.overlay(known.recordId, [known]).find((t) => t.id === timerId) ?? null;
    const stored = await this.base.getTimer(timerId);
    let recordId = stored?.recordId;
    for (const o of this.timerOps) if (recordId === undefined && o.op === 'schedule' && o.timer.id === timerId) recordId = o.timer.recordId;
    if (recordId === undefined) return null;
    return (await this.listTimers(recordId)).find((t) => t.id === timerId) ?? null;
  }

  async completeTimer(timerId: string, workerId: string | null, outcome: string, at: string): Promise<boolean> {
    const t = await this.getTimer(timerId);
    const ok = t !== null && (workerId === null ? t.status === 'pending' : t.status === 'claimed' && t.leaseOwner === workerId);
    if (!ok) return false;
    this.truncate(this.timerOps);
    this.timerOps.push({ op: 'complete', timerId, recordId: t.recordId, workerId, outcome, at });
    return true;
  }

  async getIdempotency(key: string): Promise<{ fingerprint: string; result: unknown } | undefined> {
    const mine = this.idempotency.get(key);
    if (mine) return { fingerprint: mine.fingerprint, result: cloneJson(mine.result) };
    return this.base.getIdempotency(key);
  }

  async putIdempotency(key: string, fingerprint: string, result: unknown, at: string): Promise<void> {
    if (this.idempotency.has(key) || (await this.base.getIdempotency(key)) !== undefined) {
      throw new DealflowError('CONFLICT', `idempotency key '${key}' already exists`, { details: { key } });
    }
    this.idempotency.set(key, { fingerprint, result: cloneJson(result), at });
    this.note(() => { this.idempotency.delete(key); });
  }

  /** A counter's value as the batch knows it; the first touch takes the store row (an increment by 0 locks it until commit). */
  private async counter(key: string): Promise<number> {
    const known = this.counters.get(key);
    if (known !== undefined) return known;
    const value = await this.base.incrementCounter(key, 0);
    this.counters.set(key, value);
    return value;
  }

  private setLocal(key: string, value: number): void {
    const before = this.counters.get(key)!;
    this.counters.set(key, value);
    this.note(() => { this.counters.set(key, before); });
  }

  async incrementCounter(key: string, by = 1): Promise<number> {
    const next = (await this.counter(key)) + by;
    this.setLocal(key, next);
    return next;
  }

  getCounter(key: string): Promise<number> {
    return this.counter(key);
  }

  async setCounter(key: string, value: number): Promise<void> {
    await this.counter(key);
    this.setLocal(key, value);
  }

  private released(recordId: string, key: string): boolean {
    return this.releases.some((r) => r.recordId === recordId && (r.keys === undefined || r.keys.includes(key)));
  }

  async findUniqueKey(key: string): Promise<string | null> {
    const mine = this.claims.get(key);
    if (mine !== undefined) return mine;
    const holder = await this.base.findUniqueKey(key);
    return holder !== null && this.released(holder, key) ? null : holder;
  }

  async claimUniqueKeys(recordId: string, keys: string[]): Promise<UniqueKeyConflict[]> {
    const conflicts: UniqueKeyConflict[] = [];
    for (const key of new Set(keys)) {
      const holder = await this.findUniqueKey(key);
      if (holder !== null && holder !== recordId) conflicts.push({ key, recordId: holder });
    }
    if (conflicts.length > 0) return conflicts;
    const added = [...new Set(keys)].filter((k) => this.claims.get(k) !== recordId);
    for (const k of added) this.claims.set(k, recordId);
    this.truncate(this.claimOrder);
    this.claimOrder.push({ recordId, keys: added });
    this.note(() => { for (const k of added) this.claims.delete(k); });
    return [];
  }

  async releaseUniqueKeys(recordId: string, keys?: string[]): Promise<void> {
    const dropped: string[] = [];
    for (const [k, holder] of this.claims) if (holder === recordId && (keys === undefined || keys.includes(k))) dropped.push(k);
    for (const k of dropped) this.claims.delete(k);
    this.truncate(this.releases);
    this.releases.push(keys === undefined ? { recordId } : { recordId, keys: [...keys] });
    this.note(() => { for (const k of dropped) this.claims.set(k, recordId); });
  }

  async replaceTasks(recordId: string, rows: TaskRow[]): Promise<void> {
    checkTaskRows(this.tenantId, recordId, rows);
    const had = this.tasks.has(recordId);
    const prev = this.tasks.get(recordId);
    this.note(() => {
      if (had) this.tasks.set(recordId, prev!);
      else this.tasks.delete(recordId);
    });
    this.tasks.set(recordId, rows.map(cloneJson));
  }

  async listTasks(recordId: string): Promise<TaskRow[]> {
    const mine = this.tasks.get(recordId);
    return mine ? mine.map(cloneJson).sort(compareTaskRows) : this.base.listTasks(recordId);
  }

  async appendOutbox(messages: OutboxMessage[]): Promise<void> {
    this.truncate(this.outbox);
    for (const m of messages) this.outbox.push(cloneJson(m));
  }

  private own(kind: string, id: string, tenantId: string): void {
    if (tenantId !== this.tenantId) {
      throw new DealflowError('INPUT_INVALID', `${kind} '${id}' belongs to tenant '${tenantId}', not to this transaction's tenant '${this.tenantId}'`, { details: { id, tenantId } });
    }
  }

  /**
   * Writes every accepted item to the store transaction, grouped by kind: new records in
   * `insertRecords` calls, changed records version by version, all history in one append, unique
   * keys, timer cancels, all new timers in one call, completions, all outbox messages in one call,
   * counters and idempotency results. Throws what the store throws (the transaction then fails whole).
   */
  async flush(): Promise<void> {
    if (this.open) throw new DealflowError('INPUT_INVALID', 'BatchTx.flush: an item is still open (accept or reject it first)');
    const inserts: StoredRecord[] = [];
    const updates: Array<[StoredRecord, number]> = [];
    for (const e of this.records.values()) {
      const [first, ...rest] = e.versions;
      if (e.base === null) inserts.push(first!);
      else updates.push([first!, e.base.version]);
      for (const v of rest) updates.push([v, v.version - 1]);
    }
    for (let i = 0; i < inserts.length; i += MAX_BATCH_IDS) await this.base.insertRecords(inserts.slice(i, i + MAX_BATCH_IDS));
    await this.sendUpdates(updates);
    if (this.history.length > 0) await this.base.appendHistory(this.history);
    for (const r of this.releases) await this.base.releaseUniqueKeys(r.recordId, r.keys);
    for (const c of this.claimOrder) {
      if (c.keys.length === 0) continue;
      const conflicts = await this.base.claimUniqueKeys(c.recordId, c.keys);
      if (conflicts.length > 0) {
        throw new DealflowError('CONFLICT', `record '${c.recordId}': unique key '${conflicts[0]!.key}' was claimed meanwhile by record '${conflicts[0]!.recordId}'`, { details: { recordId: c.recordId, conflicts } });
      }
    }
    await this.sendTimerOps();
    for (const [recordId, rows] of this.tasks) await this.base.replaceTasks(recordId, rows);
    if (this.outbox.length > 0) await this.base.appendOutbox(this.outbox);
    for (const [key, value] of this.counters) await this.base.setCounter(key, value);
    for (const [key, v] of this.idempotency) await this.base.putIdempotency(key, v.fingerprint, v.result, v.at);
  }

  /** Record updates: one `updateRecords` per round where the store has it (each record once per round, its versions in order), else one by one. */
  private async sendUpdates(updates: ReadonlyArray<[StoredRecord, number]>): Promise<void> {
    const many = this.base.updateRecords?.bind(this.base);
    if (!many) {
      for (const [r, expected] of updates) await this.base.updateRecord(r, expected);
      return;
    }
    let rest = updates;
    while (rest.length > 0) {
      const seen = new Set<string>();
      const round: Array<{ record: StoredRecord; expectedVersion: number }> = [];
      const later: Array<[StoredRecord, number]> = [];
      for (const u of rest) {
        if (seen.has(u[0].id) || round.length >= MAX_BATCH_IDS) later.push(u);
        else {
          seen.add(u[0].id);
          round.push({ record: u[0], expectedVersion: u[1] });
        }
      }
      if (round.length === 1) await this.base.updateRecord(round[0]!.record, round[0]!.expectedVersion);
      else await many(round);
      rest = later;
    }
  }

  /**
   * The timer operations in as few calls as possible: schedules, cancels and completions are each
   * gathered and sent in that order; before an operation joins its group, a group holding an
   * earlier operation on the same record that must come first is sent, so each record's operations
   * keep the order that matters (a cancel after a schedule, a schedule after a cancel or a
   * completion, a cancel after a completion, a completion of a timer scheduled in the batch).
   */
  private async sendTimerOps(): Promise<void> {
    const schedule = { list: [] as TimerRecord[], records: new Set<string>() };
    const cancels = { list: [] as Array<{ recordId: string; filter: TimerFilter }>, records: new Set<string>() };
    const completes = { list: [] as Array<{ timerId: string; workerId: string | null; outcome: string; at: string }>, records: new Set<string>() };
    const sendSchedule = async () => {
      if (schedule.list.length > 0) await this.base.scheduleTimers(schedule.list);
      schedule.list = [];
      schedule.records.clear();
    };
    const sendCancels = async () => {
      const many = this.base.cancelTimersOf?.bind(this.base);
      if (many && cancels.list.length > 1) await many(cancels.list);
      else for (const c of cancels.list) await this.base.cancelTimers(c.recordId, c.filter);
      cancels.list = [];
      cancels.records.clear();
    };
    const sendCompletes = async () => {
      const many = this.base.completeTimers?.bind(this.base);
      let lost: string[] = [];
      if (many && completes.list.length > 1) lost = await many(completes.list);
      else for (const c of completes.list) if (!(await this.base.completeTimer(c.timerId, c.workerId, c.outcome, c.at))) lost.push(c.timerId);
      completes.list = [];
      completes.records.clear();
      if (lost.length > 0) {
        throw new DealflowError('LEASE_LOST', `timer '${lost[0]}': its lease was lost before the batch committed`, { details: { timerId: lost[0], timerIds: lost } });
      }
    };
    const scheduledIds = new Set<string>();
    for (const o of this.timerOps) {
      const recordId = o.op === 'schedule' ? o.timer.recordId : o.recordId;
      // (a completion recorded after a cancel or schedule of its record was checked against them
      // when it was made: they spared its timer, so it may join its group unless it completes a
      // timer still waiting to be scheduled)
      if (o.op === 'cancel' ? schedule.records.has(recordId) : o.op === 'complete' && scheduledIds.has(o.timerId)) {
        await sendSchedule();
        scheduledIds.clear();
      }
      if (o.op === 'schedule' && cancels.records.has(recordId)) await sendCancels();
      if (o.op !== 'complete' && completes.records.has(recordId)) await sendCompletes();
      if (o.op === 'schedule') {
        schedule.list.push(o.timer);
        schedule.records.add(recordId);
        scheduledIds.add(o.timer.id);
      } else if (o.op === 'cancel') {
        cancels.list.push({ recordId, filter: o.filter });
        cancels.records.add(recordId);
      } else {
        completes.list.push({ timerId: o.timerId, workerId: o.workerId, outcome: o.outcome, at: o.at });
        completes.records.add(recordId);
      }
    }
    // (the groups share no record that needs an order between them: schedules, cancels, completions)
    await sendSchedule();
    await sendCancels();
    await sendCompletes();
  }
}
