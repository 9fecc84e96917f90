import type { StoredRecord } from '../storage/types.js';
import { STAGE_TIMES_META } from '../stage-times/stage-times.js';
import type { StageTimes } from '../stage-times/stage-times.js';

/**
 * Facts the engine keeps in `meta` that every rule may read under `record`: last activity,
 * priority, whether the record sits in the public pool, the scores written by
 * `@dealflow/scoring`'s plugin (`record.score`, `record.winProbability`), how often it was
 * reassigned and the escalation levels fired on it.
 */
export interface RecordMetaFacts {
  /** Last logged activity (ISO) or null. */
  lastActivityAt: string | null;
  /** The record's priority (`meta.priority`, e.g. set by an escalation's `priority` action), or null. */
  priority: unknown;
  /** Whether the record sits in the public pool. */
  inPool: boolean;
  /** Rule score (`meta.score`), or null. */
  score: number | null;
  /** Learned win probability (`meta.winProbability`), or null. */
  winProbability: number | null;
  /** How often the record went from one owner to another (escalations, manual assignment, handover, re-routing). */
  reassignments: number;
  /** Escalations that fired on the record, by escalation id: the last level fired (0 = the first) and when. */
  escalations: Record<string, {
    /** The last level fired (0 = the first). */
    level: number;
    /** When it fired (ISO). */
    at: string;
  }>;
}

/**
 * The record as every rule sees it under `record` — guards, `allow` rules, actions, assignment,
 * escalation, approvals, permissions, link rules and scoring alike (docs/concepts.md, "Rule data").
 * Built by `recordView`; a record given in part (`explainAssignment` with a draft) has null
 * where it says nothing.
 */
export interface RecordView extends Partial<RecordMetaFacts> {
  /** The record's id (null in a draft without one). */
  id: string;
  /** The record type (`deal`, `lead`…). */
  type: string;
  /** The current stage id. */
  stage: string;
  /** The owner's rep id, or null (unowned, in the pool). */
  ownerId: string | null;
  /** The record's team id, or null. */
  teamId: string | null;
  /** The record's version (1 after create, +1 per change). */
  version: number;
  /** When the record was created (ISO UTC). */
  createdAt: string;
  /** When the record entered its current stage (ISO UTC). */
  stageEnteredAt: string;
  /** Stage-time properties per stage (`record.stageTimes.<stage>.cumulativeMs`…), see `stageTimesAt`. */
  stageTimes?: StageTimes;
  /** The record's field values (rules usually read them as `fields.<name>`). */
  fields?: Record<string, unknown>;
}

/** A stored record, or a record given in part (a draft to explain an assignment for). */
export interface RecordLike {
  id?: string | null;
  type?: string | null;
  stage?: string | null;
  ownerId?: string | null;
  teamId?: string | null;
  version?: number | null;
  fields?: Record<string, unknown>;
  meta?: Record<string, unknown>;
  createdAt?: string | null;
  stageEnteredAt?: string | null;
}

const NO_META_FACTS: RecordMetaFacts = Object.freeze({ lastActivityAt: null, priority: null, inPool: false, score: null, winProbability: null, reassignments: 0, escalations: Object.freeze({}) as Record<string, { level: number; at: string }> });

function escalationFacts(state: unknown): Record<string, { level: number; at: string }> {
  if (typeof state !== 'object' || state === null) return {};
  const out: Record<string, { level: number; at: string }> = {};
  for (const [id, s] of Object.entries(state as Record<string, { level?: unknown; at?: unknown }>)) {
    if (typeof s?.level === 'number' && typeof s.at === 'string') out[id] = { level: s.level, at: s.at };
  }
  return out;
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
  if (!meta) return NO_META_FACTS;
  const pool = meta.pool as { poolId?: string } | undefined;
  return {
    lastActivityAt: typeof meta.lastActivityAt === 'string' ? meta.lastActivityAt : null,
    priority: meta.priority ?? null,
    inPool: Boolean(pool?.poolId) && !ownerId,
    score: typeof meta.score === 'number' ? meta.score : null,
    winProbability: typeof meta.winProbability === 'number' ? meta.winProbability : null,
    reassignments: typeof meta.reassignments === 'number' ? meta.reassignments : 0,
    escalations: escalationFacts(meta.escalations),
  };
}

/**
 * The one view of a record that every rule reads under `record`: every property docs/concepts.md
 * lists (id, type, stage, owner, team, version, times, stage times, fields and the meta facts).
 *
 * @example
 * ```ts
 * recordView(stored).stageTimes.qualified?.cumulativeMs
 * ```
 */
export function recordView(r: RecordLike | StoredRecord): RecordView {
  const meta = r.meta as Record<string, unknown> | undefined;
  const facts = metaFacts(meta, r.ownerId);
  // built whole, in one order (every view has the same shape)
  return {
    id: (r.id ?? null) as string,
    type: (r.type ?? null) as string,
    stage: (r.stage ?? null) as string,
    ownerId: r.ownerId ?? null,
    teamId: r.teamId ?? null,
    version: (r.version ?? null) as number,
    createdAt: (r.createdAt ?? null) as string,
    stageEnteredAt: (r.stageEnteredAt ?? null) as string,
    stageTimes: (meta?.[STAGE_TIMES_META] as StageTimes | undefined) ?? {},
    fields: r.fields ?? {},
    lastActivityAt: facts.lastActivityAt,
    priority: facts.priority,
    inPool: facts.inPool,
    score: facts.score,
    winProbability: facts.winProbability,
    reassignments: facts.reassignments,
    escalations: facts.escalations,
  };
}
