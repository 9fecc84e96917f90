import type { HistoryEvent, StoredRecord } from '@dealflow/core';
import type { StageInfo } from './options.js';
import { toMs } from './time.js';

/** One stay of a record in a stage: entered at `enteredMs`, left at `exitedMs` (null = still there). */
export interface Stay {
  /** The stage. */
  stage: string;
  /** When the record entered it (epoch ms). */
  enteredMs: number;
  /** When it left (null: still there). */
  exitedMs: number | null;
  /** The stage it moved to, when it left. */
  next: string | null;
}

/** A record with its stage stays and field changes, in time order (epoch ms). */
export interface Timeline {
  /** The record as stored now. */
  record: StoredRecord;
  /** When it was created (epoch ms). */
  createdMs: number;
  /** Its stage stays, oldest first. */
  stays: Stay[];
  /**
   * Field values set by history events (`data.fields`, a `created` snapshot, `data.changes`), in
   * time order. Owner and team changes are kept under the keys `@owner` and `@team`.
   */
  fieldChanges: {
    /** When the values were set (epoch ms). */
    atMs: number;
    /** Field → the value set. */
    fields: Record<string, unknown>;
  }[];
  /**
   * True when the history starts with a `created` snapshot (`data.record`): then history alone
   * says what was known when, and a field it never sets was never known. Without one (a bare
   * history), fields history never sets are taken from the record as known since creation.
   */
  hasSnapshot: boolean;
}

/** Key of owner changes in {@link Timeline.fieldChanges}. */
export const OWNER_KEY = '@owner';
/** Key of team changes in {@link Timeline.fieldChanges}. */
export const TEAM_KEY = '@team';

/** The state of a record at a past instant, rebuilt from history. */
export interface StateAt {
  stage: string;
  enteredMs: number;
}

/**
 * Builds one {@link Timeline} per record from its history (`created` and `transition` events,
 * in `seq` order). A record with no history is taken as created in its current stage at
 * `createdAt` (entered at `stageEnteredAt`).
 */
export function buildTimelines(records: readonly StoredRecord[], history: readonly HistoryEvent[]): Timeline[] {
  const byRecord = new Map<string, HistoryEvent[]>();
  for (const e of history) {
    let list = byRecord.get(e.recordId);
    if (!list) byRecord.set(e.recordId, (list = []));
    list.push(e);
  }
  const out: Timeline[] = [];
  for (const record of records) {
    const events = byRecord.get(record.id);
    const createdMs = toMs(record.createdAt, `record '${record.id}' createdAt`);
    const stays: Stay[] = [];
    const fieldChanges: Timeline['fieldChanges'] = [];
    if (!events || events.length === 0) {
      const entered = toMs(record.stageEnteredAt, `record '${record.id}' stageEnteredAt`);
      stays.push({ stage: record.stage, enteredMs: Math.max(entered, createdMs), exitedMs: null, next: null });
      out.push({ record, createdMs, stays, fieldChanges, hasSnapshot: false });
      continue;
    }
    events.sort((a, b) => a.seq - b.seq);
    let hasSnapshot = false;
    for (const e of events) {
      if (e.kind === 'created' && isObject((e.data as { record?: unknown } | undefined)?.record)) hasSnapshot = true;
      const at = toMs(e.at, `history event '${e.id}' of record '${record.id}'`);
      const fields = fieldsOf(e);
      if (fields) fieldChanges.push({ atMs: at, fields });
      const last = stays[stays.length - 1];
      const to = stageChangeOf(e);
      if (to === undefined) continue;
      if (e.kind === 'created') {
        stays.push({ stage: to, enteredMs: at, exitedMs: null, next: null });
        continue;
      }
      if (last && last.exitedMs === null) {
        if (last.stage === to) continue; // self-transition: the stay goes on
        last.exitedMs = at;
        last.next = to;
      }
      stays.push({ stage: to, enteredMs: at, exitedMs: null, next: null });
    }
    const firstStay = stays[0];
    // With a snapshot, the record's current createdAt is not needed: history says when it began.
    const began = firstStay ? (hasSnapshot ? firstStay.enteredMs : Math.min(firstStay.enteredMs, createdMs)) : createdMs;
    out.push({ record, createdMs: began, stays, fieldChanges, hasSnapshot });
  }
  return out;
}

/**
 * Field values an event sets: `data.fields` (simple form, e.g. the CSV adapter), the engine's
 * `data.changes.fields` / `data.changes.unsetFields`, or the snapshot of a `created` event.
 */
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fieldsOf(e: HistoryEvent): Record<string, unknown> | null {
  const d = e.data as
    | { fields?: unknown; changes?: { fields?: unknown; unsetFields?: unknown; ownerId?: unknown; teamId?: unknown }; record?: { fields?: unknown; ownerId?: unknown; teamId?: unknown } }
    | undefined;
  if (!d) return null;
  let out: Record<string, unknown> | null = null;
  const add = (f: unknown): void => {
    if (f && typeof f === 'object' && !Array.isArray(f)) out = { ...(out ?? {}), ...(f as Record<string, unknown>) };
  };
  add(d.fields);
  if (e.kind === 'created' && isObject(d.record)) {
    add(d.record.fields);
    if ('ownerId' in d.record) add({ [OWNER_KEY]: d.record.ownerId });
    if ('teamId' in d.record) add({ [TEAM_KEY]: d.record.teamId });
  }
  add(d.changes?.fields);
  if (d.changes && 'ownerId' in d.changes) add({ [OWNER_KEY]: d.changes.ownerId });
  if (d.changes && 'teamId' in d.changes) add({ [TEAM_KEY]: d.changes.teamId });
  if (Array.isArray(d.changes?.unsetFields)) {
    const unset: Record<string, unknown> = {};
    for (const k of d.changes.unsetFields) if (typeof k === 'string') unset[k] = undefined;
    add(unset);
  }
  return out;
}

/**
 * The stage an event puts its record in, if any: a `created` event's `to` (or its snapshot's
 * stage), a transition's `to`, or `data.changes.stage` of any other event.
 */
export function stageChangeOf(e: HistoryEvent): string | undefined {
  if (e.kind === 'created') {
    const to = e.to ?? (e.data?.record as { stage?: unknown } | undefined)?.stage;
    return typeof to === 'string' ? to : undefined;
  }
  if (e.kind === 'transition' && e.to) return e.to;
  const changed = (e.data?.changes as { stage?: unknown } | undefined)?.stage;
  return typeof changed === 'string' ? changed : undefined;
}

/** The stage a timeline was in at `asMs` (null when the record did not exist yet). */
export function stateAt(t: Timeline, asMs: number): StateAt | null {
  let found: StateAt | null = null;
  for (const s of t.stays) {
    if (s.enteredMs > asMs) break;
    found = { stage: s.stage, enteredMs: s.enteredMs };
  }
  return found;
}

/**
 * A field's value as known at `asMs`: the latest history value set at or before `asMs`. If history
 * never sets the field: unknown when history starts with a `created` snapshot (the engine's and the
 * CSV adapter's form), else the record's current value, taken as known since creation.
 */
export function fieldAt(t: Timeline, field: string, asMs: number): unknown {
  let setByHistory = false;
  let value: unknown = undefined;
  for (const c of t.fieldChanges) {
    if (!(field in c.fields)) continue;
    setByHistory = true;
    if (c.atMs <= asMs) value = c.fields[field];
  }
  if (!setByHistory) return !t.hasSnapshot && t.createdMs <= asMs ? t.record.fields[field] : undefined;
  return value;
}

/** The owner as known at `asMs` (from history; without any, the record's current owner). */
export function ownerAt(t: Timeline, asMs: number): string | null {
  const set = t.fieldChanges.some((c) => OWNER_KEY in c.fields);
  if (!set) return t.createdMs <= asMs ? t.record.ownerId : null;
  const v = fieldAt(t, OWNER_KEY, asMs);
  return typeof v === 'string' ? v : null;
}

/** The team as known at `asMs` (from history; without any, the record's current team). */
export function teamAt(t: Timeline, asMs: number): string | null {
  const set = t.fieldChanges.some((c) => TEAM_KEY in c.fields);
  if (!set) return t.createdMs <= asMs ? t.record.teamId : null;
  const v = fieldAt(t, TEAM_KEY, asMs);
  return typeof v === 'string' ? v : null;
}

/** Map of stage id → kind. */
export function stageKinds(stages: readonly StageInfo[]): Map<string, StageInfo['kind']> {
  return new Map(stages.map((s) => [s.id, s.kind]));
}

/** When (and how) a timeline closed: the first entry into a won/lost/closed stage. */
export function closeOf(t: Timeline, kinds: Map<string, StageInfo['kind']>): { atMs: number; won: boolean; stage: string } | null {
  for (const s of t.stays) {
    const k = kinds.get(s.stage);
    if (k === 'won' || k === 'lost' || k === 'closed') return { atMs: s.enteredMs, won: k === 'won', stage: s.stage };
  }
  return null;
}

/** A finite number or undefined. */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}
