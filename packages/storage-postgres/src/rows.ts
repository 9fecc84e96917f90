import type { DeadlineRow, HistoryEvent, OutboxMessage, StoredRecord, TaskRow, TimerRecord, TimerStatus } from '@dealflow/core';

import { isCanonicalIso } from './timestamps.js';

type Row = Record<string, unknown>;

/**
 * A timestamptz value as an ISO string: a `Date` (the driver's default parser, e.g. a pool the app
 * passed in), the ISO string the store's own pool already made (see `timestamps.ts`), or other text.
 */
export function iso(value: unknown): string {
  if (typeof value === 'string' && isCanonicalIso(value)) return value;
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}

function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : iso(value);
}

function jsonValue<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export function recordFromRow(r: Row): StoredRecord {
  return {
    tenantId: r.tenant_id as string,
    id: r.id as string,
    type: r.type as string,
    blueprintId: r.blueprint_id as string,
    blueprintVersion: Number(r.blueprint_version),
    stage: r.stage as string,
    version: Number(r.version),
    fields: jsonValue(r.fields),
    ownerId: (r.owner_id as string | null) ?? null,
    teamId: (r.team_id as string | null) ?? null,
    meta: jsonValue(r.meta),
    stageEnteredAt: iso(r.stage_entered_at),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export function historyFromRow(r: Row): HistoryEvent {
  const e: HistoryEvent = {
    tenantId: r.tenant_id as string,
    id: r.id as string,
    recordId: r.record_id as string,
    seq: Number(r.seq),
    at: iso(r.at),
    kind: r.kind as string,
    data: jsonValue(r.data),
  };
  if (r.event !== null && r.event !== undefined) e.event = r.event as string;
  if (r.from_stage !== null && r.from_stage !== undefined) e.from = r.from_stage as string;
  if (r.to_stage !== null && r.to_stage !== undefined) e.to = r.to_stage as string;
  if (r.actor_id !== null && r.actor_id !== undefined) e.actorId = r.actor_id as string;
  return e;
}

export function timerFromRow(r: Row): TimerRecord {
  return {
    tenantId: r.tenant_id as string,
    id: r.id as string,
    recordId: r.record_id as string,
    kind: r.kind as string,
    key: (r.key as string | null) ?? null,
    dueAt: iso(r.due_at),
    event: r.event as string,
    payload: jsonValue(r.payload),
    stage: (r.stage as string | null) ?? null,
    recordVersion: Number(r.record_version),
    status: r.status as TimerStatus,
    leaseOwner: (r.lease_owner as string | null) ?? null,
    leaseUntil: isoOrNull(r.lease_until),
    attempts: Number(r.attempts),
    createdAt: iso(r.created_at),
    finishedAt: isoOrNull(r.finished_at),
    outcome: (r.outcome as string | null) ?? null,
  };
}

export function outboxFromRow(r: Row): OutboxMessage {
  return {
    tenantId: r.tenant_id as string,
    id: r.id as string,
    recordId: (r.record_id as string | null) ?? null,
    type: r.type as string,
    payload: jsonValue(r.payload),
    createdAt: iso(r.created_at),
    position: Number(r.position),
  };
}

export function byDue(a: TimerRecord, b: TimerRecord): number {
  if (a.dueAt !== b.dueAt) return a.dueAt < b.dueAt ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0;
}

export function taskFromRow(r: Row): TaskRow {
  return {
    tenantId: r.tenant_id as string, id: r.id as string, recordId: r.record_id as string, recordType: r.record_type as string,
    kind: r.kind as string, title: r.title as string, ownerId: (r.owner_id as string | null) ?? null, teamId: (r.team_id as string | null) ?? null,
    status: r.status as TaskRow['status'], dueAt: isoOrNull(r.due_at),
  };
}

export function deadlineFromRow(r: Row): DeadlineRow {
  return {
    recordId: r.id as string, recordType: r.type as string, stage: r.stage as string, ownerId: (r.owner_id as string | null) ?? null,
    teamId: (r.team_id as string | null) ?? null, dueAt: iso(r.due_at), timerId: r.timer_id as string,
  };
}
