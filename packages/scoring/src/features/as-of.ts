import type { HistoryEvent, StoredRecord } from '@dealflow/core';

/** A stage and its kind, as declared by the blueprint (`won` and `lost` close a record). */
export interface StageKind {
  id: string;
  kind: string;
}

/** A record as it stood at one point in time, rebuilt from its history. */
export interface RecordAsOf {
  /** Copy of the record with `stage`, `stageEnteredAt` and (when history carries them) `fields` as of `at`. */
  record: StoredRecord;
  /** Stages entered up to `at`, in order (first = creation stage). */
  stagesVisited: string[];
  /** The point in time (ISO). */
  at: string;
}

/** How a record closed: the transition into a `won` or `lost` stage. */
export interface ClosedOutcome {
  recordId: string;
  won: boolean;
  /** The closing stage. */
  stage: string;
  closedAt: string;
  /** The closing history event. */
  event: HistoryEvent;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Sorts a record's events by `seq` (copying the array). */
export function sortHistory(events: readonly HistoryEvent[]): HistoryEvent[] {
  return [...events].sort((a, b) => a.seq - b.seq);
}

function closingKind(stages: readonly StageKind[], stage: string | undefined): 'won' | 'lost' | null {
  if (stage === undefined) return null;
  const kind = stages.find((s) => s.id === stage)?.kind;
  return kind === 'won' || kind === 'lost' ? kind : null;
}

/**
 * The outcome of a record known at `asOf` (all history when omitted): the last transition into a
 * `won` or `lost` stage, unless a later transition reopened the record. Null while open.
 *
 * @example
 * ```ts
 * const outcome = closedOutcome(history, [{ id: 'won', kind: 'won' }, { id: 'lost', kind: 'lost' }]);
 * if (outcome?.won) console.log('won on', outcome.closedAt);
 * ```
 */
export function closedOutcome(
  history: readonly HistoryEvent[],
  stages: readonly StageKind[],
  asOf?: string,
): ClosedOutcome | null {
  let outcome: ClosedOutcome | null = null;
  for (const ev of sortHistory(history)) {
    if (asOf !== undefined && ev.at > asOf) break;
    if (ev.kind !== 'transition' || ev.to === undefined) continue;
    const kind = closingKind(stages, ev.to);
    outcome = kind === null ? null : { recordId: ev.recordId, won: kind === 'won', stage: ev.to, closedAt: ev.at, event: ev };
  }
  return outcome;
}

/** What a history event changed (`data.changes`, as the engine writes it). */
interface EventChanges {
  stage?: string;
  stageEnteredAt?: string;
  ownerId?: string | null;
  teamId?: string | null;
  fields?: Record<string, unknown>;
  unsetFields?: string[];
  meta?: Record<string, unknown>;
  unsetMeta?: string[];
}

/**
 * Rebuilds a record as it stood at `at` from its history, the way the engine replays it: the
 * `created` event's `data.record` snapshot, then each event's `data.changes` (stage, owner, team,
 * fields, meta). Events after `at` are ignored; with `beforeSeq`, so are events from that `seq` on
 * (to see a record just before its closing transition). Without a `created` snapshot, the current
 * fields, owner and meta are kept (they cannot be rebuilt) and only the stage is followed.
 *
 * @example
 * ```ts
 * const view = recordAsOf(record, history, '2017-06-30T00:00:00.000Z');
 * view.record.stage; // the stage on that date
 * ```
 */
export function recordAsOf(
  record: StoredRecord,
  history: readonly HistoryEvent[],
  at: string,
  options: { beforeSeq?: number } = {},
): RecordAsOf {
  const events = sortHistory(history).filter(
    (e) => e.at <= at && (options.beforeSeq === undefined || e.seq < options.beforeSeq),
  );
  const next: StoredRecord = structuredClone(record);
  const stagesVisited: string[] = [];
  let started = false;
  for (const e of events) {
    const snap = e.kind === 'created' ? e.data?.['record'] : undefined;
    if (isObject(snap)) {
      const s = snap as Partial<StoredRecord>;
      if (isObject(s.fields)) next.fields = structuredClone(s.fields);
      if (isObject(s.meta)) next.meta = structuredClone(s.meta);
      if (s.ownerId !== undefined) next.ownerId = s.ownerId;
      if (s.teamId !== undefined) next.teamId = s.teamId;
      if (typeof s.stage === 'string') {
        next.stage = s.stage;
        next.stageEnteredAt = typeof s.stageEnteredAt === 'string' ? s.stageEnteredAt : e.at;
        stagesVisited.push(s.stage);
        started = true;
      }
      continue;
    }
    const c = (isObject(e.data?.['changes']) ? e.data['changes'] : {}) as EventChanges;
    const to = c.stage ?? (e.kind === 'transition' ? e.to : undefined);
    if (!started && e.kind === 'transition' && e.from !== undefined) {
      next.stage = e.from;
      next.stageEnteredAt = record.createdAt;
      stagesVisited.push(e.from);
      started = true;
    }
    if (to !== undefined && to !== next.stage) {
      next.stage = to;
      next.stageEnteredAt = c.stageEnteredAt ?? e.at;
      stagesVisited.push(to);
      started = true;
    } else if (c.stageEnteredAt !== undefined) next.stageEnteredAt = c.stageEnteredAt;
    if (c.ownerId !== undefined) next.ownerId = c.ownerId;
    if (c.teamId !== undefined) next.teamId = c.teamId;
    if (c.fields) for (const [k, v] of Object.entries(c.fields)) next.fields[k] = structuredClone(v);
    if (c.unsetFields) for (const k of c.unsetFields) delete next.fields[k];
    if (c.meta) for (const [k, v] of Object.entries(c.meta)) next.meta[k] = structuredClone(v);
    if (c.unsetMeta) for (const k of c.unsetMeta) delete next.meta[k];
  }
  if (!started) stagesVisited.push(next.stage);
  return { record: next, stagesVisited, at };
}

/** The view of a record as it stood just before its closing transition. */
export function recordBeforeClose(record: StoredRecord, history: readonly HistoryEvent[], outcome: ClosedOutcome): RecordAsOf {
  return recordAsOf(record, history, outcome.closedAt, { beforeSeq: outcome.event.seq });
}
