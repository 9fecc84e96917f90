import type { DeadlineRow, HistoryEvent, OutboxMessage, StoredRecord, TaskRow, TimerRecord, TimerStatus } from '@dealflow/core';

export interface RecordRow {
  tenant_id: string; id: string; type: string; blueprint_id: string; blueprint_version: number; stage: string;
  version: number; fields: string; owner_id: string | null; team_id: string | null; meta: string;
  stage_entered_at: string; created_at: string; updated_at: string;
}
export interface HistoryRow {
  tenant_id: string; record_id: string; seq: number; id: string; at: string; kind: string; event: string | null;
  from_stage: string | null; to_stage: string | null; actor_id: string | null; data: string;
}
export interface TimerRow {
  tenant_id: string; id: string; record_id: string; kind: string; key: string | null; due_at: string; event: string;
  payload: string; stage: string | null; record_version: number; status: string; lease_owner: string | null;
  lease_until: string | null; attempts: number; created_at: string; finished_at: string | null; outcome: string | null;
}
export interface OutboxRow {
  position: number; tenant_id: string; id: string; record_id: string | null; type: string; payload: string; created_at: string;
}

export function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function recordFromRow(r: RecordRow): StoredRecord {
  return {
    tenantId: r.tenant_id,
    id: r.id,
    type: r.type,
    blueprintId: r.blueprint_id,
    blueprintVersion: r.blueprint_version,
    stage: r.stage,
    version: r.version,
    fields: JSON.parse(r.fields) as Record<string, unknown>,
    ownerId: r.owner_id,
    teamId: r.team_id,
    meta: JSON.parse(r.meta) as Record<string, unknown>,
    stageEnteredAt: r.stage_entered_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The records columns after the key (tenant_id, id), in table order. */
export const RECORD_COLUMNS = [
  'type', 'blueprint_id', 'blueprint_version', 'stage', 'version', 'fields', 'owner_id', 'team_id', 'meta',
  'stage_entered_at', 'created_at', 'updated_at',
] as const satisfies readonly (keyof RecordRow)[];

/** A record's values for RECORD_COLUMNS (fields and meta as JSON text). */
export function recordColumns(r: StoredRecord): unknown[] {
  return [
    r.type, r.blueprintId, r.blueprintVersion, r.stage, r.version, json(r.fields), r.ownerId ?? null,
    r.teamId ?? null, json(r.meta), r.stageEnteredAt, r.createdAt, r.updatedAt,
  ];
}

/** The row that RECORD_COLUMNS values make. */
export function recordRow(tenantId: string, id: string, v: unknown[]): RecordRow {
  return {
    tenant_id: tenantId, id, type: v[0], blueprint_id: v[1], blueprint_version: v[2], stage: v[3], version: v[4], fields: v[5],
    owner_id: v[6], team_id: v[7], meta: v[8], stage_entered_at: v[9], created_at: v[10], updated_at: v[11],
  } as RecordRow;
}

export function recordParams(tenantId: string, r: StoredRecord): unknown[] {
  return [tenantId, r.id, ...recordColumns(r)];
}

export function historyFromRow(r: HistoryRow): HistoryEvent {
  const e: HistoryEvent = {
    tenantId: r.tenant_id,
    id: r.id,
    recordId: r.record_id,
    seq: r.seq,
    at: r.at,
    kind: r.kind,
    data: JSON.parse(r.data) as Record<string, unknown>,
  };
  if (r.event !== null) e.event = r.event;
  if (r.from_stage !== null) e.from = r.from_stage;
  if (r.to_stage !== null) e.to = r.to_stage;
  if (r.actor_id !== null) e.actorId = r.actor_id;
  return e;
}

export function timerFromRow(r: TimerRow): TimerRecord {
  return {
    tenantId: r.tenant_id,
    id: r.id,
    recordId: r.record_id,
    kind: r.kind,
    key: r.key,
    dueAt: r.due_at,
    event: r.event,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    stage: r.stage,
    recordVersion: r.record_version,
    status: r.status as TimerStatus,
    leaseOwner: r.lease_owner,
    leaseUntil: r.lease_until,
    attempts: r.attempts,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    outcome: r.outcome,
  };
}

export function outboxFromRow(r: OutboxRow): OutboxMessage {
  return {
    tenantId: r.tenant_id,
    id: r.id,
    recordId: r.record_id,
    type: r.type,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    createdAt: r.created_at,
    position: r.position,
  };
}

/** Sorts timers by `dueAt`, then `id` (RETURNING has no order). */
export function byDue(a: TimerRecord, b: TimerRecord): number {
  if (a.dueAt !== b.dueAt) return a.dueAt < b.dueAt ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0;
}

/** A `tasks` row as SQLite returns it. */
export interface TaskIndexRow {
  tenant_id: string;
  record_id: string;
  id: string;
  record_type: string;
  kind: string;
  title: string;
  owner_id: string | null;
  team_id: string | null;
  status: string;
  due_at: string | null;
}

export function taskFromRow(r: TaskIndexRow): TaskRow {
  return {
    tenantId: r.tenant_id, id: r.id, recordId: r.record_id, recordType: r.record_type, kind: r.kind, title: r.title,
    ownerId: r.owner_id, teamId: r.team_id, status: r.status as TaskRow['status'], dueAt: r.due_at,
  };
}

/** A row of the deadline query (records joined with their breach timers). */
export interface DeadlineIndexRow {
  id: string;
  type: string;
  stage: string;
  owner_id: string | null;
  team_id: string | null;
  due_at: string;
  timer_id: string;
}

export function deadlineFromRow(r: DeadlineIndexRow): DeadlineRow {
  return { recordId: r.id, recordType: r.type, stage: r.stage, ownerId: r.owner_id, teamId: r.team_id, dueAt: r.due_at, timerId: r.timer_id };
}
