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

/**
 * Rebuilds a record as it stood at `at` from its history: stage, the time it entered it, visited
 * stages and — when events carry `data.fields` (the `created` event's initial fields, later
 * events' changes) — field values. Events after `at` are ignored; with `beforeSeq`, so are events
 * from that `seq` on (to see a record just before its closing transition). Without any
 * `data.fields` in history, the current fields are kept (they cannot be rebuilt).
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
  const hasFieldHistory = events.some((e) => isObject(e.data?.['fields']));
  let fields: Record<string, unknown> = hasFieldHistory ? {} : structuredClone(record.fields);
  let stage: string | undefined;
  let stageEnteredAt: string | undefined;
  const stagesVisited: string[] = [];
  let ownerId = record.ownerId;
  for (const e of events) {
    const changed = e.data?.['fields'];
    if (hasFieldHistory && isObject(changed)) fields = { ...fields, ...structuredClone(changed) };
    if (e.kind === 'created') {
      const created = (e.to ?? (typeof e.data?.['stage'] === 'string' ? (e.data['stage'] as string) : undefined));
      if (created !== undefined) {
        stage = created;
        stageEnteredAt = e.at;
        stagesVisited.push(created);
      }
    }
    if (e.kind === 'transition' && e.to !== undefined) {
      if (stage === undefined && e.from !== undefined) {
        stage = e.from;
        stageEnteredAt = record.createdAt;
        stagesVisited.push(e.from);
      }
      if (e.to !== stage) {
        stage = e.to;
        stageEnteredAt = e.at;
        stagesVisited.push(e.to);
      }
    }
    if (e.kind === 'assigned' && (typeof e.data?.['ownerId'] === 'string' || e.data?.['ownerId'] === null)) {
      ownerId = e.data['ownerId'] as string | null;
    }
  }
  if (stage === undefined) {
    stage = record.stage;
    stageEnteredAt = record.stageEnteredAt;
    stagesVisited.push(stage);
  }
  return {
    record: {
      ...structuredClone(record),
      stage,
      stageEnteredAt: stageEnteredAt ?? record.createdAt,
      fields,
      ownerId,
    },
    stagesVisited,
    at,
  };
}

/** The view of a record as it stood just before its closing transition. */
export function recordBeforeClose(record: StoredRecord, history: readonly HistoryEvent[], outcome: ClosedOutcome): RecordAsOf {
  return recordAsOf(record, history, outcome.closedAt, { beforeSeq: outcome.event.seq });
}
