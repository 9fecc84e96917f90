import { DealflowError } from '@dealflow/core';

/** A Kaplan–Meier survival curve: S(t) = P(T > t). */
export interface SurvivalCurve {
  /** Distinct event times, ascending. */
  times: Float64Array;
  /** S just after each event time. */
  survival: Float64Array;
  /** S(t) for any t (1 before the first event). */
  at(t: number): number;
  /** Smallest t with S(t) ≤ 1 − q (the q-quantile of the time), or Infinity if never reached. */
  quantile(q: number): number;
}

/**
 * Kaplan–Meier estimate from durations and whether each ended in the event (`true`) or was
 * censored (`false`: still open, we only know it lasted at least that long). Censored at the same
 * time as an event count as still at risk at that event.
 *
 * @example
 * ```ts
 * kaplanMeier([2, 3, 3, 5], [true, false, true, true]).at(3) // 0.75 · (1 − 1/3) = 0.5
 * ```
 */
export function kaplanMeier(durations: ArrayLike<number>, events: ArrayLike<boolean>): SurvivalCurve {
  if (durations.length !== events.length) throw new DealflowError('INPUT_INVALID', `kaplanMeier: ${durations.length} durations but ${events.length} event flags`);
  const idx = Array.from({ length: durations.length }, (_, i) => i);
  for (const i of idx) if (!Number.isFinite(durations[i]!)) throw new DealflowError('INPUT_INVALID', `kaplanMeier: durations[${i}] is not a finite number`);
  // Sort by time; at equal times, events before censorings.
  idx.sort((a, b) => durations[a]! - durations[b]! || (events[a] === events[b] ? 0 : events[a] ? -1 : 1));
  const times: number[] = [];
  const surv: number[] = [];
  let atRisk = idx.length;
  let s = 1;
  let k = 0;
  while (k < idx.length) {
    const t = durations[idx[k]!]!;
    let d = 0, n = 0;
    while (k < idx.length && durations[idx[k]!] === t) {
      if (events[idx[k]!]) d++;
      n++;
      k++;
    }
    if (d > 0) {
      s *= 1 - d / atRisk;
      times.push(t);
      surv.push(s);
    }
    atRisk -= n;
  }
  const T = Float64Array.from(times);
  const S = Float64Array.from(surv);
  const at = (t: number): number => {
    let lo = 0, hi = T.length; // first index with T > t
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (T[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 1 : S[lo - 1]!;
  };
  const quantile = (q: number): number => {
    for (let i = 0; i < T.length; i++) if (S[i]! <= 1 - q + 1e-12) return T[i]!;
    return Number.POSITIVE_INFINITY;
  };
  return { times: T, survival: S, at, quantile };
}
