import type { StoredRecord } from '../storage/types.js';

/**
 * Facts the engine keeps in `meta` that every rule may read under `record`: last activity,
 * priority, whether the record sits in the public pool, and the scores written by
 * `@dealflow/scoring`'s plugin (`record.score`, `record.winProbability`).
 */
export interface RecordMetaFacts {
  /** Last logged activity (ISO) or null. */
  lastActivityAt: string | null;
  priority: unknown;
  /** Whether the record sits in the public pool. */
  inPool: boolean;
  /** Rule score (`meta.score`), or null. */
  score: number | null;
  /** Learned win probability (`meta.winProbability`), or null. */
  winProbability: number | null;
}

/**
 * The {@link RecordMetaFacts} of a record's `meta`.
 *
 * @example
 * ```ts
 * metaFacts({ score: 40 }, 'ann').score // 40
 * ```
 */
export function metaFacts(meta: Record<string, unknown> | undefined, ownerId: string | null | undefined): RecordMetaFacts {
  if (!meta) return { lastActivityAt: null, priority: null, inPool: false, score: null, winProbability: null };
  const pool = meta.pool as { poolId?: string } | undefined;
  return {
    lastActivityAt: typeof meta.lastActivityAt === 'string' ? meta.lastActivityAt : null,
    priority: meta.priority ?? null,
    inPool: Boolean(pool?.poolId) && !ownerId,
    score: typeof meta.score === 'number' ? meta.score : null,
    winProbability: typeof meta.winProbability === 'number' ? meta.winProbability : null,
  };
}

/** The record as sales rules see it: `{ record: {...}, fields, now, actor? }`. */
export interface RuleRecordView extends RecordMetaFacts {
  id: string | null;
  type: string | null;
  stage: string | null;
  ownerId: string | null;
  teamId: string | null;
  fields: Record<string, unknown>;
  createdAt: string | null;
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
  return {
    id: record.id ?? null,
    type: record.type ?? null,
    stage: record.stage ?? null,
    ownerId: record.ownerId ?? null,
    teamId: record.teamId ?? null,
    fields: record.fields ?? {},
    createdAt: record.createdAt ?? null,
    ...metaFacts(record.meta as Record<string, unknown> | undefined, record.ownerId),
  };
}

/** Rule data for a record at a time, optionally with an actor. */
export function ruleData(record: RecordLike | StoredRecord, now: string, actor?: unknown): Record<string, unknown> {
  const view = recordView(record);
  return { record: view, fields: view.fields, now, actor: actor ?? null };
}
