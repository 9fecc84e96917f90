import type { Actor } from '../blueprint/machine.js';
import type { HistoryEvent, StoredRecord } from '../storage/types.js';
import type { StageRequirements } from './requirements.js';

export type { Actor };

/** What every engine call carries: who acts, and optionally an idempotency key. */
export interface CallContext {
  /**
   * Who acts: `{ id }` (roles, team and tenants come from the directory), or `engine.system`.
   * Without an actor a call is refused when permissions are configured, else it runs as the
   * anonymous actor (`{ id: 'anonymous', roles: [] }`), never as the system.
   */
  actor?: Actor;
  /** Repeating a call with the same key returns the first result and writes nothing. */
  idempotencyKey?: string;
  /** Fail with `CONFLICT` unless the record is at this version (no retry). */
  expectedVersion?: number;
  /** Tenant of the call (default: the engine's `tenantId`). */
  tenantId?: string;
}

/** An event sent to a record: its name, or the name with field values and extra data. */
export type SendInput =
  | string
  | {
      /** The event's name (a transition's `event` in the blueprint). */
      type: string;
      /** Field values set together with the transition (validated against the blueprint). */
      fields?: Record<string, unknown>;
      /** Extra data rules can read as `event.data`. */
      data?: Record<string, unknown>;
      /** Checklist item ids ticked, for a target stage with `requirements.checklist`. */
      checklist?: string[];
      /** A note, for a target stage with `requirements.note`. */
      note?: string;
      /** Attachment references (ids or URLs the app stores), for `requirements.attachments`. */
      attachments?: string[];
    };

/** Input of `engine.create`. */
export interface CreateInput {
  /** Record id (default: generated). */
  id?: string;
  /** Field values (validated against the blueprint; defaults fill the rest). */
  fields?: Record<string, unknown>;
  /** The owner (a rep id); omitted: the sales rules' assignment decides, else nobody. */
  ownerId?: string | null;
  /** The owning team; omitted: the owner's first team or the assignment's. */
  teamId?: string | null;
}

/** Why an event was rejected. */
export type RejectionReason =
  | 'no_transition'
  | 'final_stage'
  | 'guard'
  | 'forbidden'
  | 'required_fields'
  /** The target stage's checklist, note or attachments were not supplied (see `missingRequirements`). */
  | 'requirements'
  /** The transition needs approval (sales rules `approvals`); the record now waits for it. */
  | 'approval_pending';

/** A typed rejection: the event was not applied and nothing was written. */
export interface Rejection {
  /** Why, as a code to branch on. */
  reason: RejectionReason;
  /** The record the event was sent to. */
  recordId: string;
  /** The event refused. */
  event: string;
  /** The stage the record is (still) in. */
  stage: string;
  /** The stage the transition would have entered, when one was selected. */
  to?: string;
  /** Fields that must be set first (reason `required_fields`; with reason `guard`, those the target stage would need too). */
  missingFields: string[];
  /** What the target stage asks for that was not supplied (reason `requirements`). */
  missingRequirements?: StageRequirements;
  /** JSON path of the rule that said no (`guard`, `forbidden`). */
  rule?: string;
  /** Who sent the event. */
  actorId: string;
  /** A sentence naming the record, the stage and the cause, for logs and reps. */
  message: string;
}

/** Result of `engine.send`. */
export type SendResult =
  | {
      /** The event was applied. */
      ok: true;
      /** The record after the event. */
      record: StoredRecord;
      /** History events written (the transition; records created by `convert` follow their own). */
      events: HistoryEvent[];
      /** The stage before the event. */
      from: string;
      /** The stage after it. */
      to: string;
      /** Ids of records created by `convert` actions. */
      created: string[];
      /** True when this result was returned for a repeated idempotency key. */
      replayed?: boolean;
    }
  | {
      /** The event was refused; nothing was written (except a pending approval). */
      ok: false;
      /** Why. */
      rejection: Rejection;
      /** The record as it is (unchanged, or waiting for approval). */
      record: StoredRecord;
      /** True when this (stored) rejection was returned for a repeated idempotency key. */
      replayed?: boolean;
    };

/** Result of `engine.create`. */
export interface CreateResult {
  /** The new record. */
  record: StoredRecord;
  /** History events written (`created`, then any assignment). */
  events: HistoryEvent[];
  /** True when this result was returned for a repeated idempotency key. */
  replayed?: boolean;
}


/** A task created by a `task` action, kept in `record.meta.tasks`. */
export interface Task {
  /** The task's id (what `engine.completeTask` takes). */
  id: string;
  /** What to do, as the owner reads it. */
  title: string;
  /** Who should do it (a rep id), or `null`. */
  ownerId: string | null;
  /** When it is due (ISO), or `null`. */
  dueAt: string | null;
  /** When it was created (ISO). */
  createdAt: string;
  /** `open` until completed. */
  status: 'open' | 'done';
  /** Transition event that created it. */
  event: string;
}
