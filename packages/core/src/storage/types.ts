/**
 * The `Storage` contract: everything the engine and the worker need from a store.
 *
 * A store keeps records, their full history, durable timers (with leases), idempotency keys,
 * counters, unique (duplicate-guard) keys and an outbox. Every call is scoped to one tenant.
 * All writes of one engine call happen inside one {@link Storage.transaction}; if the callback
 * throws, nothing it wrote is visible afterwards.
 *
 * Times are ISO-8601 strings in UTC with milliseconds (`2026-01-05T09:00:00.000Z`), so they sort
 * lexically and survive JSON. Stores must return objects that the caller may mutate freely
 * (copies, never internal state).
 *
 * Conformance: `@dealflow/storage-testkit`'s `runStorageSuite` checks every rule written here.
 */

/** A record (lead, deal, contract, payment…) as the store keeps it. */
export interface StoredRecord {
  /** The tenant the row belongs to; every store call is scoped to one tenant. */
  tenantId: string;
  /** Unique per tenant. */
  id: string;
  /** Record type from the blueprint, e.g. `deal`. */
  type: string;
  /** Id of the blueprint that drives the record. */
  blueprintId: string;
  /** The blueprint version this record is pinned to. */
  blueprintVersion: number;
  /** Current stage id (for parallel machines: the stage of the main region). */
  stage: string;
  /** Starts at 1 on insert; each update writes `version + 1`. */
  version: number;
  /** Field values declared by the blueprint. JSON values only. */
  fields: Record<string, unknown>;
  /** Current owner (rep id), or null when the record is in the public pool / unassigned. */
  ownerId: string | null;
  /** Team (or pool) the record belongs to, if any. */
  teamId: string | null;
  /** Engine-owned state: XState snapshot value, stage times, links, score, last activity… JSON only. */
  meta: Record<string, unknown>;
  /** When the record entered its current stage. */
  stageEnteredAt: string;
  /** When the record was created (ISO UTC). */
  createdAt: string;
  /** When the record was last written, i.e. its latest history event (ISO UTC). */
  updatedAt: string;
}

/**
 * One history event. History is append-only and ordered per record by `seq` (1, 2, 3…, with no
 * gaps); replaying a record's history rebuilds the record exactly.
 */
export interface HistoryEvent {
  /** The tenant the row belongs to; every store call is scoped to one tenant. */
  tenantId: string;
  /** Globally unique, stable id (also used as the outbox message id to dedupe on). */
  id: string;
  /** The record the event belongs to. */
  recordId: string;
  /** 1-based position in the record's history; equals the record's `version` after this event. */
  seq: number;
  /** When it happened (engine clock). */
  at: string;
  /** What happened: `created`, `transition`, `fields`, `assigned`, `timer`, `activity`… */
  kind: string;
  /** The process event name, for transitions. */
  event?: string;
  /** Stage before, for transitions. */
  from?: string;
  /** Stage after, for transitions. */
  to?: string;
  /** Who did it (rep id, `system`, `worker:<id>`). */
  actorId?: string | null;
  /** Kind-specific payload, JSON only. Must hold what replay needs. */
  data: Record<string, unknown>;
}

/** The most ids (or records) one batched store call takes (`getRecords`, `insertRecords`). */
export const MAX_BATCH_IDS = 10_000;

/** Lifecycle of a timer. */
export type TimerStatus = 'pending' | 'claimed' | 'done' | 'cancelled';

/**
 * A durable timer (deadline breach, reminder, escalation, inactivity, task reminder…).
 * A timer carries the record version and stage it was set for, so a firing that no longer
 * matches can be recorded as a no-op.
 */
export interface TimerRecord {
  /** The tenant the row belongs to; every store call is scoped to one tenant. */
  tenantId: string;
  /** Unique per tenant. */
  id: string;
  /** The record the timer fires on. */
  recordId: string;
  /** What the timer is for: `breach`, `reminder`, `escalation`, `inactivity`, `task`, … */
  kind: string;
  /**
   * Optional dedupe key per record: scheduling a pending timer with the same (recordId, key)
   * replaces the earlier pending one.
   */
  key: string | null;
  /** When it becomes due. */
  dueAt: string;
  /** The event the engine sends when it fires. */
  event: string;
  /** Extra data for the firing, JSON only. */
  payload: Record<string, unknown>;
  /** Stage the timer was scheduled for (null: not tied to a stage, e.g. date timers and task reminders). */
  stage: string | null;
  /** The record's `version` when the timer was scheduled. */
  recordVersion: number;
  /** `pending` until claimed by a worker, `claimed` while leased, then `done` or `cancelled`. */
  status: TimerStatus;
  /** Worker holding the lease, while `claimed`. */
  leaseOwner: string | null;
  /** Lease expiry, while `claimed`; after it the timer may be claimed again. */
  leaseUntil: string | null;
  /** How many times it was claimed. */
  attempts: number;
  /** When the timer was scheduled (ISO UTC). */
  createdAt: string;
  /** Set when done or cancelled. */
  finishedAt: string | null;
  /** Free-form outcome written on completion (`fired`, `noop:stale`, `error:…`). */
  outcome: string | null;
}

/** A message for subscribers outside the process (mailer, webhooks); delivered at least once. */
export interface OutboxMessage {
  /** The tenant the row belongs to; every store call is scoped to one tenant. */
  tenantId: string;
  /** Stable id to dedupe on (e.g. the history event id, or `${historyId}:${n}`). */
  id: string;
  /** The record the message is about, or null for a message about no single record. */
  recordId: string | null;
  /** Event type, e.g. `dealflow.transition`, `dealflow.notify`. */
  type: string;
  /** The message body for subscribers (type-specific), JSON only. */
  payload: Record<string, unknown>;
  /** When the message was written (ISO UTC, the engine clock). */
  createdAt: string;
  /** Global insertion order, assigned by the store (monotonic per store). */
  position?: number;
}

/** Filter for {@link Storage.queryRecords} / {@link StorageTx.queryRecords}. All parts are ANDed. */
export interface RecordQuery {
  /** Records of this record type (`deal`, `lead`…). */
  type?: string;
  /** Records driven by this blueprint id. */
  blueprintId?: string;
  /** One stage or any of several. */
  stage?: string | string[];
  /** `null` selects unowned (pool) records. */
  ownerId?: string | null;
  /** Records of this team; `null` selects records without a team. */
  teamId?: string | null;
  /** Exact matches on field values (JSON equality on scalars). */
  fields?: Record<string, string | number | boolean | null>;
  /** Records updated at or after this time (ISO UTC). */
  updatedFrom?: string;
  /** Records updated before this time (ISO UTC). */
  updatedTo?: string;
  /** Order by `createdAt`, then `id`. Default ascending. */
  order?: 'asc' | 'desc';
  /**
   * Keyset cursor: only records after this one in the query's order (for `desc`: before it). Pages
   * of a large result read in constant time each, unlike `offset` (exports use it).
   */
  after?: {
    /** The `createdAt` of the last record of the previous page. */
    createdAt: string;
    /** The `id` of the last record of the previous page. */
    id: string;
  };
  /** At most this many records (default: all that match). */
  limit?: number;
  /** Skip this many matching records first (prefer `after` for deep pages). */
  offset?: number;
}

/**
 * One row of the task index (the rep's agenda): an open or finished task of a record, or a date
 * field the blueprint shows on the agenda (`agenda` on a date field). The engine gives the store a
 * record's rows whole ({@link StorageTx.replaceTasks}) whenever they change; the store keeps them
 * in an index so that "my tasks today" or "what is overdue for my team" never scans all records.
 */
export interface TaskRow {
  /** The tenant the row belongs to; every store call is scoped to one tenant. */
  tenantId: string;
  /** Unique per record: the task id, or `field:<name>` for an agenda date field. */
  id: string;
  /** The record the row belongs to. */
  recordId: string;
  /** The record's type (`deal`, `lead`…). */
  recordType: string;
  /** `task` or `date` (an agenda date field). */
  kind: string;
  /** The task's title, or the agenda title of the date field. */
  title: string;
  /** Who the row is for: the task's owner (else the record's), or the record's owner for a date. */
  ownerId: string | null;
  /** The record's team. */
  teamId: string | null;
  /** `open` until the task is completed (`done`). */
  status: 'open' | 'done';
  /** When it is due (ISO UTC), or null for a task without a due time. */
  dueAt: string | null;
}

/** Filter for {@link Storage.queryTasks}. All parts are ANDed. */
export interface TaskQuery {
  /** One owner or any of several. */
  ownerId?: string | string[];
  /** Rows of records of this team. */
  teamId?: string;
  /** Only open or only done rows (default: both). */
  status?: 'open' | 'done';
  /** Only `task` rows or only `date` (agenda date field) rows. */
  kind?: string;
  /** Rows of records of this type. */
  recordType?: string;
  /** Due strictly before this time (rows without a due time are left out when set). */
  dueBefore?: string;
  /** Due at or after this time (rows without a due time are left out when set). */
  dueAfter?: string;
  /** At most this many rows (default and maximum {@link TASK_QUERY_MAX}). */
  limit?: number;
}

/** The most rows one {@link Storage.queryTasks} or {@link Storage.queryDeadlines} returns. */
export const TASK_QUERY_MAX = 5000;

/** Filter for {@link Storage.queryDeadlines}: pending stage deadlines (breach timers) of records. */
export interface DeadlineQuery {
  /** Records of this owner (or any of several). */
  ownerId?: string | string[];
  /** Records of this team. */
  teamId?: string;
  /** Records of this type. */
  recordType?: string;
  /** Deadlines strictly before this time. */
  dueBefore: string;
  /** Deadlines at or after this time. */
  dueAfter?: string;
  /** At most this many rows (default and maximum {@link TASK_QUERY_MAX}). */
  limit?: number;
}

/** A record's pending stage deadline, with what the agenda shows of the record. */
export interface DeadlineRow {
  /** The record with the deadline. */
  recordId: string;
  /** The record's type. */
  recordType: string;
  /** The stage whose deadline it is. */
  stage: string;
  /** The record's owner (null: unowned). */
  ownerId: string | null;
  /** The record's team. */
  teamId: string | null;
  /** The breach time. */
  dueAt: string;
  /** Id of the pending breach timer. */
  timerId: string;
}

/** Options for claiming due timers. */
export interface ClaimTimersOptions {
  /** Timers with `dueAt <= now` are due. */
  now: string;
  /** At most this many timers. */
  limit: number;
  /** The lease length; a claimed timer becomes claimable again at `now + leaseMs`. */
  leaseMs: number;
  /** The claiming worker's id (written to `leaseOwner`). */
  workerId: string;
  /** Restrict to one tenant; omitted = all tenants (a worker serves every tenant). */
  tenantId?: string;
}

/** What `claimUniqueKeys` reports for a key already held by another record. */
export interface UniqueKeyConflict {
  /** The normalized unique key that is taken. */
  key: string;
  /** The record that holds it. */
  recordId: string;
}

/**
 * The operations available inside one transaction of one tenant. Reads see the transaction's own
 * writes. On PostgreSQL, `getRecord(id, { forUpdate: true })` locks the row until commit.
 */
export interface StorageTx {
  /** The tenant every call of this transaction reads and writes. */
  readonly tenantId: string;

  /**
   * The record, or null (the caller's to change). `forUpdate` locks it for this transaction where
   * the store can.
   */
  getRecord(id: string, options?: { forUpdate?: boolean }): Promise<StoredRecord | null>;
  /**
   * The records among `ids` that exist, in any order (at most {@link MAX_BATCH_IDS} ids). One read for
   * a batch instead of one per record; `forUpdate` locks them where the store can.
   */
  getRecords(ids: readonly string[], options?: { forUpdate?: boolean }): Promise<StoredRecord[]>;
  /** Records matching the query (this tenant only). */
  queryRecords(query: RecordQuery): Promise<StoredRecord[]>;
  /** Count of records matching the query. */
  countRecords(query: RecordQuery): Promise<number>;
  /** Inserts a new record (`version` must be 1). Throws `DealflowError('CONFLICT')` if the id exists. */
  insertRecord(record: StoredRecord): Promise<void>;
  /**
   * Inserts new records (each `version` 1) in one write: a multi-row statement on SQL stores.
   * All or none: if any id exists (or repeats in the list), throws `DealflowError('CONFLICT')`
   * naming one and inserts none of them. At most {@link MAX_BATCH_IDS} records.
   */
  insertRecords(records: readonly StoredRecord[]): Promise<void>;
  /**
   * Replaces the record if its stored version equals `expectedVersion`; the new record's `version`
   * must be `expectedVersion + 1`. Otherwise throws `DealflowError('CONFLICT')` naming the record and
   * both versions.
   */
  updateRecord(record: StoredRecord, expectedVersion: number): Promise<void>;

  /** Appends events; each `seq` must be the next for its record, else `DealflowError('CONFLICT')`. */
  appendHistory(events: HistoryEvent[]): Promise<void>;
  /** A record's history in `seq` order (optionally from `afterSeq`, exclusive). */
  listHistory(recordId: string, options?: { afterSeq?: number; limit?: number }): Promise<HistoryEvent[]>;

  /**
   * Adds pending timers. A timer with a `key` replaces (cancels) a pending or claimed timer of the
   * same record with the same key.
   */
  scheduleTimers(timers: TimerRecord[]): Promise<void>;
  /**
   * Cancels a record's pending and claimed timers, all of them or those matching the filter.
   * Returns how many were cancelled.
   */
  cancelTimers(recordId: string, filter?: { kinds?: string[]; keys?: string[]; stage?: string }): Promise<number>;
  /** A record's timers (all statuses unless filtered), ordered by `dueAt`, then `id`. */
  listTimers(recordId: string, options?: { status?: TimerStatus[] }): Promise<TimerRecord[]>;
  /**
   * The timers of many records in one read (at most 10 000 ids; all statuses unless filtered): what
   * `listTimers` gives for each, each record's in `dueAt`, then `id` order. Optional: a store whose
   * reads cost no round trip (memory, SQLite) leaves it out, and batch paths (`migrateRecords`)
   * then ask `listTimers` record by record.
   */
  listTimersOf?(recordIds: readonly string[], options?: { status?: TimerStatus[] }): Promise<TimerRecord[]>;
  /** One timer by id, or null. */
  getTimer(timerId: string): Promise<TimerRecord | null>;
  /**
   * Marks a claimed timer done with its outcome, only if it is still claimed by `workerId`
   * (lease not lost to another worker). Returns false, writing nothing, otherwise.
   * A `pending` timer may be completed by any caller with `workerId: null` (engine.runDue path).
   */
  completeTimer(timerId: string, workerId: string | null, outcome: string, at: string): Promise<boolean>;

  /**
   * Optional, for batches (`BatchTx` uses it when the store has it): many `updateRecord` calls in
   * one write, each record at most once. All or none: a record not at its expected version throws
   * `DealflowError('CONFLICT')` naming it and changes none of them.
   */
  updateRecords?(changes: ReadonlyArray<{ record: StoredRecord; expectedVersion: number }>): Promise<void>;
  /**
   * Optional, for batches: many `cancelTimers` calls in one write (the records' timers matching
   * each filter). Answers how many timers were cancelled in all.
   */
  cancelTimersOf?(cancels: ReadonlyArray<{ recordId: string; filter?: { kinds?: string[]; keys?: string[]; stage?: string } }>): Promise<number>;
  /**
   * Optional, for batches: many `completeTimer` calls in one write, each timer at most once, with
   * the same rule per timer (claimed by `workerId`, or pending with `workerId: null`). Answers the
   * ids of the timers NOT completed (lease lost), writing nothing for those.
   */
  completeTimers?(completions: ReadonlyArray<{ timerId: string; workerId: string | null; outcome: string; at: string }>): Promise<string[]>;

  /** The stored result for an idempotency key, or undefined. */
  getIdempotency(key: string): Promise<{
    /** What identifies the request stored under the key; a retry with another fingerprint is a conflict. */
    fingerprint: string;
    /** The stored result returned to the retry. */
    result: unknown;
  } | undefined>;
  /** Stores a result under a key. Throws `DealflowError('CONFLICT')` if the key exists. */
  putIdempotency(key: string, fingerprint: string, result: unknown, at: string): Promise<void>;

  /** Adds `by` (default 1) to a named counter (created at 0) and returns the new value. Atomic. */
  incrementCounter(key: string, by?: number): Promise<number>;
  /** A counter's value (0 if absent). */
  getCounter(key: string): Promise<number>;
  /** Sets a counter to a value. */
  setCounter(key: string, value: number): Promise<void>;

  /**
   * Claims unique keys (duplicate guard: normalized e-mail, phone, company) for a record. If any key
   * is held by another record, claims none and returns the conflicts; else returns [].
   */
  claimUniqueKeys(recordId: string, keys: string[]): Promise<UniqueKeyConflict[]>;
  /** Releases keys held by the record (all of them when `keys` is omitted). */
  releaseUniqueKeys(recordId: string, keys?: string[]): Promise<void>;
  /** Which record holds a key, or null. */
  findUniqueKey(key: string): Promise<string | null>;

  /** Appends messages to the outbox (committed with the transaction). */
  appendOutbox(messages: OutboxMessage[]): Promise<void>;

  /**
   * Replaces a record's rows in the task index with `rows` (all of them `recordId`'s; an empty
   * list removes the record's rows). Committed with the transaction.
   */
  replaceTasks(recordId: string, rows: TaskRow[]): Promise<void>;
  /** A record's rows in the task index, ordered by `dueAt` (nulls last), then `id`. */
  listTasks(recordId: string): Promise<TaskRow[]>;
}

/**
 * A Dealflow store. Implementations: `createMemoryStorage()` (core), `createSqliteStorage()`,
 * `createPostgresStorage()`.
 */
export interface Storage {
  /** Short name of the implementation (`memory`, `sqlite`, `postgres`). */
  readonly name: string;

  /**
   * Runs `fn` in one transaction of `tenantId`. Commits when it resolves; rolls back everything
   * when it throws (and rethrows the same error). Transactions on one record are serialized
   * (row lock or a store-wide lock).
   */
  transaction<T>(tenantId: string, fn: (tx: StorageTx) => Promise<T>): Promise<T>;

  /** Read a record outside a transaction. */
  getRecord(tenantId: string, id: string): Promise<StoredRecord | null>;
  /** Query records outside a transaction. */
  queryRecords(tenantId: string, query: RecordQuery): Promise<StoredRecord[]>;
  /**
   * Rows of the task index matching the query, ordered by `dueAt` (nulls last), then `recordId`,
   * then `id`. Answered from an index on (tenant, owner or team, status, kind, due time): never a scan of
   * all records.
   */
  queryTasks(tenantId: string, query: TaskQuery): Promise<TaskRow[]>;
  /**
   * Pending stage deadlines (breach timers, pending or claimed) of records matching the query,
   * ordered by `dueAt`, then `recordId`. Answered from indexes (records by owner or team, timers by
   * record).
   */
  queryDeadlines(tenantId: string, query: DeadlineQuery): Promise<DeadlineRow[]>;
  /** A record's history outside a transaction. */
  listHistory(tenantId: string, recordId: string, options?: { afterSeq?: number; limit?: number }): Promise<HistoryEvent[]>;
  /**
   * Optional, for exports: the history of many records (at most {@link MAX_BATCH_IDS} ids) outside a
   * transaction, in one read — each record's events in `seq` order, the records in the order given
   * (an id without history, or repeated, adds nothing more).
   */
  listHistories?(tenantId: string, recordIds: readonly string[]): Promise<HistoryEvent[]>;
  /**
   * Optional, for bulk loads: refreshes the query planner's statistics of the store's tables
   * (PostgreSQL and SQLite `ANALYZE`), as their manuals advise after loading many rows. Until it
   * runs — or autovacuum does, where it is on — a planner that believes the tables are tiny may
   * sort a whole tenant for each keyset page of an export. `importRecords` and `restoreRecords`
   * call it when they have written rows.
   */
  refreshStatistics?(): Promise<void>;

  /**
   * Atomically claims due timers: those `pending` with `dueAt <= now`, and those `claimed` whose
   * lease expired (`leaseUntil <= now`). Sets status `claimed`, `leaseOwner`, `leaseUntil`,
   * `attempts + 1`. Ordered by `dueAt`. Two concurrent claimers never receive the same timer
   * within one lease period (`FOR UPDATE SKIP LOCKED` on PostgreSQL).
   */
  claimDueTimers(options: ClaimTimersOptions): Promise<TimerRecord[]>;
  /** The earliest `dueAt` among pending timers (or expired leases), or null. Used for lag. */
  oldestDueAt(options?: { tenantId?: string }): Promise<string | null>;

  /** Outbox messages after `afterPosition` in position order (all tenants unless given). */
  readOutbox(options: { afterPosition?: number; limit: number; tenantId?: string }): Promise<OutboxMessage[]>;
  /** Deletes delivered messages up to and including `position`. */
  ackOutbox(position: number, options?: { tenantId?: string }): Promise<void>;

  /** Releases connections. Further calls throw `DealflowError('CLOSED')`. */
  close(): Promise<void>;
}
