import { randomUUID } from 'node:crypto';
import type { HistoryEvent, StorageTx, StoredRecord, TimerRecord } from '../storage/types.js';
import { diffRecords } from '../engine/replay.js';
import { pendingTimer } from '../storage/pending-timer.js';

/** A history event to append, without the parts the writer fills in. */
export type PendingEvent = Omit<HistoryEvent, 'tenantId' | 'id' | 'recordId' | 'seq' | 'at'> & { at?: string };

/**
 * Writes one change of a record: version + 1 (optimistic check against `before.version`) and one
 * history event whose `seq` is the new version, carrying `data.changes` (the engine's diff format)
 * so replaying history rebuilds the record exactly. Returns the stored record.
 */
export async function writeChange(tx: StorageTx, before: StoredRecord, after: StoredRecord, event: PendingEvent, now: string): Promise<{ record: StoredRecord; event: HistoryEvent }> {
  const record: StoredRecord = { ...after, version: before.version + 1, updatedAt: event.at ?? now };
  await tx.updateRecord(record, before.version);
  const at = event.at ?? now;
  const data = { ...event.data, changes: diffRecords(before, record) };
  const history: HistoryEvent = { ...event, data, at, tenantId: tx.tenantId, id: randomUUID(), recordId: record.id, seq: record.version };
  await tx.appendHistory([history]);
  return { record, event: history };
}

/** A new pending timer for a record. */
export function newTimer(tenantId: string, record: StoredRecord, init: { kind: string; key: string | null; dueAt: string; event: string; payload: Record<string, unknown>; stage?: string | null }, now: string): TimerRecord {
  return {
    tenantId,
    id: randomUUID(),
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
