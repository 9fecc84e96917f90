import type { TimerRecord } from './types.js';

/** The lifecycle part of a timer: what a store changes as it leases, fires or cancels it. */
export type TimerLifecycle = Pick<TimerRecord, 'status' | 'leaseOwner' | 'leaseUntil' | 'attempts' | 'createdAt' | 'finishedAt' | 'outcome'>;

/**
 * The lifecycle of a timer scheduled at `now`: pending, not leased, never attempted, not finished.
 *
 * @example
 * ```ts
 * const timer: TimerRecord = { ...pendingTimer(now), tenantId, id, recordId, stage, recordVersion, kind, key, dueAt, event, payload }
 * ```
 */
export function pendingTimer(now: string): TimerLifecycle {
  return { status: 'pending', leaseOwner: null, leaseUntil: null, attempts: 0, createdAt: now, finishedAt: null, outcome: null };
}

/** What a new timer is about: everything but its lifecycle. */
export type TimerSpec = Omit<TimerRecord, keyof TimerLifecycle>;

/**
 * A pending timer scheduled at `now`, built whole in one literal (a spread of the lifecycle with
 * the rest as overrides costs V8 a slow path per property, on every stage change).
 *
 * @example
 * ```ts
 * const timer = newTimer({ tenantId, id, recordId, kind: 'breach', key, dueAt, event: 'late', payload: {}, stage, recordVersion }, now)
 * ```
 */
export function newTimer(t: TimerSpec, now: string): TimerRecord {
  return {
    tenantId: t.tenantId, id: t.id, recordId: t.recordId, kind: t.kind, key: t.key, dueAt: t.dueAt, event: t.event, payload: t.payload,
    stage: t.stage, recordVersion: t.recordVersion,
    status: 'pending', leaseOwner: null, leaseUntil: null, attempts: 0, createdAt: now, finishedAt: null, outcome: null,
  };
}
