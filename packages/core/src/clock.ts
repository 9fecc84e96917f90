import { DateTime, Duration } from 'luxon';
import { DealflowError } from '@dealflow/logic';

/** Where the engine reads the time. Inject a manual clock in tests to move time deterministically. */
export interface Clock {
  /** The current time; the engine stamps every record, history event and timer with it. */
  now(): Date;
}

/**
 * The real clock (`new Date()`), the engine's default.
 *
 * @example
 * ```ts
 * createEngine({ storage, blueprints, clock: systemClock })
 * ```
 */
export const systemClock: Clock = { now: () => new Date() };

/** A clock tests move by hand. */
export interface ManualClock extends Clock {
  /** Sets the time (ISO string or Date). */
  set(time: string | Date): void;
  /** Moves the time forward by an ISO duration (`PT4H`) or milliseconds. */
  advance(by: string | number): Date;
}

/**
 * A clock that only moves when told to.
 *
 * @example
 * ```ts
 * const clock = createManualClock('2026-01-05T09:00:00Z')
 * clock.advance('P3D')
 * const engine = createEngine({ storage, blueprints, clock })
 * ```
 */
export function createManualClock(start: string | Date = '2026-01-05T09:00:00.000Z'): ManualClock {
  let t = toMillis(start);
  return {
    now: () => new Date(t),
    set(time) {
      t = toMillis(time);
    },
    advance(by) {
      if (typeof by === 'number') t += by;
      else {
        const d = Duration.fromISO(by);
        if (!d.isValid) throw new DealflowError('INPUT_INVALID', `clock.advance: '${by}' is not an ISO-8601 duration`);
        t = DateTime.fromMillis(t, { zone: 'utc' }).plus(d).toMillis();
      }
      return new Date(t);
    },
  };
}

function toMillis(time: string | Date): number {
  const ms = typeof time === 'string' ? Date.parse(time) : time.getTime();
  if (Number.isNaN(ms)) throw new DealflowError('INPUT_INVALID', `invalid time '${String(time)}'`);
  return ms;
}
