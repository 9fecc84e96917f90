import type { HistoryEvent } from '@dealflow/core';
import { DealflowError } from '@dealflow/core';
import type { Period } from '../data/options.js';
import { periodMs } from './input.js';

/** Activity types counted by {@link activityReport} (those of `engine.logActivity`). */
const COUNTED = ['call', 'email', 'meeting', 'visit', 'note'] as const;

/** Options of {@link activityReport}. */
export interface ActivityReportOptions {
  /** History events of the records (activities are `kind: 'activity'`, finished tasks `kind: 'task_done'`). */
  history: readonly HistoryEvent[];
  /** Bucket size: a calendar day, or an ISO week (Monday to Sunday) named by its Monday. */
  by: 'day' | 'week';
  /** Only what happened in `[from, to)`; with a period every rep gets a row for every bucket, zeros included. */
  period?: Period;
  /** IANA time zone the days are counted in (default `UTC`). */
  timeZone?: string;
  /** Only these reps (default: every rep with an activity or finished task). */
  reps?: readonly string[];
}

/** One rep's activity in one day or week. */
export interface ActivityReportRow {
  /** The rep who logged the activities. */
  repId: string;
  /** The day (`YYYY-MM-DD`), or the Monday of the week, in `timeZone`. */
  bucket: string;
  /** Activities of type `call`. */
  calls: number;
  /** Activities of type `email`. */
  emails: number;
  /** Activities of type `meeting`. */
  meetings: number;
  /** Activities of type `visit`. */
  visits: number;
  /** Activities of type `note`. */
  notes: number;
  /** Activities of every type. */
  total: number;
  /** Tasks the rep marked done. */
  tasksCompleted: number;
}

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of an instant in a time zone. */
function dayKey(format: Intl.DateTimeFormat, ms: number): string {
  return format.format(new Date(ms)); // en-CA formats as YYYY-MM-DD
}

/** The Monday of the ISO week a `YYYY-MM-DD` day falls in. */
function mondayOf(day: string): string {
  const ms = Date.parse(`${day}T00:00:00Z`);
  const weekday = (new Date(ms).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return new Date(ms - weekday * DAY_MS).toISOString().slice(0, 10);
}

function emptyRow(repId: string, bucket: string): ActivityReportRow {
  return { repId, bucket, calls: 0, emails: 0, meetings: 0, visits: 0, notes: 0, total: 0, tasksCompleted: 0 };
}

/**
 * A per-rep activity report by day or week: calls, e-mails, meetings, visits and notes each rep
 * logged (by the activity's own time and author), and the tasks they finished. Rows are sorted by
 * rep, then bucket.
 *
 * @example
 * ```ts
 * const history = (await Promise.all(records.map((r) => engine.history(r.id)))).flat()
 * activityReport({ history, by: 'week', timeZone: 'Europe/Berlin', period: { from: '2026-03-02', to: '2026-03-30' } })
 * // [{ repId: 'ann', bucket: '2026-03-02', calls: 14, emails: 9, meetings: 3, visits: 0, notes: 2, total: 28, tasksCompleted: 11 }, …]
 * ```
 */
export function activityReport(options: ActivityReportOptions): ActivityReportRow[] {
  const timeZone = options.timeZone ?? 'UTC';
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  } catch (e) {
    throw new DealflowError('INPUT_INVALID', `activityReport: unknown time zone '${timeZone}'`, { cause: e });
  }
  if (options.by !== 'day' && options.by !== 'week') throw new DealflowError('INPUT_INVALID', `activityReport: by must be 'day' or 'week', got '${String(options.by)}'`);
  const { from, to } = periodMs(options.period);
  const bucketOf = (ms: number) => (options.by === 'day' ? dayKey(format, ms) : mondayOf(dayKey(format, ms)));
  const only = options.reps ? new Set(options.reps) : undefined;
  const rows = new Map<string, ActivityReportRow>();
  const rowOf = (rep: string, bucket: string) => {
    const key = `${rep}\u0000${bucket}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = emptyRow(rep, bucket)));
    return row;
  };
  const reps = new Set<string>(options.reps ?? []);
  for (const e of options.history) {
    if (e.kind === 'activity') {
      const a = e.data.activity as { type?: string; at?: string; authorId?: string } | undefined;
      const rep = a?.authorId ?? e.actorId ?? null;
      const ms = Date.parse(a?.at ?? e.at);
      if (rep === null || !Number.isFinite(ms) || ms < from || ms >= to || (only && !only.has(rep))) continue;
      reps.add(rep);
      const row = rowOf(rep, bucketOf(ms));
      row.total++;
      switch (a?.type as (typeof COUNTED)[number] | undefined) {
        case 'call': row.calls++; break;
        case 'email': row.emails++; break;
        case 'meeting': row.meetings++; break;
        case 'visit': row.visits++; break;
        case 'note': row.notes++; break;
      }
    } else if (e.kind === 'task_done') {
      const rep = e.actorId ?? null;
      const ms = Date.parse(e.at);
      if (rep === null || ms < from || ms >= to || (only && !only.has(rep))) continue;
      reps.add(rep);
      rowOf(rep, bucketOf(ms)).tasksCompleted++;
    }
  }
  if (options.period) {
    // every bucket of the period for every rep, zeros included (a chart's x axis)
    const buckets = new Set<string>();
    for (let ms = from; ms < to; ms += DAY_MS / 2) buckets.add(bucketOf(ms));
    buckets.add(bucketOf(to - 1));
    for (const rep of reps) for (const b of buckets) rowOf(rep, b);
  }
  return [...rows.values()].sort((a, b) => (a.repId < b.repId ? -1 : a.repId > b.repId ? 1 : a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0));
}
