import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CalendarDefinition, createCalendar, isDealflowError } from '../src/index.js';

const split: Array<[string, string]> = [
  ['09:00', '12:00'],
  ['13:00', '17:00'],
];
// Berlin: Mon–Fri 09–12 and 13–17 (7 working hours a day). CET = UTC+1 in winter, CEST = UTC+2
// from Sunday 2026-03-29. Christmas Day 2026 is a Friday.
const berlinDef: CalendarDefinition = {
  id: 'berlin',
  timeZone: 'Europe/Berlin',
  workingHours: { mon: split, tue: split, wed: split, thu: split, fri: split },
  holidays: ['2026-12-25'],
};
const berlin = createCalendar(berlinDef);

// Shanghai (UTC+8, no DST): Mon–Fri 09–18. National-day style holidays Thu 10-01 and Fri 10-02,
// made up by working Saturday 10-10 (Monday's hours) and Sunday 10-11 morning (10–12).
const nineToSix: Array<[string, string]> = [['09:00', '18:00']];
const shanghai = createCalendar({
  id: 'shanghai',
  timeZone: 'Asia/Shanghai',
  workingHours: { mon: nineToSix, tue: nineToSix, wed: nineToSix, thu: nineToSix, fri: nineToSix },
  holidays: ['2026-10-01', '2026-10-02'],
  workdays: ['2026-10-10', { date: '2026-10-11', hours: [['10:00', '12:00']] }],
});

describe('createCalendar: weekends and lunch breaks', () => {
  it('carries working time over the weekend', () => {
    // Fri 16:00 local (15:00Z) + 3h: Fri 16–17 (1h), Mon 09–11 (2h) → Mon 11:00 local = 10:00Z.
    expect(berlin.addBusinessTime('2026-11-27T15:00:00Z', 'PT3H')).toBe('2026-11-30T10:00:00.000Z');
  });

  it('skips the lunch break', () => {
    // Mon 11:30 local + 1h: 11:30–12:00 (30m), 13:00–13:30 (30m) → 13:30 local = 12:30Z.
    expect(berlin.addBusinessTime('2026-11-30T10:30:00Z', 'PT1H')).toBe('2026-11-30T12:30:00.000Z');
  });

  it('ends exactly at closing time rather than next morning', () => {
    // Mon 16:00 local + 1h → 17:00 local = 16:00Z.
    expect(berlin.addBusinessTime('2026-11-30T15:00:00Z', 'PT1H')).toBe('2026-11-30T16:00:00.000Z');
  });

  it('moves to working time first, then counts', () => {
    // Sat 10:00 local → Mon 09:00; + 30 minutes → Mon 09:30 local = 08:30Z.
    expect(berlin.nextWorkingTime('2026-11-28T09:00:00Z')).toBe('2026-11-30T08:00:00.000Z');
    expect(berlin.addBusinessTime('2026-11-28T09:00:00Z', 'PT30M')).toBe('2026-11-30T08:30:00.000Z');
  });

  it('counts day parts as working days at the same local time', () => {
    // Fri 10:00 local + 1 working day → Mon 10:00 local = 09:00Z; + P1DT1H → Mon 11:00 = 10:00Z.
    expect(berlin.addBusinessTime('2026-11-27T09:00:00Z', 'P1D')).toBe('2026-11-30T09:00:00.000Z');
    expect(berlin.addBusinessTime('2026-11-27T09:00:00Z', 'P1DT1H')).toBe('2026-11-30T10:00:00.000Z');
    // A week is as many working days as the calendar works per week (5): Fri → next Fri.
    expect(berlin.addBusinessTime('2026-11-27T09:00:00Z', 'P1W')).toBe('2026-12-04T09:00:00.000Z');
  });

  it('tells working time apart', () => {
    expect(berlin.isWorkingTime('2026-11-30T08:00:00Z')).toBe(true); // Mon 09:00 local
    expect(berlin.isWorkingTime('2026-11-30T11:30:00Z')).toBe(false); // Mon 12:30 local, lunch
    expect(berlin.isWorkingTime('2026-11-30T16:00:00Z')).toBe(false); // Mon 17:00 local, closed
    expect(berlin.isWorkingTime('2026-11-28T10:00:00Z')).toBe(false); // Saturday
  });

  it('subtracts for reminders before a due time', () => {
    // Mon 10:00 local − 2h: Mon 09–10 (1h), Fri 16–17 (1h) → Fri 16:00 local = 15:00Z.
    expect(berlin.subtractBusinessTime('2026-11-30T09:00:00Z', 'PT2H')).toBe('2026-11-27T15:00:00.000Z');
    // Mon 10:00 local − 1 working day → Fri 10:00 local = 09:00Z.
    expect(berlin.subtractBusinessTime('2026-11-30T09:00:00Z', 'P1D')).toBe('2026-11-27T09:00:00.000Z');
    // Mon 09:00 local − 1h: nothing on Monday before 09:00 → Fri 16:00 local.
    expect(berlin.subtractBusinessTime('2026-11-30T08:00:00Z', 'PT1H')).toBe('2026-11-27T15:00:00.000Z');
  });

  it('measures business time and whole business days', () => {
    // Fri 16:00 → Mon 11:00 local: 1h + 2h.
    expect(berlin.businessMillisBetween('2026-11-27T15:00:00Z', '2026-11-30T10:00:00Z')).toBe(3 * 3_600_000);
    expect(berlin.businessMillisBetween('2026-11-30T10:00:00Z', '2026-11-27T15:00:00Z')).toBe(-3 * 3_600_000);
    // Fri 10:00 → Tue 10:00 local: Mon 10:00 and Tue 10:00 have been reached → 2.
    expect(berlin.businessDaysBetween('2026-11-27T09:00:00Z', '2026-12-01T09:00:00Z')).toBe(2);
    // … one minute earlier, Tuesday's has not → 1.
    expect(berlin.businessDaysBetween('2026-11-27T09:00:00Z', '2026-12-01T08:59:00Z')).toBe(1);
    // Sat noon → Tue 08:00 local: counting starts Mon 09:00; Tue 09:00 not reached → 0.
    expect(berlin.businessDaysBetween('2026-11-28T11:00:00Z', '2026-12-01T07:00:00Z')).toBe(0);
    expect(berlin.businessDaysBetween('2026-12-01T09:00:00Z', '2026-11-27T09:00:00Z')).toBe(0);
  });
});

describe('createCalendar: holidays', () => {
  it('skips a holiday and the weekend after it', () => {
    // Thu 12-24 16:00 local + 1 working day: Fri 12-25 holiday, Sat, Sun → Mon 12-28 16:00 = 15:00Z.
    expect(berlin.addBusinessTime('2026-12-24T15:00:00Z', 'P1D')).toBe('2026-12-28T15:00:00.000Z');
    // Thu 12-24 16:30 local + 1h: Thu 16:30–17:00 (30m), Mon 12-28 09:00–09:30 → 08:30Z.
    expect(berlin.addBusinessTime('2026-12-24T15:30:00Z', 'PT1H')).toBe('2026-12-28T08:30:00.000Z');
    expect(berlin.isWorkingTime('2026-12-25T09:00:00Z')).toBe(false);
  });
});

describe('createCalendar: daylight saving time', () => {
  it('counts working hours across the spring change in local time', () => {
    // Fri 2026-03-27 16:00 CET (15:00Z) + 2h: Fri 16–17 (1h), Mon 03-30 09–10 CEST → 10:00 CEST = 08:00Z.
    expect(berlin.addBusinessTime('2026-03-27T15:00:00Z', 'PT2H')).toBe('2026-03-30T08:00:00.000Z');
    // Fri 10:00 CET (09:00Z) + 1 working day → Mon 10:00 CEST = 08:00Z (same local time, new offset).
    expect(berlin.addBusinessTime('2026-03-27T09:00:00Z', 'P1D')).toBe('2026-03-30T08:00:00.000Z');
  });

  it('a 24-hour calendar has a 23-hour day when clocks go forward', () => {
    const allDay: Array<[string, string]> = [['00:00', '24:00']];
    const always = createCalendar({
      id: 'always',
      timeZone: 'Europe/Berlin',
      workingHours: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay },
    });
    // Sat 03-28 12:00 CET (11:00Z) → Sun 03-29 12:00 CEST (10:00Z): 23 real hours.
    expect(always.businessMillisBetween('2026-03-28T11:00:00Z', '2026-03-29T10:00:00Z')).toBe(23 * 3_600_000);
    expect(always.addBusinessTime('2026-03-28T11:00:00Z', 'PT23H')).toBe('2026-03-29T10:00:00.000Z');
  });
});

describe('createCalendar: make-up working days (调休)', () => {
  it('works a make-up Saturday with Monday hours and a Sunday with its own hours', () => {
    // Sat 10-10 10:00 local (02:00Z) is working time; the next Saturday is not.
    expect(shanghai.isWorkingTime('2026-10-10T02:00:00Z')).toBe(true);
    expect(shanghai.isWorkingTime('2026-10-17T02:00:00Z')).toBe(false);
    // Fri 10-09 17:00 local (09:00Z) + 2h: Fri 17–18 (1h), Sat 09–10 (1h) → Sat 10:00 = 02:00Z.
    expect(shanghai.addBusinessTime('2026-10-09T09:00:00Z', 'PT2H')).toBe('2026-10-10T02:00:00.000Z');
    // Sat 17:00 local (09:00Z) + 2h: Sat 17–18 (1h), Sun 10–11 (1h) → Sun 11:00 = 03:00Z.
    expect(shanghai.addBusinessTime('2026-10-10T09:00:00Z', 'PT2H')).toBe('2026-10-11T03:00:00.000Z');
  });

  it('skips the holidays it makes up for', () => {
    // Wed 09-30 10:00 local (02:00Z) + 1 working day: Thu, Fri holidays, Sat 10-03 and Sun
    // 10-04 are plain weekend days → Mon 10-05 10:00 = 02:00Z.
    expect(shanghai.addBusinessTime('2026-09-30T02:00:00Z', 'P1D')).toBe('2026-10-05T02:00:00.000Z');
  });
});

describe('createCalendar: validation', () => {
  it('rejects bad definitions naming every path', () => {
    try {
      createCalendar({
        id: 'bad',
        timeZone: 'Mars/Olympus',
        workingHours: { mon: [['09:00', '25:00']], funday: [] } as CalendarDefinition['workingHours'],
        holidays: ['2026-02-30'],
      });
      expect.unreachable();
    } catch (e) {
      expect(isDealflowError(e, 'INPUT_INVALID')).toBe(true);
      const paths = (e as { problems: Array<{ path: string }> }).problems.map((p) => p.path);
      expect(paths).toEqual(
        expect.arrayContaining(['$.timeZone', '$.workingHours.mon[0][1]', '$.workingHours.funday', '$.holidays[0]']),
      );
    }
  });

  it('rejects a calendar without working hours, and unusable durations', () => {
    expect(() => createCalendar({ id: 'x', timeZone: 'UTC', workingHours: {} })).toThrow(/no weekday has working hours/);
    expect(() => berlin.addBusinessTime('2026-11-27T15:00:00Z', 'P1M')).toThrow(/years or months/);
    expect(() => berlin.addBusinessTime('2026-11-27T15:00:00Z', 'soon')).toThrow(/ISO-8601/);
    expect(() => berlin.addBusinessTime('not a date', 'PT1H')).toThrow(/not an ISO date-time/);
  });
});

describe('createCalendar: properties', () => {
  const instant = fc
    .integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 31) })
    .map((ms) => new Date(ms - (ms % 60_000)).toISOString());
  const minutes = fc.integer({ min: 1, max: 60 * 24 * 20 });

  it('business time added is business time measured', () => {
    fc.assert(
      fc.property(instant, minutes, (start, m) => {
        const end = berlin.addBusinessTime(start, `PT${m}M`);
        expect(berlin.businessMillisBetween(start, end)).toBe(m * 60_000);
      }),
      { numRuns: 100 },
    );
  });

  it('subtracting undoes adding from working time', () => {
    fc.assert(
      fc.property(instant, minutes, (start, m) => {
        const t = berlin.nextWorkingTime(start);
        const end = berlin.addBusinessTime(t, `PT${m}M`);
        expect(berlin.subtractBusinessTime(end, `PT${m}M`)).toBe(t);
      }),
      { numRuns: 100 },
    );
  });

  it('adding N working days gives an instant N whole business days later', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 30 }), (start, n) => {
        const end = berlin.addBusinessTime(start, `P${n}D`);
        expect(berlin.businessDaysBetween(start, end)).toBe(n);
      }),
      { numRuns: 100 },
    );
  });
});
