import { DateTime } from 'luxon';
import { DealflowError } from '../errors.js';
import { type MinuteRange, type ParsedCalendar, parseDefinition } from './definition.js';
import { parseBusinessDuration } from './duration.js';
import type { BusinessCalendar, CalendarDefinition } from './types.js';

/** Working intervals of one local day, as epoch milliseconds `[start, end)`. */
type Interval = readonly [number, number];

/** Longest stretch (in days) searched for working time before giving up. */
const MAX_SCAN_DAYS = 3660;
const DAY_CACHE_LIMIT = 4096;

/**
 * Creates a business calendar (working hours per weekday in an IANA time zone, holidays,
 * make-up working days) for deadlines and the `businessDaysSince` operator. Validates the
 * definition (`INPUT_INVALID` naming the path).
 *
 * @example
 * ```ts
 * const berlin = createCalendar({
 *   id: 'berlin', timeZone: 'Europe/Berlin',
 *   workingHours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']],
 *                   thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
 *   holidays: ['2026-12-25'],
 * })
 * berlin.addBusinessTime('2026-11-27T15:00:00Z', 'PT3H') // '2026-11-30T10:00:00.000Z' (Fri 16:00 → Mon 11:00 local)
 * ```
 */
export function createCalendar(def: CalendarDefinition): BusinessCalendar {
  const parsed: ParsedCalendar = parseDefinition(def);
  const definition: CalendarDefinition = structuredClone(def);
  const zone = def.timeZone;
  const id = def.id;
  const workdaysPerWeek = parsed.weekly.filter((r) => r.length > 0).length;
  const dayCache = new Map<string, Interval[]>();

  const instant = (at: string | Date, what: string): number => {
    let ms = NaN;
    if (typeof at === 'string') {
      const dt = DateTime.fromISO(at, { zone: 'utc' });
      if (dt.isValid) ms = dt.toMillis();
    } else if (at instanceof Date) ms = at.getTime();
    if (Number.isNaN(ms)) {
      throw new DealflowError('INPUT_INVALID', `calendar '${id}': ${what} '${String(at)}' is not an ISO date-time`, {
        problems: [{ path: '$', message: 'expected an ISO-8601 date-time or a Date', value: String(at) }],
        details: { calendarId: id },
      });
    }
    return ms;
  };

  const dayOf = (ms: number): DateTime => DateTime.fromMillis(ms, { zone }).startOf('day');

  const rangesOn = (day: DateTime): MinuteRange[] => {
    const key = day.toISODate() as string;
    if (parsed.holidays.has(key)) return [];
    return parsed.workdays.get(key) ?? (parsed.weekly[day.weekday - 1] as MinuteRange[]);
  };

  const at = (day: DateTime, minute: number): number =>
    minute >= 1440
      ? day.plus({ days: 1 }).startOf('day').toMillis()
      : DateTime.fromObject(
          { year: day.year, month: day.month, day: day.day, hour: Math.floor(minute / 60), minute: minute % 60 },
          { zone },
        ).toMillis();

  const intervalsOn = (day: DateTime): Interval[] => {
    const key = day.toISODate() as string;
    let hit = dayCache.get(key);
    if (hit === undefined) {
      hit = rangesOn(day).map((r) => [at(day, r.start), at(day, r.end)] as const);
      if (dayCache.size >= DAY_CACHE_LIMIT) dayCache.clear();
      dayCache.set(key, hit);
    }
    return hit;
  };

  const noWorkingTime = (): never => {
    throw new DealflowError('INPUT_INVALID', `calendar '${id}': no working time within ${MAX_SCAN_DAYS} days`, {
      details: { calendarId: id },
    });
  };

  /** Earliest instant >= t inside working time. */
  const nextWorking = (t: number): number => {
    let day = dayOf(t);
    for (let i = 0; i < MAX_SCAN_DAYS; i++) {
      for (const [s, e] of intervalsOn(day)) if (e > t) return Math.max(s, t);
      day = day.plus({ days: 1 });
    }
    return noWorkingTime();
  };

  /** Latest instant <= t that ends working time or lies inside it (`(start, end]`). */
  const prevWorking = (t: number): number => {
    let day = dayOf(t);
    for (let i = 0; i < MAX_SCAN_DAYS; i++) {
      const list = intervalsOn(day);
      for (let j = list.length - 1; j >= 0; j--) {
        const [s, e] = list[j] as Interval;
        if (s < t) return Math.min(e, t);
      }
      day = day.minus({ days: 1 });
    }
    return noWorkingTime();
  };

  const isWorkingDay = (day: DateTime): boolean => rangesOn(day).length > 0;

  /** The instant (ms) on `day` at the local time of day of `local`, in the calendar's zone. */
  const sameTimeOfDay = (day: DateTime, local: DateTime): number =>
    DateTime.fromObject(
      {
        year: day.year,
        month: day.month,
        day: day.day,
        hour: local.hour,
        minute: local.minute,
        second: local.second,
        millisecond: local.millisecond,
      },
      { zone },
    ).toMillis();

  /** The same local time of day on the working day `n` working days after (or before) t's day. */
  const shiftWorkingDays = (t: number, n: number, direction: 1 | -1): number => {
    const local = DateTime.fromMillis(t, { zone });
    let day = local.startOf('day');
    let counted = 0;
    for (let i = 0; counted < n; i++) {
      if (i > MAX_SCAN_DAYS + n * 7) noWorkingTime();
      day = day.plus({ days: direction });
      if (isWorkingDay(day)) counted++;
    }
    return sameTimeOfDay(day, local);
  };

  const addMillis = (t: number, millis: number): number => {
    let remaining = millis;
    let day = dayOf(t);
    for (let i = 0; i < MAX_SCAN_DAYS + millis / 3_600_000; i++) {
      for (const [s, e] of intervalsOn(day)) {
        if (e <= t) continue;
        const from = Math.max(s, t);
        if (remaining <= e - from) return from + remaining;
        remaining -= e - from;
      }
      day = day.plus({ days: 1 });
    }
    return noWorkingTime();
  };

  const subtractMillis = (t: number, millis: number): number => {
    let remaining = millis;
    let day = dayOf(t);
    for (let i = 0; i < MAX_SCAN_DAYS + millis / 3_600_000; i++) {
      const list = intervalsOn(day);
      for (let j = list.length - 1; j >= 0; j--) {
        const [s, e] = list[j] as Interval;
        if (s >= t) continue;
        const to = Math.min(e, t);
        if (remaining <= to - s) return to - remaining;
        remaining -= to - s;
      }
      day = day.minus({ days: 1 });
    }
    return noWorkingTime();
  };

  const millisBetween = (from: number, to: number): number => {
    if (to < from) return -millisBetween(to, from);
    let total = 0;
    let day = dayOf(from);
    while (day.toMillis() < to) {
      for (const [s, e] of intervalsOn(day)) {
        const overlap = Math.min(e, to) - Math.max(s, from);
        if (overlap > 0) total += overlap;
      }
      day = day.plus({ days: 1 });
    }
    return total;
  };

  const iso = (ms: number): string => new Date(ms).toISOString();

  return {
    id,
    definition,
    isWorkingTime(atTime) {
      const t = instant(atTime, 'instant');
      return intervalsOn(dayOf(t)).some(([s, e]) => s <= t && t < e);
    },
    nextWorkingTime: (atTime) => iso(nextWorking(instant(atTime, 'instant'))),
    addBusinessTime(start, isoDuration) {
      const d = parseBusinessDuration(isoDuration, id);
      let t = nextWorking(instant(start, 'start'));
      const days = d.days + d.weeks * workdaysPerWeek;
      if (days > 0) t = nextWorking(shiftWorkingDays(t, days, 1));
      if (d.millis > 0) t = addMillis(t, d.millis);
      return iso(t);
    },
    subtractBusinessTime(end, isoDuration) {
      const d = parseBusinessDuration(isoDuration, id);
      let t = prevWorking(instant(end, 'end'));
      const days = d.days + d.weeks * workdaysPerWeek;
      if (days > 0) t = prevWorking(shiftWorkingDays(t, days, -1));
      if (d.millis > 0) t = subtractMillis(t, d.millis);
      return iso(t);
    },
    businessMillisBetween: (from, to) => millisBetween(instant(from, 'from'), instant(to, 'to')),
    businessDaysBetween(from, to) {
      const a = instant(from, 'from');
      const b = instant(to, 'to');
      if (b <= a) return 0;
      const t0 = nextWorking(a);
      let n = 0;
      // Walk working days one by one: day n+1 counts once its same-time-of-day instant has passed.
      const local = DateTime.fromMillis(t0, { zone });
      let day = local.startOf('day');
      const limit = Math.ceil((b - a) / 86_400_000) + 2;
      for (let i = 0; i <= limit; i++) {
        day = day.plus({ days: 1 });
        if (!isWorkingDay(day)) continue;
        const candidate = nextWorking(sameTimeOfDay(day, local));
        if (candidate > b) break;
        n++;
      }
      return n;
    },
  };
}
