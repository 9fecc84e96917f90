import type { BusinessCalendar, CalendarDefinition } from '@dealflow/core';
import type { KpiEvent } from './kpi.js';
import { workDays } from './work-days.js';

/** Options of {@link runningStreaks}. */
export interface RunningStreakOptions {
  /** The KPI counted (`activity.call`…, see `kpiEvents` of `@dealflow/forecast`). */
  metric: string;
  /** Events needed on a working day for it to count. */
  perDay: number;
  /** Now: events after it are ignored; today counts once it has `perDay` (until then it breaks nothing). */
  asOf: Date | number;
  /** The working days (the same calendar as the streak badge rule). */
  calendar?: BusinessCalendar | CalendarDefinition;
}

/**
 * Each rep's running streak: how many consecutive working days up to today had at least
 * `perDay` events of `metric`, the way the `streak` badges of `createMotivation` count them
 * (local days of the calendar; weekends and holidays neither count nor break a run; today, still
 * going, breaks nothing). Reps without a running streak are left out. `createMotivation` awards a
 * streak once it is long enough; this says how far each rep is now (a progress bar towards it).
 *
 * @example
 * ```ts
 * const events = kpiEvents({ records, history, stages })
 * runningStreaks(events, { metric: 'activity.call', perDay: 3, asOf: new Date() }).get('ana') // 2
 * ```
 */
export function runningStreaks(events: readonly KpiEvent[], options: RunningStreakOptions): Map<string, number> {
  const days = workDays(options.calendar);
  const asOfMs = typeof options.asOf === 'number' ? options.asOf : options.asOf.getTime();
  const today = days.dayOf(asOfMs);
  const perRep = new Map<string, Map<number, number>>();
  for (const e of events) {
    if (e.metric !== options.metric || e.atMs > asOfMs) continue;
    const day = days.dayOf(e.atMs);
    const counts = perRep.get(e.rep) ?? new Map<number, number>();
    counts.set(day, (counts.get(day) ?? 0) + 1);
    perRep.set(e.rep, counts);
  }
  const out = new Map<string, number>();
  for (const [rep, counts] of perRep) {
    const first = Math.min(...counts.keys());
    let run = 0;
    for (let day = today; day >= first; day--) {
      if (!days.isWorking(day)) continue;
      const met = (counts.get(day) ?? 0) >= options.perDay;
      if (met) run++;
      else if (day !== today) break; // today is not over yet
    }
    if (run > 0) out.set(rep, run);
  }
  return out;
}
