import { DAY_MS, toMs } from '../data/time.js';
import { kaplanMeier, type SurvivalCurve } from '../stats/survival.js';
import { prepareReport, type ReportInput } from '../reports/input.js';

/** Result of {@link timeToClose}. */
export interface TimeToClose {
  /** Kaplan–Meier curve of days from creation to close (any outcome). */
  curve: SurvivalCurve;
  /** Median days to close (Infinity if fewer than half ever close). */
  medianDays: number;
  /** Deals closed by `asOf`. */
  closed: number;
  /** Deals still open at `asOf` (known only to have lasted their age so far). */
  censored: number;
}

/**
 * Time to close from history with open deals treated as censored (survival analysis): deals still
 * open at `asOf` only tell us they lasted at least their age, which a plain median of closed deals
 * ignores (and so underestimates cycle length).
 *
 * @example
 * ```ts
 * timeToClose({ records, history, stages, asOf: '2017-06-30T00:00:00Z' }).medianDays
 * ```
 */
export function timeToClose(input: ReportInput & { asOf?: string | Date }): TimeToClose {
  const data = prepareReport(input);
  const asMs = input.asOf === undefined ? Date.now() : toMs(input.asOf, 'asOf');
  const durations: number[] = [];
  const events: boolean[] = [];
  data.timelines.forEach((t, i) => {
    if (t.createdMs > asMs) return;
    const c = data.closes[i];
    const closed = !!c && c.atMs <= asMs;
    durations.push(((closed ? c.atMs : asMs) - t.createdMs) / DAY_MS);
    events.push(closed);
  });
  const curve = kaplanMeier(durations, events);
  const closed = events.filter(Boolean).length;
  return { curve, medianDays: curve.quantile(0.5), closed, censored: events.length - closed };
}
