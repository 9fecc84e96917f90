import type { HistoryEvent, StoredRecord } from '@dealflow/core';
import type { StageKind } from '../src/index.js';

export const STAGES: StageKind[] = [
  { id: 'new', kind: 'open' },
  { id: 'qualified', kind: 'open' },
  { id: 'proposal', kind: 'open' },
  { id: 'won', kind: 'won' },
  { id: 'lost', kind: 'lost' },
];

export interface Built {
  record: StoredRecord;
  history: HistoryEvent[];
}

/** Step of a record's life: a transition into `to`, optionally setting fields, at `at`. */
export interface Step {
  to: string;
  at: string;
  fields?: Record<string, unknown>;
}

/**
 * Builds a record and its history in the engine's format (`created` with `data.record`, then
 * transitions with `data.changes`). The record is the result of replaying all of it.
 */
export function buildRecord(id: string, createdAt: string, fields: Record<string, unknown>, steps: Step[] = [], ownerId: string | null = 'rep-1'): Built {
  const record: StoredRecord = {
    tenantId: 't1',
    id,
    type: 'deal',
    blueprintId: 'bp',
    blueprintVersion: 1,
    stage: 'new',
    version: 1,
    fields: { ...fields },
    ownerId,
    teamId: null,
    meta: {},
    stageEnteredAt: createdAt,
    createdAt,
    updatedAt: createdAt,
  };
  const history: HistoryEvent[] = [
    {
      tenantId: 't1',
      id: `${id}:1`,
      recordId: id,
      seq: 1,
      at: createdAt,
      kind: 'created',
      to: 'new',
      data: { record: { ...structuredClone(record), tenantId: undefined, version: undefined, updatedAt: undefined } },
    },
  ];
  for (const s of steps) {
    const seq = history.length + 1;
    history.push({
      tenantId: 't1',
      id: `${id}:${seq}`,
      recordId: id,
      seq,
      at: s.at,
      kind: 'transition',
      event: `to_${s.to}`,
      from: record.stage,
      to: s.to,
      data: { changes: { stage: s.to, stageEnteredAt: s.at, ...(s.fields ? { fields: s.fields } : {}) } },
    });
    record.stage = s.to;
    record.stageEnteredAt = s.at;
    record.version = seq;
    record.updatedAt = s.at;
    if (s.fields) Object.assign(record.fields, s.fields);
  }
  return { record, history };
}

/** A record created on `createdAt` that closes (won or lost) at `closedAt`. */
export function closedDeal(id: string, fields: Record<string, unknown>, won: boolean, closedAt: string, createdAt = '2024-01-01T00:00:00.000Z'): Built {
  return buildRecord(id, createdAt, fields, [{ to: won ? 'won' : 'lost', at: closedAt }]);
}

export function collect(built: Built[]): { records: StoredRecord[]; history: HistoryEvent[] } {
  return { records: built.map((b) => b.record), history: built.flatMap((b) => b.history) };
}
