import { DateTime } from 'luxon';
import { DealflowError } from '@dealflow/logic';
import type { DeadlineRow, Storage, TaskQuery, TaskRow } from '../storage/types.js';

/** Filter of `engine.tasks` (all parts ANDed). */
export interface TasksFilter {
  /** The rep (or any of several reps) the tasks are for. */
  owner?: string | string[];
  /** Tasks of records of this team. */
  team?: string;
  /** Only open or only done tasks (default: both). */
  status?: 'open' | 'done';
  /** Due strictly before this time (ISO or Date); undated tasks are left out when set. */
  dueBefore?: string | Date;
  /** Due at or after this time (ISO or Date); undated tasks are left out when set. */
  dueAfter?: string | Date;
  /** Tasks of records of this type (`deal`, `lead`…). */
  recordType?: string;
  /** `task` or `date` (an agenda date field such as a next contact date). */
  kind?: string;
  /** At most this many (default and maximum 5000). */
  limit?: number;
}

/** A rep's day (`engine.agenda`). */
export interface Agenda {
  /** The rep whose day it is. */
  repId: string;
  /** The day, `YYYY-MM-DD`, in `timeZone`. */
  day: string;
  /** The IANA time zone the day's bounds are taken in. */
  timeZone: string;
  /** Open tasks due before the day began. */
  overdue: TaskRow[];
  /** Open tasks due during the day. */
  dueToday: TaskRow[];
  /** Agenda date fields (next contact dates…) falling on the day. */
  dates: TaskRow[];
  /** Records whose stage deadline falls on the day. */
  deadlines: DeadlineRow[];
}

function isoOf(v: string | Date, what: string): string {
  const d = typeof v === 'string' ? new Date(v) : v;
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new DealflowError('INPUT_INVALID', `${what} must be an ISO date-time, got ${JSON.stringify(v)}`);
  return d.toISOString();
}

/** The store query of a {@link TasksFilter}. */
export function taskQueryOf(filter: TasksFilter): TaskQuery {
  if (typeof filter !== 'object' || filter === null) throw new DealflowError('INPUT_INVALID', 'tasks: filter must be an object');
  const q: TaskQuery = {};
  if (filter.owner !== undefined) q.ownerId = filter.owner;
  if (filter.team !== undefined) q.teamId = filter.team;
  if (filter.status !== undefined) {
    if (filter.status !== 'open' && filter.status !== 'done') throw new DealflowError('INPUT_INVALID', `tasks: status must be 'open' or 'done', got '${String(filter.status)}'`);
    q.status = filter.status;
  }
  if (filter.dueBefore !== undefined) q.dueBefore = isoOf(filter.dueBefore, 'tasks: dueBefore');
  if (filter.dueAfter !== undefined) q.dueAfter = isoOf(filter.dueAfter, 'tasks: dueAfter');
  if (filter.recordType !== undefined) q.recordType = filter.recordType;
  if (filter.kind !== undefined) q.kind = filter.kind;
  if (filter.limit !== undefined) q.limit = filter.limit;
  return q;
}

/** `[start, end)` of a day in a time zone, as ISO UTC instants. */
export function dayRange(day: string | Date, timeZone: string): { day: string; start: string; end: string } {
  const start = typeof day === 'string'
    ? DateTime.fromISO(day.slice(0, 10), { zone: timeZone })
    : DateTime.fromJSDate(day, { zone: timeZone }).startOf('day');
  if (!start.isValid) throw new DealflowError('INPUT_INVALID', `agenda: '${String(day)}' is not a day (YYYY-MM-DD) in time zone '${timeZone}'`);
  return { day: start.toISODate()!, start: start.toUTC().toISO()!, end: start.plus({ days: 1 }).toUTC().toISO()! };
}

/**
 * A rep's day from the store's indexes: open tasks overdue and due that day, agenda dates on the
 * day, and records whose stage deadline falls on it. Three index range reads; never a scan.
 */
export async function agendaOf(storage: Storage, tenantId: string, repId: string, day: string | Date, timeZone: string): Promise<Agenda> {
  if (typeof repId !== 'string' || repId.length === 0) throw new DealflowError('INPUT_INVALID', 'agenda: the rep must be an actor or a rep id');
  const range = dayRange(day, timeZone);
  const [tasks, dates, deadlines] = await Promise.all([
    storage.queryTasks(tenantId, { ownerId: repId, status: 'open', kind: 'task', dueBefore: range.end }),
    storage.queryTasks(tenantId, { ownerId: repId, status: 'open', kind: 'date', dueAfter: range.start, dueBefore: range.end }),
    storage.queryDeadlines(tenantId, { ownerId: repId, dueAfter: range.start, dueBefore: range.end }),
  ]);
  return {
    repId,
    day: range.day,
    timeZone,
    overdue: tasks.filter((t) => t.dueAt! < range.start),
    dueToday: tasks.filter((t) => t.dueAt! >= range.start),
    dates,
    deadlines,
  };
}
