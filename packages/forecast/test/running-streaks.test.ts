import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CalendarDefinition, TimeRange } from '@dealflow/core';
import { achievements, runningStreaks } from '@dealflow/forecast';
import type { KpiEvent } from '@dealflow/forecast';

const DAY = 86_400_000;
const MONDAY = Date.parse('2026-03-02T01:30:00.000Z'); // 09:30 in Shanghai
const hours: TimeRange[] = [['09:00', '18:00']];
/** Monday to Friday in Shanghai (the templates' working week). */
const calendar: CalendarDefinition = { id: 'workweek', timeZone: 'Asia/Shanghai', workingHours: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours } };
const call = (rep: string, atMs: number): KpiEvent => ({ rep, atMs, metric: 'activity.call', value: 1, recordId: 'deal_1' });
const calls = (rep: string, day: number, n: number) => Array.from({ length: n }, (_, i) => call(rep, MONDAY + day * DAY + i * 60_000));

describe('runningStreaks', () => {
  it('counts consecutive working days meeting the daily number; a weekend neither counts nor breaks; today still going breaks nothing', () => {
    // ana: Mon–Fri 3 calls, weekend 3 calls, next Mon 3 calls; bob: Mon–Thu 3 calls, Fri only 2
    const events = [
      ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((d) => calls('ana', d, 3)),
      ...[0, 1, 2, 3].flatMap((d) => calls('bob', d, 3)), ...calls('bob', 4, 2), ...calls('cai', 4, 1),
    ];
    const opts = { metric: 'activity.call', perDay: 3, calendar };
    expect(Object.fromEntries(runningStreaks(events, { ...opts, asOf: MONDAY + 7 * DAY + DAY / 4 }))).toEqual({ ana: 6 });
    // on Friday morning, bob's Thursday run still counts: Friday is not over
    expect(Object.fromEntries(runningStreaks(events.filter((e) => e.atMs < MONDAY + 4 * DAY), { ...opts, asOf: MONDAY + 4 * DAY - 1 }))).toEqual({ ana: 4, bob: 4 });
    // other metrics and later events are not counted
    expect(runningStreaks(events, { ...opts, metric: 'activity.email', asOf: MONDAY + 8 * DAY }).size).toBe(0);
    expect(runningStreaks(events, { ...opts, asOf: MONDAY - 1 }).size).toBe(0);
  });

  const arbEvents = fc.array(fc.record({ rep: fc.constantFrom('ana', 'bob'), day: fc.integer({ min: 0, max: 20 }), minute: fc.integer({ min: 0, max: 600 }) }), { maxLength: 80 })
    .map((xs) => xs.map((x) => call(x.rep, MONDAY + x.day * DAY + x.minute * 60_000)));

  it('agrees with the library’s streak badge: a running streak of n days means the n-day streak rule is met by now', () => {
    fc.assert(fc.property(arbEvents, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 21 }), (events, perDay, asOfDay) => {
      const asOf = MONDAY + asOfDay * DAY + 12 * 3_600_000;
      for (const [rep, n] of runningStreaks(events, { metric: 'activity.call', perDay, asOf, calendar })) {
        const met = achievements([{ id: 's', badge: 'b', kind: 'streak', metric: 'activity.call', perDay, days: n }], events, asOf, calendar);
        expect(met.map((a) => a.rep)).toContain(rep);
      }
    }));
  });

  it('more calls never shorten a streak', () => {
    fc.assert(fc.property(arbEvents, arbEvents, fc.integer({ min: 0, max: 21 }), (events, more, asOfDay) => {
      const asOf = MONDAY + asOfDay * DAY + 12 * 3_600_000;
      const before = runningStreaks(events, { metric: 'activity.call', perDay: 2, asOf, calendar });
      const after = runningStreaks([...events, ...more], { metric: 'activity.call', perDay: 2, asOf, calendar });
      for (const [rep, n] of before) expect(after.get(rep) ?? 0).toBeGreaterThanOrEqual(n);
    }));
  });
});
