import type { BusinessCalendar } from '../calendar/types.js';
import { DealflowError } from '../errors.js';
import type { OperatorDefinition } from '../engine/types.js';
import { toMillis } from './dates.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** What the Dealflow operators need: a clock and the engine's calendars. */
export interface DealflowOperatorContext {
  now: () => Date;
  calendar(id: string): BusinessCalendar | undefined;
}

const text =
  (f: (s: string) => string) =>
  (v: unknown): unknown =>
    v === null || v === undefined ? null : f(typeof v === 'string' ? v : String(v));

/**
 * Dealflow's own operators (besides `matches`, which the compiler builds so that its pattern is
 * checked and compiled once). Dates are ISO-8601 strings (offset-less means UTC) or `Date`s; a
 * missing or unreadable date gives `null` for the `…Since` operators and `false` for comparisons.
 */
export function dealflowOperators(ctx: DealflowOperatorContext): Record<string, OperatorDefinition> {
  return {
    now: { minArgs: 0, maxArgs: 0, fn: () => ctx.now().toISOString() },
    daysSince: {
      minArgs: 1,
      maxArgs: 1,
      fn: (date) => {
        const t = toMillis(date);
        return Number.isNaN(t) ? null : (ctx.now().getTime() - t) / DAY;
      },
    },
    hoursSince: {
      minArgs: 1,
      maxArgs: 1,
      fn: (date) => {
        const t = toMillis(date);
        return Number.isNaN(t) ? null : (ctx.now().getTime() - t) / HOUR;
      },
    },
    businessDaysSince: {
      minArgs: 2,
      maxArgs: 2,
      fn: (date, calendarId) => {
        const calendar = ctx.calendar(String(calendarId));
        if (calendar === undefined) {
          throw new DealflowError('RULE_INVALID', `businessDaysSince: unknown calendar '${String(calendarId)}'`);
        }
        const t = toMillis(date);
        if (Number.isNaN(t)) return null;
        return calendar.businessDaysBetween(new Date(t), ctx.now());
      },
    },
    before: {
      minArgs: 2,
      maxArgs: 2,
      fn: (a, b) => {
        const x = toMillis(a);
        const y = toMillis(b);
        return x < y;
      },
    },
    after: {
      minArgs: 2,
      maxArgs: 2,
      fn: (a, b) => {
        const x = toMillis(a);
        const y = toMillis(b);
        return x > y;
      },
    },
    lower: { minArgs: 1, maxArgs: 1, fn: text((s) => s.toLowerCase()) },
    upper: { minArgs: 1, maxArgs: 1, fn: text((s) => s.toUpperCase()) },
    trim: { minArgs: 1, maxArgs: 1, fn: text((s) => s.trim()) },
  };
}

/** Arity of `matches` (compiled specially). */
export const MATCHES_ARITY = { minArgs: 2, maxArgs: 3 } as const;
