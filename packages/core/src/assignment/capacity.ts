import type { Rep } from '../directory/types.js';
import { periodKey } from './period.js';
import type { AssignmentStore } from './assigner.js';

/** Whether a rep may take one more record, and why not. */
export interface CapacityCheck {
  ok: boolean;
  reason: string;
  load: number;
}

/** Rep capacity: open records (`maxOpen`) and assignments per period (`maxPerPeriod`). */
export interface Capacity {
  /** Open records a rep owns (in the open stages). */
  loadOf(store: AssignmentStore, repId: string): Promise<number>;
  /** Capacity without touching the store, when that is enough (null: ask {@link Capacity.hasCapacity}). */
  quickCapacity(rep: Rep, skipPeriod: boolean): CapacityCheck | null;
  hasCapacity(store: AssignmentStore, rep: Rep, now: string, skipPeriod?: boolean, lock?: boolean): Promise<CapacityCheck>;
  /** Takes a period slot atomically (increment, then check), undoing on overflow. */
  reserve(store: AssignmentStore, rep: Rep, now: string): Promise<boolean>;
}

/**
 * Capacity checks of assignment, counted in the store (open records) and in counters (period caps,
 * keyed by the period in `zone`).
 *
 * @example
 * ```ts
 * const capacity = createCapacity(['new', 'working'], 'Europe/Berlin')
 * if ((await capacity.hasCapacity(tx, rep, now)).ok && (await capacity.reserve(tx, rep, now))) assign(rep)
 * ```
 */
export function createCapacity(openStages: string[] | undefined, zone: string): Capacity {
  const capKey = (rep: Rep, now: string): string | null =>
    rep.capacity?.maxPerPeriod === undefined ? null : `assign:period:${rep.id}:${periodKey(now, rep.capacity.period ?? 'month', zone)}`;

  async function loadOf(store: AssignmentStore, repId: string): Promise<number> {
    return store.countRecords(openStages ? { ownerId: repId, stage: openStages } : { ownerId: repId });
  }

  const OK = Object.freeze({ ok: true, reason: '', load: 0 });
  const INACTIVE = Object.freeze({ ok: false, reason: 'inactive', load: 0 });
  /** Capacity without touching the store, when that is enough (no `maxOpen`, period cap left to reserve). */
  function quickCapacity(rep: Rep, skipPeriod: boolean): { ok: boolean; reason: string; load: number } | null {
    if (rep.active === false) return INACTIVE;
    if (rep.capacity?.maxOpen === undefined && (skipPeriod || rep.capacity?.maxPerPeriod === undefined)) return OK;
    return null;
  }

  /**
   * `lock` (a real run, not a dry run or an explanation): before counting a capped rep's open
   * records, take the rep's capacity row (`assign:open:<rep>`, a counter bumped by 0), so that
   * concurrent decisions about one rep, in any number of app instances, count one after another
   * and each sees the records the one before it assigned (on PostgreSQL the upsert locks the row
   * until commit; the memory and SQLite stores run transactions one at a time anyway).
   */
  async function hasCapacity(store: AssignmentStore, rep: Rep, now: string, skipPeriod = false, lock = false): Promise<{ ok: boolean; reason: string; load: number }> {
    if (rep.active === false) return { ok: false, reason: 'inactive', load: 0 };
    const needLoad = rep.capacity?.maxOpen !== undefined;
    if (needLoad && lock) await store.incrementCounter(`assign:open:${rep.id}`, 0);
    const load = needLoad ? await loadOf(store, rep.id) : 0;
    if (needLoad && load >= rep.capacity!.maxOpen!) return { ok: false, reason: `at capacity (${load}/${rep.capacity!.maxOpen} open)`, load };
    // a real run checks the period cap atomically in reserve(); only dry runs and traces read it here
    const key = skipPeriod ? null : capKey(rep, now);
    if (key) {
      const used = await store.getCounter(key);
      if (used >= rep.capacity!.maxPerPeriod!) return { ok: false, reason: `period cap reached (${used}/${rep.capacity!.maxPerPeriod} this ${rep.capacity!.period ?? 'month'})`, load };
    }
    return { ok: true, reason: '', load };
  }

  /** Takes a period slot atomically (increment, then check), undoing on overflow. */
  async function reserve(store: AssignmentStore, rep: Rep, now: string): Promise<boolean> {
    if (rep.capacity?.maxPerPeriod === undefined) return true;
    const key = capKey(rep, now)!;
    const used = await store.incrementCounter(key, 1);
    if (used > rep.capacity!.maxPerPeriod!) {
      await store.incrementCounter(key, -1);
      return false;
    }
    return true;
  }

  return { loadOf, quickCapacity, hasCapacity, reserve };
}
