import { createCalendar, type BusinessCalendar, type CalendarDefinition } from '@dealflow/core';

const DAY = 86_400_000;

/**
 * Monday to Friday, all day, UTC: the streak calendar when none is given.
 *
 * @example
 * ```ts
 * createMotivation({ engine, stages, rules, calendar: WEEKDAYS_UTC })
 * ```
 */
export const WEEKDAYS_UTC: CalendarDefinition = {
  id: 'weekdays-utc',
  timeZone: 'UTC',
  workingHours: { mon: [['00:00', '24:00']], tue: [['00:00', '24:00']], wed: [['00:00', '24:00']], thu: [['00:00', '24:00']], fri: [['00:00', '24:00']] },
};

/**
 * Working days of a business calendar (`@dealflow/logic`, re-exported by core): local dates in the
 * calendar's time zone, numbered as days since 1970-01-01; a date is a working day when the
 * calendar has any working time in it (weekends and holidays have none; a make-up working day
 * 调休 has some).
 */
export interface WorkDays {
  /** The local date (as a day number) of an instant. */
  dayOf(ms: number): number;
  /** Whether the local date `day` (a day number) has any working time. */
  isWorking(day: number): boolean;
}

/**
 * {@link WorkDays} of a calendar, or of a calendar definition (validated by `createCalendar`).
 *
 * @example
 * ```ts
 * const days = workDays({ id: 'cn', timeZone: 'Asia/Shanghai', workingHours: { mon: [['09:00', '18:00']] } })
 * days.isWorking(days.dayOf(Date.parse('2026-03-09T02:00:00Z'))) // true: Monday in Shanghai
 * ```
 */
export function workDays(calendar: BusinessCalendar | CalendarDefinition = WEEKDAYS_UTC): WorkDays {
  const cal = 'businessMillisBetween' in calendar ? calendar : createCalendar(calendar);
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: cal.definition.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  /** Local wall-clock time of an instant, as if it were UTC (ms). */
  const wall = (ms: number): number => {
    const p: Record<string, number> = {};
    for (const part of fmt.formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
    return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  };
  /** The instant a local day starts (its UTC offset taken at local noon). */
  const startOf = (day: number): number => {
    const noon = day * DAY + DAY / 2;
    return day * DAY - (wall(noon) - noon);
  };
  const working = new Map<number, boolean>();
  return {
    dayOf: (ms) => Math.floor(wall(ms) / DAY),
    isWorking(day) {
      let w = working.get(day);
      if (w === undefined) working.set(day, (w = cal.businessMillisBetween(new Date(startOf(day)), new Date(startOf(day + 1))) > 0));
      return w;
    },
  };
}
