import { DealflowError } from '@dealflow/logic';
import type {
  ClaimTimersOptions,
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
import { cloneJson } from './clone.js';

interface TenantData {
  records: Map<string, StoredRecord>;
  history: Map<string, HistoryEvent[]>;
  historyIds: Set<string>;
  timers: Map<string, TimerRecord>;
  timersByRecord: Map<string, Set<string>>;
  idempotency: Map<string, { fingerprint: string; result: unknown; at: string }>;
  counters: Map<string, number>;
  uniqueKeys: Map<string, string>;
}

function emptyTenant(): TenantData {
  return {
    records: new Map(),
    history: new Map(),
    historyIds: new Set(),
    timers: new Map(),
    timersByRecord: new Map(),
    idempotency: new Map(),
    counters: new Map(),
    uniqueKeys: new Map(),
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
  return true;
}

function sortAndPage(list: StoredRecord[], q: RecordQuery): StoredRecord[] {
  const dir = q.order === 'desc' ? -1 : 1;
  list.sort((a, b) => (a.createdAt < b.createdAt ? -dir : a.createdAt > b.createdAt ? dir : a.id < b.id ? -dir : a.id > b.id ? dir : 0));
  const start = q.offset ?? 0;
  return list.slice(start, q.limit !== undefined ? start + q.limit : undefined);
}

/**
 * An in-memory {@link Storage}: the full contract (records, history, timers with leases,
 * idempotency, counters, unique keys, outbox), for tests, examples and single-process apps.
 * Transactions run one at a time (a store-wide async lock) and roll back whole through an undo log.
 *
 * @example
 * ```ts
 * const storage = createMemoryStorage()
 * const engine = createEngine({ storage, blueprints: [deal] })
 * ```
 */
export function createMemoryStorage(): Storage {
  const tenants = new Map<string, TenantData>();
  const outbox: OutboxMessage[] = [];
  let position = 0;
  let closed = false;
  let tail: Promise<void> = Promise.resolve();

  const tenant = (id: string): TenantData => {
    let t = tenants.get(id);
    if (!t) {
      t = emptyTenant();
      tenants.set(id, t);
    }
    return t;
  };
  const ensureOpen = () => {
    if (closed) throw new DealflowError('CLOSED', 'memory storage is closed');
  };
  async function locked<T>(fn: () => Promise<T>): Promise<T> {
    ensureOpen();
    const prev = tail;
    let release!: () => void;
    tail = new Promise<void>((r) => (release = r));
    await prev;
    try {
      ensureOpen();
      return await fn();
    } finally {
      release();
    }
  }

  function makeTx(tenantId: string, undo: Array<() => void>): StorageTx {
    const t = tenant(tenantId);
    const setTimer = (timer: TimerRecord) => {
      const prev = t.timers.get(timer.id);
      t.timers.set(timer.id, timer);
      let set = t.timersByRecord.get(timer.recordId);
      if (!set) t.timersByRecord.set(timer.recordId, (set = new Set()));
      const had = set.has(timer.id);
      set.add(timer.id);
      undo.push(() => {
        if (prev) t.timers.set(timer.id, prev);
        else {
          t.timers.delete(timer.id);
          if (!had) set.delete(timer.id);
        }
      });
    };
    const recordTimers = (recordId: string): TimerRecord[] => {
      const ids = t.timersByRecord.get(recordId);
      if (!ids) return [];
      const out: TimerRecord[] = [];
      for (const id of ids) {
        const timer = t.timers.get(id);
        if (timer) out.push(timer);
      }
      return out;
    };
    const cancel = (timer: TimerRecord, at: string) =>
      setTimer({ ...timer, status: 'cancelled', finishedAt: at, leaseOwner: null, leaseUntil: null, outcome: timer.outcome ?? 'cancelled' });

    const tx: StorageTx = {
      tenantId,
      async getRecord(id) {
        const r = t.records.get(id);
        return r ? cloneJson(r) : null;
      },
      async queryRecords(query) {
        const list: StoredRecord[] = [];
        for (const r of t.records.values()) if (matchesQuery(r, query)) list.push(r);
        return sortAndPage(list, query).map(cloneJson);
      },
      async countRecords(query) {
        let n = 0;
        for (const r of t.records.values()) if (matchesQuery(r, query)) n++;
        return n;
      },
      async insertRecord(record) {
        if (t.records.has(record.id)) {
          throw new DealflowError('CONFLICT', `record '${record.id}' already exists in tenant '${tenantId}'`, { details: { recordId: record.id } });
        }
        if (record.version !== 1) {
          throw new DealflowError('CONFLICT', `record '${record.id}' must be inserted with version 1, got ${record.version}`, { details: { recordId: record.id } });
        }
        t.records.set(record.id, cloneJson({ ...record, tenantId }));
        undo.push(() => t.records.delete(record.id));
      },
      async updateRecord(record, expectedVersion) {
        const cur = t.records.get(record.id);
        if (!cur || cur.version !== expectedVersion || record.version !== expectedVersion + 1) {
          throw new DealflowError(
            'CONFLICT',
            `record '${record.id}': expected stored version ${expectedVersion}, found ${cur ? cur.version : 'none'} (new version ${record.version})`,
            { details: { recordId: record.id, expectedVersion, actualVersion: cur?.version ?? null } },
          );
        }
        t.records.set(record.id, cloneJson({ ...record, tenantId }));
        undo.push(() => t.records.set(record.id, cur));
      },
      async appendHistory(events) {
        const added: HistoryEvent[] = [];
        try {
          for (const e of events) {
            let list = t.history.get(e.recordId);
            const expected = (list?.length ?? 0) + 1;
            if (e.seq !== expected) {
              throw new DealflowError('CONFLICT', `history of record '${e.recordId}': expected seq ${expected}, got ${e.seq}`, {
                details: { recordId: e.recordId, expectedSeq: expected, seq: e.seq },
              });
            }
            if (t.historyIds.has(e.id)) {
              throw new DealflowError('CONFLICT', `history event id '${e.id}' already exists`, { details: { eventId: e.id } });
            }
            if (!list) t.history.set(e.recordId, (list = []));
            const copy = cloneJson({ ...e, tenantId });
            list.push(copy);
            t.historyIds.add(e.id);
            added.push(copy);
          }
        } finally {
          undo.push(() => {
            for (const e of added.reverse()) {
              t.history.get(e.recordId)?.pop();
              t.historyIds.delete(e.id);
            }
          });
        }
      },
      async listHistory(recordId, options = {}) {
        const list = t.history.get(recordId) ?? [];
        const start = options.afterSeq ?? 0;
        const end = options.limit !== undefined ? start + options.limit : undefined;
        return list.slice(start, end).map(cloneJson);
      },
      async scheduleTimers(timers) {
        for (const timer of timers) {
          if (timer.key !== null) {
            for (const other of recordTimers(timer.recordId)) {
              if (other.key === timer.key && other.id !== timer.id && (other.status === 'pending' || other.status === 'claimed')) {
                cancel(other, timer.createdAt);
              }
            }
          }
          if (t.timers.has(timer.id)) {
            throw new DealflowError('CONFLICT', `timer '${timer.id}' already exists`, { details: { timerId: timer.id } });
          }
          setTimer(cloneJson({ ...timer, tenantId }));
        }
      },
      async cancelTimers(recordId, filter = {}) {
        let n = 0;
        const at = new Date().toISOString();
        for (const timer of recordTimers(recordId)) {
          if (timer.status !== 'pending' && timer.status !== 'claimed') continue;
          if (filter.kinds && !filter.kinds.includes(timer.kind)) continue;
          if (filter.keys && (timer.key === null || !filter.keys.includes(timer.key))) continue;
          if (filter.stage !== undefined && timer.stage !== filter.stage) continue;
          cancel(timer, at);
          n++;
        }
        return n;
      },
      async listTimers(recordId, options = {}) {
        const list = recordTimers(recordId).filter((x) => !options.status || options.status.includes(x.status));
        list.sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        return list.map(cloneJson);
      },
      async getTimer(timerId) {
        const timer = t.timers.get(timerId);
        return timer ? cloneJson(timer) : null;
      },
      async completeTimer(timerId, workerId, outcome, at) {
        const timer = t.timers.get(timerId);
        if (!timer) return false;
        const ok = workerId === null ? timer.status === 'pending' : timer.status === 'claimed' && timer.leaseOwner === workerId;
        if (!ok) return false;
        setTimer({ ...timer, status: 'done', outcome, finishedAt: at, leaseOwner: null, leaseUntil: null });
        return true;
      },
      async getIdempotency(key) {
        const v = t.idempotency.get(key);
        return v ? { fingerprint: v.fingerprint, result: cloneJson(v.result) } : undefined;
      },
      async putIdempotency(key, fingerprint, result, at) {
        if (t.idempotency.has(key)) {
          throw new DealflowError('CONFLICT', `idempotency key '${key}' already exists`, { details: { key } });
        }
        t.idempotency.set(key, { fingerprint, result: cloneJson(result), at });
        undo.push(() => t.idempotency.delete(key));
      },
      async incrementCounter(key, by = 1) {
        const prev = t.counters.get(key);
        const next = (prev ?? 0) + by;
        t.counters.set(key, next);
        undo.push(() => (prev === undefined ? t.counters.delete(key) : t.counters.set(key, prev)));
        return next;
      },
      async getCounter(key) {
        return t.counters.get(key) ?? 0;
      },
      async setCounter(key, value) {
        const prev = t.counters.get(key);
        t.counters.set(key, value);
        undo.push(() => (prev === undefined ? t.counters.delete(key) : t.counters.set(key, prev)));
      },
      async claimUniqueKeys(recordId, keys) {
        const conflicts: UniqueKeyConflict[] = [];
        for (const key of keys) {
          const holder = t.uniqueKeys.get(key);
          if (holder !== undefined && holder !== recordId) conflicts.push({ key, recordId: holder });
        }
        if (conflicts.length > 0) return conflicts;
        for (const key of keys) {
          if (t.uniqueKeys.get(key) === recordId) continue;
          t.uniqueKeys.set(key, recordId);
          undo.push(() => t.uniqueKeys.delete(key));
        }
        return [];
      },
      async releaseUniqueKeys(recordId, keys) {
        const list = keys ?? [...t.uniqueKeys.entries()].filter(([, r]) => r === recordId).map(([k]) => k);
        for (const key of list) {
          if (t.uniqueKeys.get(key) !== recordId) continue;
          t.uniqueKeys.delete(key);
          undo.push(() => t.uniqueKeys.set(key, recordId));
        }
      },
      async findUniqueKey(key) {
        return t.uniqueKeys.get(key) ?? null;
      },
      async appendOutbox(messages) {
        for (const m of messages) {
          const copy = cloneJson({ ...m, tenantId, position: ++position });
          outbox.push(copy);
          undo.push(() => {
            const i = outbox.lastIndexOf(copy);
            if (i >= 0) outbox.splice(i, 1);
          });
        }
      },
    };
    return tx;
  }

  const claimable = (timer: TimerRecord, now: string) =>
    (timer.status === 'pending' && timer.dueAt <= now) ||
    (timer.status === 'claimed' && timer.leaseUntil !== null && timer.leaseUntil <= now);

  return {
    name: 'memory',
    async transaction(tenantId, fn) {
      return locked(async () => {
        const undo: Array<() => void> = [];
        try {
          return await fn(makeTx(tenantId, undo));
        } catch (e) {
          for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
          throw e;
        }
      });
    },
    async getRecord(tenantId, id) {
      ensureOpen();
      const r = tenants.get(tenantId)?.records.get(id);
      return r ? cloneJson(r) : null;
    },
    async queryRecords(tenantId, query) {
      ensureOpen();
      const t = tenants.get(tenantId);
      if (!t) return [];
      const list: StoredRecord[] = [];
      for (const r of t.records.values()) if (matchesQuery(r, query)) list.push(r);
      return sortAndPage(list, query).map(cloneJson);
    },
    async listHistory(tenantId, recordId, options = {}) {
      ensureOpen();
      const list = tenants.get(tenantId)?.history.get(recordId) ?? [];
      const start = options.afterSeq ?? 0;
      const end = options.limit !== undefined ? start + options.limit : undefined;
      return list.slice(start, end).map(cloneJson);
    },
    async claimDueTimers(options: ClaimTimersOptions) {
      return locked(async () => {
        const due: TimerRecord[] = [];
        for (const [id, t] of tenants) {
          if (options.tenantId !== undefined && id !== options.tenantId) continue;
          for (const timer of t.timers.values()) if (claimable(timer, options.now)) due.push(timer);
        }
        due.sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        const leaseUntil = new Date(Date.parse(options.now) + options.leaseMs).toISOString();
        return due.slice(0, Math.max(0, options.limit)).map((timer) => {
          const claimed: TimerRecord = {
            ...timer,
            status: 'claimed' as TimerStatus,
            leaseOwner: options.workerId,
            leaseUntil,
            attempts: timer.attempts + 1,
          };
          tenant(timer.tenantId).timers.set(timer.id, claimed);
          return cloneJson(claimed);
        });
      });
    },
    async oldestDueAt(options = {}) {
      ensureOpen();
      let oldest: string | null = null;
      for (const [id, t] of tenants) {
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
      for (const m of outbox) {
        if ((m.position ?? 0) <= after) continue;
        if (options.tenantId !== undefined && m.tenantId !== options.tenantId) continue;
        out.push(cloneJson(m));
        if (out.length >= options.limit) break;
      }
      return out;
    },
    async ackOutbox(pos, options = {}) {
      ensureOpen();
      for (let i = outbox.length - 1; i >= 0; i--) {
        const m = outbox[i]!;
        if ((m.position ?? 0) <= pos && (options.tenantId === undefined || m.tenantId === options.tenantId)) outbox.splice(i, 1);
      }
    },
    async close() {
      closed = true;
    },
  };
}
