import { DateTime, IANAZone } from 'luxon';
import { DealflowError, type Problem } from '../errors.js';
import type { CalendarDefinition, TimeRange, Weekday } from './types.js';

/** Weekday keys in luxon's order (`weekday` 1 = Monday). */
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** A working range as minutes from local midnight, end exclusive (`24:00` is 1440). */
export interface MinuteRange {
  start: number;
  end: number;
}

/** A definition checked and turned into lookup tables. */
export interface ParsedCalendar {
  weekly: MinuteRange[][];
  holidays: Set<string>;
  workdays: Map<string, MinuteRange[]>;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Checks a definition; throws `INPUT_INVALID` listing every problem with its path. */
export function parseDefinition(def: CalendarDefinition): ParsedCalendar {
  const problems: Problem[] = [];
  const add = (path: string, message: string, value?: unknown): void => {
    problems.push({ path, message, ...(value === undefined ? {} : { value }) });
  };
  if (typeof def !== 'object' || def === null) {
    throw new DealflowError('INPUT_INVALID', 'calendar definition must be an object', {
      problems: [{ path: '$', message: 'expected an object' }],
    });
  }
  const id = typeof def.id === 'string' && def.id !== '' ? def.id : '?';
  if (id === '?') add('$.id', 'calendar id must be a non-empty string', def.id);
  if (typeof def.timeZone !== 'string' || !IANAZone.isValidZone(def.timeZone)) {
    add('$.timeZone', `calendar '${id}': '${String(def.timeZone)}' is not an IANA time zone`, def.timeZone);
  }

  const ranges = (value: unknown, path: string): MinuteRange[] => {
    if (!Array.isArray(value)) {
      add(path, `calendar '${id}': expected a list of ['HH:MM', 'HH:MM'] ranges`, value);
      return [];
    }
    const out: MinuteRange[] = [];
    value.forEach((r, i) => {
      const p = `${path}[${i}]`;
      if (!Array.isArray(r) || r.length !== 2) {
        add(p, `calendar '${id}': a range is ['HH:MM', 'HH:MM']`, r);
        return;
      }
      const [a, b] = r as TimeRange;
      const start = minutes(a);
      const end = minutes(b);
      if (start === undefined || start === 1440) add(`${p}[0]`, `calendar '${id}': '${String(a)}' is not a time HH:MM`, a);
      if (end === undefined) add(`${p}[1]`, `calendar '${id}': '${String(b)}' is not a time HH:MM (or 24:00)`, b);
      if (start === undefined || end === undefined || start === 1440) return;
      if (end <= start) {
        add(p, `calendar '${id}': range ${a}–${b} ends before it starts`, r);
        return;
      }
      out.push({ start, end });
    });
    out.sort((x, y) => x.start - y.start);
    for (let i = 1; i < out.length; i++) {
      if ((out[i] as MinuteRange).start < (out[i - 1] as MinuteRange).end) add(path, `calendar '${id}': ranges overlap`, value);
    }
    return out;
  };

  const weekly: MinuteRange[][] = WEEKDAYS.map(() => []);
  if (typeof def.workingHours !== 'object' || def.workingHours === null) {
    add('$.workingHours', `calendar '${id}': workingHours must be an object`, def.workingHours);
  } else {
    for (const [key, value] of Object.entries(def.workingHours)) {
      const index = WEEKDAYS.indexOf(key as Weekday);
      if (index === -1) {
        add(`$.workingHours.${key}`, `calendar '${id}': '${key}' is not a weekday (mon … sun)`);
        continue;
      }
      weekly[index] = ranges(value, `$.workingHours.${key}`);
    }
    if (weekly.every((r) => r.length === 0)) add('$.workingHours', `calendar '${id}': no weekday has working hours`);
  }

  const isDate = (d: unknown): d is string => typeof d === 'string' && DATE.test(d) && DateTime.fromISO(d).isValid;
  const holidays = new Set<string>();
  if (def.holidays !== undefined) {
    if (!Array.isArray(def.holidays)) add('$.holidays', `calendar '${id}': holidays must be a list of dates`);
    else
      def.holidays.forEach((d, i) => {
        if (isDate(d)) holidays.add(d);
        else add(`$.holidays[${i}]`, `calendar '${id}': '${String(d)}' is not a date YYYY-MM-DD`, d);
      });
  }
  const workdays = new Map<string, MinuteRange[]>();
  if (def.workdays !== undefined) {
    if (!Array.isArray(def.workdays)) add('$.workdays', `calendar '${id}': workdays must be a list`);
    else
      def.workdays.forEach((w, i) => {
        const p = `$.workdays[${i}]`;
        const date = typeof w === 'string' ? w : typeof w === 'object' && w !== null ? w.date : undefined;
        if (!isDate(date)) {
          add(typeof w === 'string' ? p : `${p}.date`, `calendar '${id}': '${String(date)}' is not a date YYYY-MM-DD`, date);
          return;
        }
        if (holidays.has(date)) {
          add(p, `calendar '${id}': ${date} is both a holiday and a working day`, date);
          return;
        }
        const hours = typeof w === 'string' ? (weekly[0] as MinuteRange[]) : ranges(w.hours, `${p}.hours`);
        if (typeof w === 'string' && hours.length === 0) {
          add(p, `calendar '${id}': ${date} would work Monday's hours, but Monday has none; give hours`, w);
        }
        workdays.set(date, hours);
      });
  }
  if (problems.length > 0) {
    const first = problems[0] as Problem;
    throw new DealflowError('INPUT_INVALID', `invalid calendar '${id}' at ${first.path}: ${first.message}`, {
      problems,
      details: { calendarId: id },
    });
  }
  return { weekly, holidays, workdays };
}

function minutes(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TIME.exec(value);
  if (m === null) return undefined;
  if (value === '24:00') return 1440;
  return Number(m[1]) * 60 + Number(m[2]);
}
