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
