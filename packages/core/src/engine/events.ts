import EventEmitter from 'eventemitter3';
import type { HistoryEvent, StoredRecord, TimerRecord } from '../storage/types.js';
import type { Rejection, Task } from './context.js';

/** Payload of `created`. */
export interface CreatedEvent {
  /** The new record as stored. */
  record: StoredRecord;
  /** Its `created` history event (seq 1). */
  history: HistoryEvent;
}
/** Payload of `transition`. */
export interface TransitionEvent {
  /** The record after the transition, as stored. */
  record: StoredRecord;
  /** The stage it left. */
  from: string;
  /** The stage it entered. */
  to: string;
  /** The event name that fired the transition. */
  event: string;
  /** Who sent the event (rep id, `system`, `worker:<id>`). */
  actorId: string;
  /** The `transition` history event written with it. */
  history: HistoryEvent;
}
/** Payload of `deadline.breached` and `reminder`. */
export interface DeadlineEvent {
  /** The record: for `deadline.breached` as it was when the deadline passed (before the `onBreach` transition), for `reminder` after the reminder was recorded. */
  record: StoredRecord;
  /** The timer that fired (`kind` `breach`, `reminder`, …; its `payload` names the deadline or date timer). */
  timer: TimerRecord;
  /** The stage the record was in when the timer fired. */
  stage: string;
}
/** Payload of `notify`: a notification the app delivers. */
export interface NotifyEvent {
  /** The record after the transition whose `notify` action asked for it. */
  record: StoredRecord;
  /** Who to notify: the value the action's `to` rule computed (a rep id, a list, `"manager"`…). */
  to: unknown;
  /** The action's channel hint (`email`, `slack`…), or null. */
  channel: string | null;
  /** The action's message template name or text. */
  message: string;
  /** The action's `data` values, each computed by its rule. */
  data: Record<string, unknown>;
  /** Id of the history event of the transition (to dedupe deliveries on). */
  historyId: string;
}
/** Payload of `task.created`. */
export interface TaskCreatedEvent {
  /** The record the task was added to, as stored. */
  record: StoredRecord;
  /** The new task. */
  task: Task;
}
/** Payload of `emitted`: a named event from an `emit` action. */
export interface EmittedEvent {
  /** The record after the transition whose `emit` action sent it. */
  record: StoredRecord;
  /** The action's `event` name. */
  name: string;
  /** The action's `data` values, each computed by its rule. */
  data: Record<string, unknown>;
  /** Id of the history event of the transition (to dedupe on). */
  historyId: string;
}

/** Payload of `fields.changed`: an edit by `engine.update`. */
export interface FieldsChangedEvent {
  /** The record after the edit, as stored. */
  record: StoredRecord;
  /** Names of the changed fields (computed fields included). */
  changed: string[];
  /** Each changed field's value before and after (null when unset). */
  before: Record<string, unknown>;
  /** Each changed field's value after the edit (null when cleared). */
  after: Record<string, unknown>;
  /** Who made the edit. */
  actorId: string;
  /** The `fields` history event written with it. */
  history: HistoryEvent;
}

/** Every typed event the engine emits after commit, with its payload. */
export interface EngineEventMap {
  /** A record was created. */
  created: [CreatedEvent];
  /** A record moved to another stage. */
  transition: [TransitionEvent];
  /** An event was refused (guard, permission, missing fields…; nothing was written), or held for approval (`reason: 'approval_pending'`; the pending approval is stored). */
  rejected: [Rejection];
  /** A stage deadline passed (its breach timer fired). */
  'deadline.breached': [DeadlineEvent];
  /** A deadline reminder or date-field reminder fired. */
  reminder: [DeadlineEvent];
  /** A `notify` action asks the app to deliver a notification. */
  notify: [NotifyEvent];
  /** A `task` action added a task. */
  'task.created': [TaskCreatedEvent];
  /** An `emit` action sent an app event. */
  emitted: [EmittedEvent];
  /** `engine.update` changed field values. */
  'fields.changed': [FieldsChangedEvent];
  /** A listener threw; the call itself had committed. */
  error: [unknown];
}

/** The name of an engine event (`engine.on(name, listener)`), e.g. `transition`. */
export type EngineEventName = keyof EngineEventMap;

/** An event to emit once the transaction committed. */
export type PendingEmit = { [K in EngineEventName]: { name: K; payload: EngineEventMap[K][0] } }[EngineEventName];

/** Creates the engine's typed emitter. */
export function createEmitter(): EventEmitter<EngineEventMap> {
  return new EventEmitter<EngineEventMap>();
}

/** Emits pending events in order; a throwing listener is reported on `error`, never undoing the commit. */
export function flushEmits(emitter: EventEmitter<EngineEventMap>, emits: readonly PendingEmit[]): void {
  for (const e of emits) {
    try {
      (emitter.emit as (n: string, p: unknown) => boolean)(e.name, e.payload);
    } catch (err) {
      if (emitter.listenerCount('error') > 0) emitter.emit('error', err);
      else console.error('[dealflow] event listener failed', err);
    }
  }
}
