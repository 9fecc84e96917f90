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
