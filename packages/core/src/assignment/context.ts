import type { StoredRecord } from '../storage/types.js';

/** The record as sales rules see it: `{ record: {...}, fields, now, actor? }`. */
export interface RuleRecordView {
  id: string | null;
  type: string | null;
  stage: string | null;
  ownerId: string | null;
  teamId: string | null;
  fields: Record<string, unknown>;
  createdAt: string | null;
  /** Last logged activity (ISO) or null. */
  lastActivityAt: string | null;
  priority: unknown;
  /** Whether the record sits in the public pool. */
  inPool: boolean;
}

/** The input of `explainAssignment` and friends: a stored record or a partial one. */
export interface RecordLike {
  id?: string | null;
  type?: string | null;
  stage?: string | null;
  ownerId?: string | null;
  teamId?: string | null;
  fields?: Record<string, unknown>;
  meta?: Record<string, unknown>;
  createdAt?: string | null;
}

/** The view of a record that rules read (`record.*` and `fields.*`). */
export function recordView(record: RecordLike | StoredRecord): RuleRecordView {
  const meta = (record.meta ?? {}) as Record<string, unknown>;
  const pool = meta.pool as { poolId?: string } | undefined;
  return {
    id: record.id ?? null,
    type: record.type ?? null,
    stage: record.stage ?? null,
    ownerId: record.ownerId ?? null,
    teamId: record.teamId ?? null,
    fields: record.fields ?? {},
    createdAt: record.createdAt ?? null,
    lastActivityAt: typeof meta.lastActivityAt === 'string' ? meta.lastActivityAt : null,
    priority: meta.priority ?? null,
    inPool: Boolean(pool?.poolId) && !record.ownerId,
  };
}

/** Rule data for a record at a time, optionally with an actor. */
export function ruleData(record: RecordLike | StoredRecord, now: string, actor?: unknown): Record<string, unknown> {
  const view = recordView(record);
  return { record: view, fields: view.fields, now, actor: actor ?? null };
}
