import type { HistoryEvent, StoredRecord } from '../storage/types.js';
import type { AssignmentDecision } from '../assignment/assigner.js';
import type { Strategy } from '../assignment/schema.js';
import type { BatchSizer, ItemError } from '../engine/batches.js';

/**
 * Engine-level sales rules: `createEngine({ rules: { assignment, escalations, pool, duplicates,
 * permissions, approvals }, directory })`. Every section is optional and validated with zod.
 */
export interface SalesRulesInput {
  /** Who owns new records: rules and strategies (parsed with {@link assignmentConfigSchema}). */
  assignment?: unknown;
  /** Escalation ladders on inactivity or time in a stage (parsed with {@link escalationsConfigSchema}). */
  escalations?: unknown;
  /** The public pool: claiming limits and returning unworked records (parsed with {@link poolConfigSchema}). */
  pool?: unknown;
  /** The duplicate guard: unique keys over normalized fields (parsed with {@link duplicatesConfigSchema}). */
  duplicates?: unknown;
  /** Who may do which operation on which records (parsed with {@link permissionsConfigSchema}). */
  permissions?: unknown;
  /** Transitions that wait for an approver's decision (parsed with {@link approvalsConfigSchema}). */
  approvals?: unknown;
}

/** Result of a single-record sales operation (assign, claim, activity, …). */
export interface SalesResult {
  /** The record after the operation, as stored. */
  record: StoredRecord;
  /** The history events the operation wrote. */
  events: HistoryEvent[];
}

/** Result of `assign`. */
export interface AssignResult extends SalesResult {
  /** Which rule and strategy placed the record, the owner or pool chosen, and why. */
  decision: AssignmentDecision;
}

/** Where `handover` sends a departing rep's records. */
export type HandoverTarget =
  | {
    /** One rep id (active, in the directory) who takes every record. */
    to: string;
  }
  | {
    /** Place each record by a strategy, or by the assignment rules (`'rules'`), never back to the departing rep. */
    strategy: Strategy | 'rules';
  }
  | {
    /** Into this pool, or (`true`) each record's own pool (else the configured `defaultPool`, the record's team, or `general`). */
    pool: string | true;
  };

/**
 * What `handover` did with one record of the departing rep (`index`: its position in the list of
 * the rep's open records taken when the handover started): `moved` to an owner or a pool,
 * `unplaced` (no rep could take it: left with the departing rep), or `refused` (nothing written:
 * e.g. the record changed owner or left its open stages meanwhile, `REJECTED`).
 */
export type HandoverItemResult =
  | {
    /** The record's position in the handover's list. */
    index: number;
    /** The record moved. */
    status: 'moved';
    /** The moved record. */
    recordId: string;
    /** Its new owner, or null when it went into a pool. */
    to: string | null;
    /** The pool it went into, or null when it got an owner. */
    poolId: string | null;
  }
  | {
    /** The record's position in the handover's list. */
    index: number;
    /** No rep could take the record. */
    status: 'unplaced';
    /** The record left with the departing rep. */
    recordId: string;
    /** Why no rep could take it (e.g. every candidate at capacity). */
    reason: string;
  }
  | {
    /** The record's position in the handover's list. */
    index: number;
    /** The record was refused; nothing of it was written. */
    status: 'refused';
    /** The refused record. */
    recordId: string;
    /** Why (its `DealflowError` code and message, naming the record). */
    error: ItemError;
  };

/** Options of `engine.handover` beside the call context: how the records are batched. */
export interface HandoverOptions {
  /**
   * Records per transaction: a number (1…1 000), `'auto'` (default): starts at 100 and adapts
   * so a transaction takes about `targetMs`, or a `BatchSizer` (as `createMany` and `sendMany`).
   */
  batchSize?: number | 'auto' | BatchSizer;
  /** Target duration of one batch transaction for `'auto'` (default 200 ms; a `BatchSizer` has its own). */
  targetMs?: number;
  /** Every record in one transaction (at most 1 000), and a refused record fails the call whole. Default false. */
  allOrNothing?: boolean;
  /** Called after each batch committed: how many records it moved, and how many it did not (unplaced or refused). */
  onBatch?: (info: { from: number; to: number; ms: number; moved: number; notMoved: number }) => void | Promise<void>;
}

/** Result of `handover`: every record of the departing rep, in batches audited together. */
export interface HandoverResult {
  /** Id of the batch, in every `handover` history event and the `dealflow.handover` outbox message. */
  batchId: string;
  /** The departing rep. */
  from: string;
  /** Records placed elsewhere. */
  moved: Array<{
    /** The moved record. */
    recordId: string;
    /** Its new owner, or null when it went into a pool. */
    to: string | null;
    /** The pool it went into, or null when it got an owner. */
    poolId: string | null;
  }>;
  /** Records that could not be placed (no eligible rep): left with the departing rep. */
  unplaced: Array<{
    /** The record left with the departing rep. */
    recordId: string;
    /** Why no rep could take it. */
    reason: string;
  }>;
  /** Records refused (nothing written), e.g. changed owner or stage since the handover listed them. */
  refused: Array<{
    /** The refused record. */
    recordId: string;
    /** Why (code and message). */
    error: ItemError;
  }>;
  /** One result per record of the departing rep's list, in its order. */
  items: HandoverItemResult[];
}

/** Outcome of a timer handled by the sales rules. */
export interface SalesTimerOutcome {
  /** `fired`, or `noop:<reason>` when the timer no longer applies (e.g. `noop:record_gone`). */
  outcome: string;
  /** The record after the firing (null when it no longer exists). */
  record: StoredRecord | null;
  /** The history events the firing wrote. */
  events: HistoryEvent[];
  /** Blueprint transitions to fire next through the engine's send path (escalation `transition`). */
  transitions: string[];
}

/** Options of `engine.returnManyToPool`: where the records go, why, and how they are batched. */
export interface ReturnManyOptions {
  /** The pool every record goes into (default: each record's own pool, as `returnToPool`). */
  poolId?: string;
  /** The reason in each record's `returned` history event (default `'returned'`). */
  reason?: string;
  /**
   * Records per transaction: a number (1…1 000), `'auto'` (default): starts at 100 and adapts
   * so a transaction takes about `targetMs`, or a `BatchSizer` (as `createMany` and `sendMany`).
   */
  batchSize?: number | 'auto' | BatchSizer;
  /** Target duration of one batch transaction for `'auto'` (default 200 ms; a `BatchSizer` has its own). */
  targetMs?: number;
  /** Every record in one transaction (at most 1 000), and a refused record fails the call whole. Default false. */
  allOrNothing?: boolean;
  /** Called after each batch committed: how many records it returned, and how many it refused. */
  onBatch?: (info: { from: number; to: number; ms: number; returned: number; refused: number }) => void | Promise<void>;
}

/** Options of `engine.distributeMany` beside the call context (which needs the actor): how the items are batched. */
export interface DistributeManyOptions {
  /**
   * Items per transaction: a number (1…1 000), `'auto'` (default): starts at 100 and adapts
   * so a transaction takes about `targetMs`, or a `BatchSizer` (as `createMany` and `sendMany`).
   */
  batchSize?: number | 'auto' | BatchSizer;
  /** Target duration of one batch transaction for `'auto'` (default 200 ms; a `BatchSizer` has its own). */
  targetMs?: number;
  /** Every item in one transaction (at most 1 000), and a refused item fails the call whole. Default false. */
  allOrNothing?: boolean;
  /** Called after each batch committed: how many records it distributed, and how many it refused. */
  onBatch?: (info: { from: number; to: number; ms: number; distributed: number; refused: number }) => void | Promise<void>;
}

/** One item of `engine.distributeMany`: a pool record and the rep it goes to. */
export interface DistributeManyItem {
  /** The record, in the public pool. */
  recordId: string;
  /** The active rep who gets it. */
  to: string;
}

/**
 * What `distributeMany` did with one item of its input (`index`: its position there): the record
 * as written and its `distributed` event, or refused with nothing written (no `distribute`
 * permission: `FORBIDDEN`; already owned: `REJECTED`; inactive or unknown rep: `INPUT_INVALID`;
 * no such record: `NOT_FOUND`). Same shape as {@link ReturnManyResult}.
 */
export type DistributeManyResult = ReturnManyResult;

/**
 * What `returnManyToPool` did with one record id of its input (`index`: its position there):
 * returned (the record as written and its `returned` event), or refused with nothing written (not
 * the actor's to return: `FORBIDDEN`; already in the pool: `REJECTED`; no such record: `NOT_FOUND`).
 */
export type ReturnManyResult =
  | ({
    /** The record went into its pool. */
    ok: true;
    /** The id's position in the input. */
    index: number;
  } & SalesResult)
  | {
    /** The record was refused; nothing of it was written. */
    ok: false;
    /** The id's position in the input. */
    index: number;
    /** Why (its `DealflowError` code and message, naming the record). */
    error: ItemError;
  };
