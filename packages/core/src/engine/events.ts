import EventEmitter from 'eventemitter3';
import type { HistoryEvent, StoredRecord, TimerRecord } from '../storage/types.js';
import type { Rejection, Task } from './context.js';

/** Payload of `created`. */
export interface CreatedEvent {
  record: StoredRecord;
  history: HistoryEvent;
}
/** Payload of `transition`. */
export interface TransitionEvent {
  record: StoredRecord;
  from: string;
  to: string;
  event: string;
  actorId: string;
  history: HistoryEvent;
}
/** Payload of `deadline.breached` and `reminder`. */
export interface DeadlineEvent {
  record: StoredRecord;
  timer: TimerRecord;
  stage: string;
}
/** Payload of `notify`: a notification the app delivers. */
export interface NotifyEvent {
  record: StoredRecord;
  to: unknown;
  channel: string | null;
  message: string;
  data: Record<string, unknown>;
  historyId: string;
}
/** Payload of `task.created`. */
export interface TaskCreatedEvent {
  record: StoredRecord;
  task: Task;
}
/** Payload of `emitted`: a named event from an `emit` action. */
export interface EmittedEvent {
  record: StoredRecord;
  name: string;
  data: Record<string, unknown>;
  historyId: string;
}

/** Payload of `fields.changed`: an edit by `engine.update`. */
export interface FieldsChangedEvent {
  record: StoredRecord;
  /** Names of the changed fields (computed fields included). */
  changed: string[];
  /** Each changed field's value before and after (null when unset). */
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  actorId: string;
  history: HistoryEvent;
}

/** Every typed event the engine emits after commit, with its payload. */
export interface EngineEventMap {
  created: [CreatedEvent];
  transition: [TransitionEvent];
  rejected: [Rejection];
  'deadline.breached': [DeadlineEvent];
  reminder: [DeadlineEvent];
  notify: [NotifyEvent];
  'task.created': [TaskCreatedEvent];
  emitted: [EmittedEvent];
  'fields.changed': [FieldsChangedEvent];
  /** A listener threw; the call itself had committed. */
  error: [unknown];
}

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
