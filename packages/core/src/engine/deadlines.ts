import { DateTime, Duration } from 'luxon';
import { DealflowError } from '@dealflow/logic';
import type { Blueprint } from '../blueprint/define.js';
import type { StoredRecord, TimerRecord } from '../storage/types.js';
import type { EngineCore } from './core.js';

/** Timer kinds the engine schedules for stage deadlines. */
export const STAGE_TIMER_KINDS = ['breach', 'reminder'];

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

const fixed = new Map<string, number | null>();

/**
 * The length of an ISO duration in milliseconds when it has a fixed length in UTC (weeks, days,
 * hours, minutes, seconds: a UTC day is always 24 hours), else null (months and years vary).
 * Parsed once per duration text (deadlines name a few durations, used on every stage change).
 */
function fixedMillis(duration: string): number | null {
  let ms = fixed.get(duration);
  if (ms === undefined) {
    const d = Duration.fromISO(duration);
    ms = d.isValid && d.years === 0 && d.quarters === 0 && d.months === 0 ? d.as('milliseconds') : null;
    if (ms !== null && !Number.isFinite(ms)) ms = null;
    if (fixed.size < 1000) fixed.set(duration, ms);
  }
  return ms;
}

/** `start + duration`, in business time on a calendar when given, else in wall-clock time (UTC). */
export function addDuration(core: EngineCore, start: string, duration: string, calendarId?: string): string {
  if (calendarId) return iso(Date.parse(calendar(core, calendarId).addBusinessTime(start, duration)));
  const ms = fixedMillis(duration);
  if (ms !== null) return iso(Date.parse(start) + ms);
  return iso(DateTime.fromISO(start, { zone: 'utc' }).plus(Duration.fromISO(duration)).toMillis());
}

/** `end - duration`, in business time on a calendar when given. */
export function subtractDuration(core: EngineCore, end: string, duration: string, calendarId?: string): string {
  if (calendarId) return iso(Date.parse(calendar(core, calendarId).subtractBusinessTime(end, duration)));
  const ms = fixedMillis(duration);
  if (ms !== null) return iso(Date.parse(end) - ms);
  return iso(DateTime.fromISO(end, { zone: 'utc' }).minus(Duration.fromISO(duration)).toMillis());
}

function calendar(core: EngineCore, id: string) {
  const c = core.calendars.get(id);
  if (!c) throw new DealflowError('NOT_FOUND', `business calendar '${id}' is not known to the engine`, { details: { calendarId: id } });
  return c;
}

/**
 * The timers for a record that just entered its stage: a breach at `stageEnteredAt + within`
 * (business time when `businessTime` names a calendar) and one reminder per `remindBefore`.
 * Reminders already due at entry are skipped.
 */
export function stageTimers(core: EngineCore, bp: Blueprint, record: StoredRecord): TimerRecord[] {
  const deadline = bp.stages.get(record.stage)?.deadline;
  if (!deadline) return [];
  const entered = record.stageEnteredAt;
  const dueAt = addDuration(core, entered, deadline.within, deadline.businessTime);
  const base = {
    tenantId: record.tenantId,
    recordId: record.id,
    stage: record.stage,
    recordVersion: record.version,
    status: 'pending' as const,
    leaseOwner: null,
    leaseUntil: null,
    attempts: 0,
    createdAt: entered,
    finishedAt: null,
    outcome: null,
  };
  const timers: TimerRecord[] = [
    {
      ...base,
      id: `${record.id}:${record.version}:breach`,
      kind: 'breach',
      key: `deadline:${record.stage}`,
      dueAt,
      event: deadline.onBreach,
      payload: { within: deadline.within, businessTime: deadline.businessTime ?? null },
    },
  ];
  (deadline.remindBefore ?? []).forEach((before, i) => {
    const at = subtractDuration(core, dueAt, before, deadline.businessTime);
    if (at <= entered) return;
    timers.push({
      ...base,
      id: `${record.id}:${record.version}:reminder:${i}`,
      kind: 'reminder',
      key: `reminder:${record.stage}:${i}`,
      dueAt: at,
      event: 'reminder',
      payload: { before, deadline: dueAt },
    });
  });
  return timers;
}
