import type { HistoryEvent, StoredRecord, TimerRecord } from '../storage/types.js';
import { diffRecords } from '../engine/replay.js';
import { pendingTimer } from '../storage/pending-timer.js';
import type { RecordChange } from '../engine/writer.js';

/** A history event to append, without the parts the writer fills in. */
export type PendingEvent = Omit<HistoryEvent, 'tenantId' | 'id' | 'recordId' | 'seq' | 'at'> & { at?: string };

/**
 * One change of a record by a sales operation, as the engine's change writer takes it: version + 1
 * and one history event whose `seq` is the new version, carrying `data.changes` (the engine's diff
 * format) so replaying history rebuilds the record exactly.
 */
export function salesChange(before: StoredRecord, after: StoredRecord, event: PendingEvent, now: string, newId: (prefix: string) => string): RecordChange & { history: [HistoryEvent] } {
  const at = event.at ?? now;
  const record: StoredRecord = { ...after, version: before.version + 1, updatedAt: at };
  const data = { ...event.data, changes: diffRecords(before, record) };
  const history: HistoryEvent = { ...event, data, at, tenantId: record.tenantId, id: newId('evt'), recordId: record.id, seq: record.version };
  return { before, after: record, history: [history] };
}

/** A new pending timer for a record. */
export function newTimer(
  tenantId: string,
  record: StoredRecord,
  init: { kind: string; key: string | null; dueAt: string; event: string; payload: Record<string, unknown>; stage?: string | null },
  now: string,
  newId: (prefix: string) => string,
): TimerRecord {
  return {
    tenantId,
    id: newId('tm'),
    recordId: record.id,
    kind: init.kind,
    key: init.key,
    dueAt: init.dueAt,
    event: init.event,
    payload: init.payload,
    stage: init.stage === undefined ? record.stage : init.stage,
    recordVersion: record.version,
    ...pendingTimer(now),
  };
}
