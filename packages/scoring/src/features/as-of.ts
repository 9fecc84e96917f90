import { applyHistoryEvent } from '@dealflow/core';
import type { HistoryEvent, RecordChanges, StoredRecord } from '@dealflow/core';

/** A stage and its kind, as declared by the blueprint (`won` and `lost` close a record). */
export interface StageKind {
  /** The stage id. */
  id: string;
  /** Its kind (`open`, `won`, `lost`, `closed`). */
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
  /** The record. */
  recordId: string;
  /** Whether it closed won. */
  won: boolean;
  /** The closing stage. */
  stage: string;
  /** When it closed. */
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

/**
 * Applies one event to the view with core's `applyHistoryEvent` (the engine's own replay of
 * `data.changes`). The view may start from a partial history (no `created` event, or events left
 * out), so its version is aligned to the event's `seq` first: gaps are tolerated here, not checked.
 */
function applyToView(view: StoredRecord, e: HistoryEvent): StoredRecord {
  return applyHistoryEvent({ ...view, version: e.seq - 1 }, e);
}

/**
 * Rebuilds a record as it stood at `at` from its history, the way the engine replays it (core's
 * `applyHistoryEvent`): the `created` event's `data.record` snapshot, then each event's
 * `data.changes` (stage, owner, team, fields, meta); the simple form `data.fields` (fields an
 * event set) counts too. Events after `at` are ignored; with `beforeSeq`, so are events from that
 * `seq` on (to see a record just before its closing transition). Without a `created` snapshot the
 * fields are still rebuilt from history alone: a field no event up to `at` sets is unknown
 * (never the record's current value, which may only be known later); the owner and team are the
 * current ones unless an event changes them, and the stage is followed from the transitions.
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
  // Fields start empty: only what history shows up to `at` is known.
  let next: StoredRecord = { ...structuredClone(record), fields: {} };
  const stagesVisited: string[] = [];
  let started = false;
  const applySimpleFields = (e: HistoryEvent): void => {
    const f = e.data['fields'];
    if (isObject(f)) next = { ...next, fields: { ...next.fields, ...structuredClone(f) } };
  };
  for (const e of events) {
    if (e.kind === 'created' && isObject(e.data['record'])) {
      // A partial snapshot keeps what it does not name from the current record (fields excepted).
      const rebuilt: Partial<StoredRecord> = applyHistoryEvent(null, e);
      next = { ...next, ...rebuilt, fields: { ...(rebuilt.fields ?? {}) }, stageEnteredAt: rebuilt.stageEnteredAt ?? e.at };
      applySimpleFields(e);
      if (typeof rebuilt.stage === 'string') {
        stagesVisited.push(rebuilt.stage);
        started = true;
      }
      continue;
    }
    const changes = (isObject(e.data['changes']) ? e.data['changes'] : {}) as RecordChanges;
    if (!started && e.kind === 'transition' && e.from !== undefined) {
      next.stage = e.from;
      next.stageEnteredAt = record.createdAt;
      stagesVisited.push(e.from);
      started = true;
    }
    const stageBefore = next.stage;
    if (e.kind !== 'created') next = applyToView(next, e); // a `created` without a snapshot changes nothing but its fields
    applySimpleFields(e);
    const to = changes.stage ?? (e.kind === 'transition' ? e.to : undefined);
    if (to !== undefined && to !== stageBefore) {
      next.stage = to;
      next.stageEnteredAt = changes.stageEnteredAt ?? e.at;
      stagesVisited.push(to);
      started = true;
    }
  }
  if (!started) stagesVisited.push(next.stage);
  return { record: next, stagesVisited, at };
}

/** The view of a record as it stood just before its closing transition. */
export function recordBeforeClose(record: StoredRecord, history: readonly HistoryEvent[], outcome: ClosedOutcome): RecordAsOf {
  return recordAsOf(record, history, outcome.closedAt, { beforeSeq: outcome.event.seq });
}
