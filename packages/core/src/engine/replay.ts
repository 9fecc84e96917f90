import { DealflowError } from '@dealflow/logic';
import type { HistoryEvent, StoredRecord } from '../storage/types.js';
import { cloneJson } from '../storage/clone.js';
import { moveStageTimes, STAGE_TIMES_META } from '../stage-times/stage-times.js';
import type { StageTimes } from '../stage-times/stage-times.js';

/**
 * What a history event changed, kept in `event.data.changes`. Replay applies these in order.
 * `fields`/`meta` hold the new values of changed keys, `unsetFields`/`unsetMeta` removed keys.
 */
export interface RecordChanges {
  /** Set by `migrated` events: the blueprint version the record moved to. */
  blueprintVersion?: number;
  /** The new stage, when it changed. */
  stage?: string;
  /** The new stage entry time, when it changed. */
  stageEnteredAt?: string;
  /** The new owner, when it changed (null: no owner). */
  ownerId?: string | null;
  /** The new team, when it changed (null: no team). */
  teamId?: string | null;
  /** Fields whose value changed, with their new values. */
  fields?: Record<string, unknown>;
  /** Fields that were removed. */
  unsetFields?: string[];
  /** `meta` keys whose value changed, with their new values. */
  meta?: Record<string, unknown>;
  /** `meta` keys that were removed. */
  unsetMeta?: string[];
}

/** The record snapshot a `created` history event holds in `data.record`. */
export type CreatedSnapshot = Omit<StoredRecord, 'tenantId' | 'version' | 'updatedAt'>;

/**
 * Records keys whose value is not the same as before. Objects are compared by identity: the engine
 * copies records shallowly, so an untouched nested value keeps its identity, and a rebuilt one
 * that happens to equal the old is merely recorded again (replay stays exact either way). Values
 * are referenced, not copied: the store copies the history event when it writes it.
 */
function diffInto(c: RecordChanges, before: Record<string, unknown>, after: Record<string, unknown>, which: 'fields' | 'meta', skip?: string): void {
  let set: Record<string, unknown> | undefined;
  let unset: string[] | undefined;
  for (const k in after) {
    const v = after[k];
    if (v === undefined || k === skip) continue;
    if (before[k] !== v) (set ??= {})[k] = v;
  }
  for (const k in before) if (before[k] !== undefined && after[k] === undefined && k !== skip) (unset ??= []).push(k);
  if (which === 'fields') {
    if (set) c.fields = set;
    if (unset) c.unsetFields = unset;
  } else {
    if (set) c.meta = set;
    if (unset) c.unsetMeta = unset;
  }
}

/**
 * The changes between two versions of a record (what a history event stores in `data.changes`).
 * `skipMeta` leaves one meta key out: the send path leaves out `stageTimes` when a transition
 * moved them the standard way, since replay derives them (see {@link applyHistoryEvent}).
 *
 * @example
 * ```ts
 * diffRecords(before, after) // { stage: 'proposal', stageEnteredAt: '…', fields: { amount: 10 } }
 * ```
 */
export function diffRecords(before: StoredRecord, after: StoredRecord, skipMeta?: string): RecordChanges {
  const c: RecordChanges = {};
  if (before.blueprintVersion !== after.blueprintVersion) c.blueprintVersion = after.blueprintVersion;
  if (before.stage !== after.stage) c.stage = after.stage;
  if (before.stageEnteredAt !== after.stageEnteredAt) c.stageEnteredAt = after.stageEnteredAt;
  if (before.ownerId !== after.ownerId) c.ownerId = after.ownerId;
  if (before.teamId !== after.teamId) c.teamId = after.teamId;
  if (before.fields !== after.fields) diffInto(c, before.fields, after.fields, 'fields');
  if (before.meta !== after.meta) diffInto(c, before.meta, after.meta, 'meta', skipMeta);
  return c;
}

/** The snapshot a `created` event stores. */
export function createdSnapshot(r: StoredRecord): CreatedSnapshot {
  return cloneJson({
    id: r.id,
    type: r.type,
    blueprintId: r.blueprintId,
    blueprintVersion: r.blueprintVersion,
    stage: r.stage,
    fields: r.fields,
    ownerId: r.ownerId,
    teamId: r.teamId,
    meta: r.meta,
    stageEnteredAt: r.stageEnteredAt,
    createdAt: r.createdAt,
  });
}

/**
 * Applies one history event to a record (or builds it from a `created` event); `replay` folds it.
 * A `transition` that changes the stage moves the record's stage times (`meta.stageTimes`) the way
 * the engine does, so its event need not store them; times an event does store win.
 *
 * @example
 * ```ts
 * let r = applyHistoryEvent(null, created)
 * r = applyHistoryEvent(r, qualified)
 * ```
 */
export function applyHistoryEvent(record: StoredRecord | null, e: HistoryEvent): StoredRecord {
  if (e.kind === 'created') {
    if (record !== null) throw new DealflowError('DATA_INVALID', `history of record '${e.recordId}': 'created' at seq ${e.seq} after the start`);
    const snap = e.data.record as CreatedSnapshot | undefined;
    if (!snap) throw new DealflowError('DATA_INVALID', `history event '${e.id}' of record '${e.recordId}' has no data.record`);
    return { tenantId: e.tenantId, ...cloneJson(snap), version: e.seq, updatedAt: e.at };
  }
  if (record === null) throw new DealflowError('DATA_INVALID', `history of record '${e.recordId}' does not start with 'created' (seq ${e.seq} is '${e.kind}')`);
  if (e.seq !== record.version + 1) {
    throw new DealflowError('DATA_INVALID', `history of record '${e.recordId}': expected seq ${record.version + 1}, got ${e.seq}`);
  }
  const c = (e.data.changes ?? {}) as RecordChanges;
  const next: StoredRecord = { ...record, fields: { ...record.fields }, meta: { ...record.meta }, version: e.seq, updatedAt: e.at };
  if (c.blueprintVersion !== undefined) next.blueprintVersion = c.blueprintVersion;
  if (c.stage !== undefined) next.stage = c.stage;
  if (c.stageEnteredAt !== undefined) next.stageEnteredAt = c.stageEnteredAt;
  if (c.ownerId !== undefined) next.ownerId = c.ownerId;
  if (c.teamId !== undefined) next.teamId = c.teamId;
  if (c.fields) for (const [k, v] of Object.entries(c.fields)) next.fields[k] = cloneJson(v);
  if (c.unsetFields) for (const k of c.unsetFields) delete next.fields[k];
  if (e.kind === 'transition' && c.stage !== undefined) {
    next.meta[STAGE_TIMES_META] = moveStageTimes(record.meta[STAGE_TIMES_META] as StageTimes | undefined, record.stage, c.stage, e.at, record.stageEnteredAt);
  }
  if (c.meta) for (const [k, v] of Object.entries(c.meta)) next.meta[k] = cloneJson(v);
  if (c.unsetMeta) for (const k of c.unsetMeta) delete next.meta[k];
  return next;
}

/**
 * Rebuilds a record from its history (in `seq` order). The result equals the stored record.
 *
 * @example
 * ```ts
 * const rebuilt = replay(await engine.history(id))
 * // deepEqual(rebuilt, await engine.get(id))
 * ```
 */
export function replay(history: readonly HistoryEvent[]): StoredRecord {
  let record: StoredRecord | null = null;
  for (const e of history) record = applyHistoryEvent(record, e);
  if (record === null) throw new DealflowError('DATA_INVALID', 'replay: empty history');
  return record;
}
