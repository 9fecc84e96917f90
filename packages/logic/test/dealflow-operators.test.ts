import { describe, expect, it } from 'vitest';
import { compileRule, createCalendar, createRuleEngine, isDealflowError } from '../src/index.js';

const nineToFive: Array<[string, string]> = [['09:00', '17:00']];
const berlin = createCalendar({
  id: 'berlin',
  timeZone: 'Europe/Berlin',
  workingHours: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive },
});
// Fixed clock: Wed 2026-12-02 12:00 UTC (13:00 in Berlin).
const engine = createRuleEngine({ now: () => new Date('2026-12-02T12:00:00Z'), calendars: { berlin } });

describe('Dealflow date operators', () => {
  it('now returns the engine clock as ISO', () => {
    expect(engine.apply({ now: [] })).toBe('2026-12-02T12:00:00.000Z');
  });

  it('daysSince and hoursSince count elapsed time', () => {
    expect(engine.apply({ daysSince: { var: 'd' } }, { d: '2026-11-29T12:00:00Z' })).toBe(3);
    expect(engine.apply({ hoursSince: { var: 'd' } }, { d: '2026-12-02T09:30:00Z' })).toBe(2.5);
    expect(engine.apply({ daysSince: { var: 'd' } }, { d: '2026-12-03T12:00:00Z' })).toBe(-1);
    expect(engine.apply({ daysSince: { var: 'd' } }, {})).toBe(null);
    expect(engine.apply({ daysSince: { var: 'd' } }, { d: 'yesterday' })).toBe(null);
    expect(engine.apply({ '>': [{ daysSince: { var: 'lastContact' } }, 14] }, { lastContact: '2026-11-01' })).toBe(true);
  });

  it('businessDaysSince counts whole working days on a calendar', () => {
    // Fri 11-27 13:00 Berlin → Wed 12-02 13:00: Mon, Tue, Wed at 13:00 have passed → 3.
    expect(engine.apply({ businessDaysSince: [{ var: 'd' }, 'berlin'] }, { d: '2026-11-27T12:00:00Z' })).toBe(3);
    // Sat → counting starts Mon 09:00; Mon 09:00 + 1 = Tue 09:00, Wed 09:00 passed → 2.
    expect(engine.apply({ businessDaysSince: [{ var: 'd' }, 'berlin'] }, { d: '2026-11-28T12:00:00Z' })).toBe(2);
  });

  it('businessDaysSince needs a known calendar at validation', () => {
    expect(engine.validate({ businessDaysSince: [{ var: 'd' }, 'paris'] })[0]).toMatchObject({
      code: 'unknown_calendar',
      path: '$.businessDaysSince[1]',
    });
    expect(compileRule.bind(null, { businessDaysSince: [{ var: 'd' }, 'berlin'] })).toThrow(/unknown calendar 'berlin'/);
  });

  it('before and after compare ISO dates and Date objects', () => {
    expect(engine.apply({ before: [{ var: 'a' }, { var: 'b' }] }, { a: '2026-01-01', b: '2026-01-02T00:00:00+00:00' })).toBe(true);
    expect(engine.apply({ after: [{ var: 'a' }, { now: [] }] }, { a: '2027-01-01' })).toBe(true);
    expect(engine.apply({ after: [{ var: 'a' }, { now: [] }] }, { a: new Date('2020-01-01') })).toBe(false);
    // offsets are honoured: 10:00+02:00 is 08:00Z, before 09:00Z
    expect(engine.apply({ before: ['2026-06-01T10:00:00+02:00', '2026-06-01T09:00:00Z'] })).toBe(true);
    expect(engine.apply({ before: ['garbage', '2026-06-01'] })).toBe(false);
    expect(engine.apply({ after: ['garbage', '2026-06-01'] })).toBe(false);
  });
});

describe('Dealflow text operators', () => {
  it('matches is anchored', () => {
    const sku = compileRule({ matches: [{ var: 'sku' }, '[A-Z]{2}-\\d{4}'] });
    expect(sku({ sku: 'AB-1234' })).toBe(true);
    expect(sku({ sku: 'xAB-1234' })).toBe(false);
    expect(sku({ sku: 'AB-12345' })).toBe(false);
    expect(sku({})).toBe(false);
    expect(compileRule({ matches: [{ var: 'x' }, 'ab|cd'] })({ x: 'abd' })).toBe(false);
    expect(compileRule({ matches: [{ var: 'x' }, 'ab|cd'] })({ x: 'cd' })).toBe(true);
    expect(compileRule({ matches: [{ var: 'x' }, 'hello', 'i'] })({ x: 'HeLLo' })).toBe(true);
  });

  it('lower, upper, trim', () => {
    expect(compileRule({ lower: { var: 'x' } })({ x: 'ÄBC' })).toBe('äbc');
    expect(compileRule({ upper: 'abc' })(null)).toBe('ABC');
    expect(compileRule({ trim: { var: 'x' } })({ x: '  a b  ' })).toBe('a b');
    expect(compileRule({ trim: { var: 'x' } })({})).toBe(null);
    expect(compileRule({ in: [{ lower: { trim: { var: 'c' } } }, ['de', 'fr']] })({ c: ' DE ' })).toBe(true);
  });

  it('Dealflow operators are registered like custom ones and checked for arity', () => {
    const problems = engine.validate({ lower: ['a', 'b'] });
    expect(problems[0]).toMatchObject({ code: 'arity' });
    expect(engine.hasOperator('daysSince')).toBe(true);
    try {
      engine.compile({ now: [1] });
      expect.unreachable();
    } catch (e) {
      expect(isDealflowError(e, 'RULE_INVALID')).toBe(true);
    }
  });
});
