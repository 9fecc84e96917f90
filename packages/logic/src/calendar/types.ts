/** Day keys of {@link CalendarDefinition.workingHours}. */
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** A local time range `['09:00', '17:00']`; the end may be `'24:00'`. */
export type TimeRange = [string, string];

/** A business calendar as data (JSON-friendly). */
export interface CalendarDefinition {
  /** The name blueprints and rules use for this calendar (`businessTime: 'office'`). */
  id: string;
  /** IANA time zone, e.g. `Europe/Berlin`. */
  timeZone: string;
  /** Working hours per weekday, e.g. `{ mon: [['09:00','12:00'],['13:00','17:00']] }`. */
  workingHours: Partial<Record<Weekday, TimeRange[]>>;
  /** Local dates `YYYY-MM-DD` that are not worked. */
  holidays?: string[];
  /** Make-up working days (调休); a bare date works Monday's hours. */
  workdays?: Array<string | {
    /** The local date `YYYY-MM-DD` that is worked. */
    date: string;
    /** Its working hours. */
    hours: TimeRange[];
  }>;
}

/** Business-time maths on one calendar. Instants are ISO strings or `Date`s; results are ISO UTC. */
export interface BusinessCalendar {
  /** The calendar's id (from its definition). */
  readonly id: string;
  /** The definition it was created from. */
  readonly definition: CalendarDefinition;
  /** Whether `at` falls inside working hours on a working day. */
  isWorkingTime(at: string | Date): boolean;
  /** Next instant >= at that is working time. */
  nextWorkingTime(at: string | Date): string;
  /** Adds an ISO-8601 duration in business time; returns ISO UTC string. Day parts count working
   * days (same local time-of-day on the Nth next working day, after first moving to working time),
   * hour/minute/second parts count working time inside working hours. */
  addBusinessTime(start: string | Date, isoDuration: string): string;
  /** Subtracts (for reminders before a due time). */
  subtractBusinessTime(end: string | Date, isoDuration: string): string;
  /** Working time between two instants, in milliseconds (0 if to <= from). */
  businessMillisBetween(from: string | Date, to: string | Date): number;
  /** Whole working days elapsed between two instants (0 if to <= from). */
  businessDaysBetween(from: string | Date, to: string | Date): number;
}
