/**
 * The importer's fast wall-clock → UTC conversion (`readTime` through bulk's zone clocks) answers
 * exactly what luxon answers for the same text and zone: across daylight-saving switches (skipped
 * and repeated hours, a 30-minute switch, odd offsets), date-only texts, texts that name their own
 * offset, and formats.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { readTime } from '../src/index.js';

/** What readTime answered before it had zone clocks: luxon parsing in the zone. */
function reference(text: string, zone: string, format?: string): string | null {
  let dt = format ? DateTime.fromFormat(text, format, { zone }) : DateTime.fromISO(text, { zone });
  if (!dt.isValid && !format) dt = DateTime.fromSQL(text, { zone });
  return dt.isValid ? dt.toUTC().toISO() : null;
}

const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Chatham', 'UTC', 'America/Sao_Paulo'];

describe('readTime in a zone', () => {
  it('equals luxon for wall-clock texts around daylight-saving switches', () => {
    // minutes around the switches of 2024-2026 land in skipped and repeated hours often
    const wall = fc.record({
      year: fc.integer({ min: 2024, max: 2026 }), month: fc.constantFrom(1, 3, 4, 9, 10, 11), day: fc.integer({ min: 1, max: 28 }),
      hour: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: 0, max: 59 }), second: fc.integer({ min: 0, max: 59 }),
    });
    const shape = fc.constantFrom('sql', 'iso', 'date', 'format', 'offset');
    fc.assert(fc.property(wall, fc.constantFrom(...ZONES), shape, (w, zone, kind) => {
      const p = (n: number, l = 2) => String(n).padStart(l, '0');
      const date = `${w.year}-${p(w.month)}-${p(w.day)}`;
      const time = `${p(w.hour)}:${p(w.minute)}:${p(w.second)}`;
      const [text, format] = kind === 'sql' ? [`${date} ${time}`] : kind === 'iso' ? [`${date}T${time}`] : kind === 'date' ? [date]
        : kind === 'format' ? [`${p(w.day)}.${p(w.month)}.${w.year} ${p(w.hour)}:${p(w.minute)}`, 'dd.MM.yyyy HH:mm'] : [`${date}T${time}+05:30`];
      expect(readTime(text, zone, format, 'c')).toBe(reference(text!, zone, format));
    }), { numRuns: 3000 });
  });

  it('reads plain date-times by hand as luxon does, and leaves near misses (Feb 30, 24:00, odd fractions, early years) to it', () => {
    // digits around every bound of each part, in the shapes the hand reader takes and some it does not
    const part = (min: number, max: number, width: number) => fc.integer({ min, max }).map((n) => String(n).padStart(width, '0'));
    const text = fc.tuple(
      fc.oneof(part(1965, 1975, 4), part(2024, 2026, 4), part(1, 99, 4), part(9998, 9999, 4)),
      part(0, 13, 2), part(0, 32, 2), part(0, 25, 2), part(0, 61, 2), part(0, 61, 2),
      fc.constantFrom('', '.5', '.25', '.123', '.1234'), fc.constantFrom(' ', 'T', 't', '  '), fc.constantFrom('date', 'minutes', 'seconds', 'fraction'),
    ).map(([y, mo, d, h, mi, s, frac, sep, kind]) => {
      const date = `${y}-${mo}-${d}`;
      return kind === 'date' ? date : kind === 'minutes' ? `${date}${sep}${h}:${mi}` : kind === 'seconds' ? `${date}${sep}${h}:${mi}:${s}` : `${date}${sep}${h}:${mi}:${s}${frac}`;
    });
    fc.assert(fc.property(text, fc.constantFrom(...ZONES), (t, zone) => {
      const expected = reference(t, zone);
      if (expected === null) expect(() => readTime(t, zone, undefined, 'c')).toThrow(/is not a date/);
      else expect(readTime(t, zone, undefined, 'c')).toBe(expected);
    }), { numRuns: 5000 });
  });

  it('equals luxon for every minute of a day with a skipped and one with a repeated hour', () => {
    for (const [zone, day] of [['Europe/Berlin', '2026-03-29'], ['Europe/Berlin', '2026-10-25'], ['Australia/Lord_Howe', '2026-04-05'], ['Australia/Lord_Howe', '2026-10-04'], ['Pacific/Chatham', '2026-04-05'], ['Pacific/Chatham', '2026-09-27'], ['America/New_York', '2026-11-01']] as const) {
      for (let m = 0; m < 24 * 60; m++) {
        const text = `${day} ${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
        expect(readTime(text, zone, undefined, 'c'), `${zone} ${text}`).toBe(reference(text, zone));
      }
    }
  });

  it('refuses what is not a date, naming the column', () => {
    expect(() => readTime('31.02.2026', 'Europe/Berlin', 'dd.MM.yyyy', 'Closed')).toThrow(/column 'Closed'/);
    expect(() => readTime('soon', 'Europe/Berlin', undefined, 'Created')).toThrow(/column 'Created'/);
  });
});
