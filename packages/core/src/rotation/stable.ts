import { createCalendar } from '@dealflow/logic';
import type { BusinessCalendar } from '@dealflow/logic';
import type { Rep } from '../directory/types.js';
import type { StorageTx } from '../storage/types.js';

/**
 * Stable round robin: instead of `turn % reps.length` (whose pointer jumps whenever a rep joins,
 * leaves or is unavailable, HubSpot's complaint), each rep's last served turn is kept in a
 * counter and the next record goes to the eligible rep served least recently (ties: rep id
 * order). A rep who joins gets one record and joins the rotation; a rep who returns from being
 * unavailable gets one record, not the backlog of turns they missed; reps leaving do not move
 * anyone else's place. The shared turn counter is still incremented first, which serializes
 * concurrent assignments on one rotation (a row lock on PostgreSQL, the store lock elsewhere).
 */

/** Counter key holding the last turn a rep was served in a rotation. */
export function lastServedKey(rotationKey: string, repId: string): string {
  return `${rotationKey}:last:${repId}`;
}

/** Candidates in serving order: least recently served first, then in the given (id) order. */
export async function rotationOrder<R extends { id: string }>(store: Pick<StorageTx, 'getCounter'>, rotationKey: string, reps: readonly R[]): Promise<Array<{ rep: R; lastTurn: number }>> {
  const withTurns = await Promise.all(reps.map(async (rep, i) => ({ rep, i, lastTurn: await store.getCounter(lastServedKey(rotationKey, rep.id)) })));
  withTurns.sort((a, b) => a.lastTurn - b.lastTurn || a.i - b.i);
  return withTurns.map(({ rep, lastTurn }) => ({ rep, lastTurn }));
}

/** Records that `rep` was served at `turn` in the rotation. */
export async function markServed(store: Pick<StorageTx, 'setCounter'>, rotationKey: string, repId: string, turn: number): Promise<void> {
  await store.setCounter(lastServedKey(rotationKey, repId), turn);
}

/** Scale of stride values (a weight-1 rep advances by this much per record). */
const STRIDE_SCALE = 1_000_000;

/** Counter key of a rep's pass (stride scheduling) in a weighted rotation. */
export function passKey(rotationKey: string, repId: string): string {
  return `${rotationKey}:pass:${repId}`;
}

/**
 * Weighted rotation by stride scheduling: each rep advances by `1/weight` per record received and
 * the rep furthest behind goes next, so a weight-2 rep gets two records for every one of a
 * weight-1 rep, interleaved. A rep's position is never behind the rotation's current time
 * (`:vt` counter), so a rep who joins or returns from absence gets their share from now on, not a
 * backlog. Returns the candidates in serving order with the pass each would start from.
 */
export async function weightedOrder<R extends { id: string }>(store: Pick<StorageTx, 'getCounter'>, rotationKey: string, reps: readonly R[]): Promise<Array<{ rep: R; lastTurn: number; pass: number }>> {
  const vt = await store.getCounter(`${rotationKey}:vt`);
  const rows = await Promise.all(
    reps.map(async (rep, i) => ({
      rep,
      i,
      lastTurn: await store.getCounter(lastServedKey(rotationKey, rep.id)),
      pass: Math.max(vt, await store.getCounter(passKey(rotationKey, rep.id))),
    })),
  );
  rows.sort((a, b) => a.pass - b.pass || a.lastTurn - b.lastTurn || a.i - b.i);
  return rows.map(({ rep, lastTurn, pass }) => ({ rep, lastTurn, pass }));
}

/** Records a weighted pick: the rep advances by its stride, the rotation's time moves to `pass`. */
export async function markServedWeighted(store: Pick<StorageTx, 'setCounter'>, rotationKey: string, repId: string, turn: number, pass: number, weight: number): Promise<void> {
  await store.setCounter(lastServedKey(rotationKey, repId), turn);
  await store.setCounter(passKey(rotationKey, repId), pass + Math.max(1, Math.round(STRIDE_SCALE / weight)));
  await store.setCounter(`${rotationKey}:vt`, pass);
}

const calendars = new WeakMap<object, BusinessCalendar>();

/**
 * Whether a rep is inside their availability windows at `now` (working hours in their time zone,
 * not away). Reps without `availability` are always available.
 */
export function isAvailable(rep: Rep, now: string): boolean {
  const a = rep.availability;
  if (!a) return true;
  if (a.away?.some((p) => p.from <= now && now < p.to)) return false;
  if (!a.workingHours) return true;
  let cal = calendars.get(a);
  if (!cal) {
    cal = createCalendar({ id: `rep:${rep.id}`, timeZone: a.timeZone, workingHours: a.workingHours });
    calendars.set(a, cal);
  }
  return cal.isWorkingTime(now);
}
