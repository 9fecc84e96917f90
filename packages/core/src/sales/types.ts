import type { HistoryEvent, StoredRecord } from '../storage/types.js';
import type { AssignmentDecision } from '../assignment/assigner.js';
import type { Strategy } from '../assignment/schema.js';

/**
 * Engine-level sales rules: `createEngine({ rules: { assignment, escalations, pool, duplicates,
 * permissions, approvals }, directory })`. Every section is optional and validated with zod.
 */
export interface SalesRulesInput {
  assignment?: unknown;
  escalations?: unknown;
  pool?: unknown;
  duplicates?: unknown;
  permissions?: unknown;
  approvals?: unknown;
}

/** Result of a single-record sales operation (assign, claim, activity, …). */
export interface SalesResult {
  record: StoredRecord;
  events: HistoryEvent[];
}

/** Result of `assign`. */
export interface AssignResult extends SalesResult {
  decision: AssignmentDecision;
}

/** Where `handover` sends a departing rep's records. */
export type HandoverTarget =
  | { to: string }
  | { strategy: Strategy | 'rules' }
  | { pool: string | true };

/** Result of `handover`: one audited batch. */
export interface HandoverResult {
  batchId: string;
  from: string;
  moved: Array<{ recordId: string; to: string | null; poolId: string | null }>;
  /** Records that could not be placed (no eligible rep): left with the departing rep. */
  unplaced: Array<{ recordId: string; reason: string }>;
}

/** Outcome of a timer handled by the sales rules. */
export interface SalesTimerOutcome {
  outcome: string;
  record: StoredRecord | null;
  events: HistoryEvent[];
  /** Blueprint transitions to fire next through the engine's send path (escalation `transition`). */
  transitions: string[];
}
