import { DealflowError } from '@dealflow/core';
import { toMs } from '../data/time.js';
import type { BusinessCalendar, CalendarDefinition } from '@dealflow/core';
import type { KpiEvent } from './kpi.js';
import { workDays } from './work-days.js';

/**
 * A target or contest over KPI events, awarding `badge`:
 * - `streak`: at least `perDay` events (or value, with `sum: true`) of `metric` on each of `days`
 *   consecutive working days ("10 calls a day for 5 working days");
 * - `first`: the first single event of `metric` with value over `over` ("first deal over ¥100 000");
 *   `firstInTeam` is not needed: each rep earns it with their own first such event;
 * - `total`: `metric` adds up to `atLeast` inside `period` (a target);
 * - `contest`: the `top` reps by `metric` over `period` (count, or value with `sum: true`), decided when it ends.
 */
export type MotivationRule = StreakRule | FirstRule | TotalRule | ContestRule;

/** What every {@link MotivationRule} has. */
export interface MotivationRuleBase {
  /** Stable id of the rule (`[A-Za-z0-9_.:-]`, unique in the list). */
  id: string;
  /** The badge a rep earns by meeting it. */
  badge: string;
  /** The KPI it counts: `activity.call`, `deal.won`, … (see {@link KpiEvent}). */
  metric: string;
}

/** A time span `[from, to)` of ISO dates or instants. */
export interface MotivationPeriod {
  /** Start (included). */
  from: string;
  /** End (excluded). */
  to: string;
}

/** At least `perDay` of `metric` on each of `days` consecutive working days. */
export interface StreakRule extends MotivationRuleBase {
  /** A streak. */
  kind: 'streak';
  /** Events (or value, with `sum`) needed on each day. */
  perDay: number;
  /** Consecutive working days needed (at most 366). */
  days: number;
  /** Add up the events' values instead of counting them. */
  sum?: boolean;
}

/** The first single event of `metric` whose value is over `over`. */
export interface FirstRule extends MotivationRuleBase {
  /** A first. */
  kind: 'first';
  /** The value an event must exceed. */
  over: number;
}

/** `metric` adds up to `atLeast` inside `period` (a target). */
export interface TotalRule extends MotivationRuleBase {
  /** A target. */
  kind: 'total';
  /** The target. */
  atLeast: number;
  /** Where the events are counted. */
  period: MotivationPeriod;
  /** Add up the events' values instead of counting them. */
  sum?: boolean;
}

/** The `top` reps by `metric` over `period`, decided when it ends. */
export interface ContestRule extends MotivationRuleBase {
  /** A contest. */
  kind: 'contest';
  /** How many reps win. */
  top: number;
  /** The contest's span. */
  period: MotivationPeriod;
  /** Rank by the events' values instead of their count. */
  sum?: boolean;
}

/** When a rep met a rule, and by what. */
export interface Achievement {
  /** The rule met. */
  ruleId: string;
  /** Its badge. */
  badge: string;
  /** The rep who met it. */
  rep: string;
  /** The instant the rule was met (for contests: the end of the period). */
  atMs: number;
  /** What met it: the streak's last day total, the deal's value, the period total. */
  value: number;
  /** For `first`: the record that met it. */
  recordId?: string;
}

const ID = /^[A-Za-z0-9_.:-]{1,100}$/;

/** Checks rules whole; throws `INPUT_INVALID` listing every problem with its rule path. */
export function validateRules(rules: readonly MotivationRule[]): void {
  const problems: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  if (!Array.isArray(rules) || rules.length > 1000) problems.push({ path: 'rules', message: 'must be an array of at most 1000 rules' });
  else
    rules.forEach((r, i) => {
      const p = `rules[${i}]`;
      if (!r || typeof r !== 'object') return problems.push({ path: p, message: 'must be an object' });
      if (typeof r.id !== 'string' || !ID.test(r.id)) problems.push({ path: `${p}.id`, message: 'must match [A-Za-z0-9_.:-]{1,100}' });
      else if (seen.has(r.id)) problems.push({ path: `${p}.id`, message: `duplicate rule id '${r.id}'` });
      seen.add(r.id);
      if (typeof r.badge !== 'string' || r.badge === '' || r.badge.length > 200) problems.push({ path: `${p}.badge`, message: 'must be a non-empty string of at most 200 characters' });
      if (typeof r.metric !== 'string' || !/^[a-z]+\.[A-Za-z0-9_]{1,50}$/.test(r.metric)) problems.push({ path: `${p}.metric`, message: `must look like 'activity.call' or 'deal.won', got ${JSON.stringify(r.metric)}` });
      const pos = (k: string, v: unknown, int = false): void => {
        if (!(typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 1e15 && (!int || Number.isInteger(v)))) problems.push({ path: `${p}.${k}`, message: `must be a positive ${int ? 'integer' : 'number'}` });
      };
      const period = (v: unknown): void => {
        const o = v as { from?: unknown; to?: unknown } | undefined;
        if (!o || typeof o.from !== 'string' || typeof o.to !== 'string' || !(Date.parse(o.from) < Date.parse(o.to))) problems.push({ path: `${p}.period`, message: 'must be { from, to } ISO dates with from < to' });
      };
      if (r.kind === 'streak') {
        pos('perDay', r.perDay);
        pos('days', r.days, true);
        if (r.days > 366) problems.push({ path: `${p}.days`, message: 'must be at most 366' });
      } else if (r.kind === 'first') {
        if (!(typeof r.over === 'number' && Number.isFinite(r.over))) problems.push({ path: `${p}.over`, message: 'must be a finite number' });
      } else if (r.kind === 'total') {
        pos('atLeast', r.atLeast);
        period(r.period);
      } else if (r.kind === 'contest') {
        pos('top', r.top, true);
        period(r.period);
      } else problems.push({ path: `${p}.kind`, message: `unknown kind ${JSON.stringify((r as { kind?: unknown }).kind)} (streak, first, total, contest)` });
    });
  if (problems.length > 0) throw new DealflowError('INPUT_INVALID', `motivation rules: ${problems[0]!.path} ${problems[0]!.message}${problems.length > 1 ? ` (+${problems.length - 1} more)` : ''}`, { problems });
}

/**
 * Every rep's achievement of each rule by `asOfMs` (the first time they met it), from KPI events in
 * time order. Streaks count the working days of `calendar` (a business calendar of
 * `@dealflow/logic`, or its definition; default Monday–Friday, UTC): days are local dates in its
 * time zone, and days without working time (weekends, holidays) neither count nor break a run.
 * Pure: the same events give the same achievements.
 */
export function achievements(rules: readonly MotivationRule[], events: readonly KpiEvent[], asOfMs: number, calendar?: BusinessCalendar | CalendarDefinition): Achievement[] {
  validateRules(rules);
  const days = workDays(calendar);
  const localDay = days.dayOf;
  const isWorking = days.isWorking;
  const out: Achievement[] = [];
  for (const rule of rules) {
    const evs = events.filter((e) => e.metric === rule.metric && e.atMs <= asOfMs);
    const amount = (e: KpiEvent): number => ('sum' in rule && rule.sum ? e.value : 1);
    if (rule.kind === 'first') {
      const done = new Set<string>();
      for (const e of evs) {
        if (done.has(e.rep) || !(e.value > rule.over)) continue;
        done.add(e.rep);
        out.push({ ruleId: rule.id, badge: rule.badge, rep: e.rep, atMs: e.atMs, value: e.value, recordId: e.recordId });
      }
    } else if (rule.kind === 'streak') {
      // Per rep: totals per local day, then runs of consecutive working days meeting perDay.
      const perRep = new Map<string, Map<number, number>>();
      const lastEvent = new Map<string, Map<number, number>>();
      for (const e of evs) {
        const day = localDay(e.atMs);
        const m = perRep.get(e.rep) ?? new Map<number, number>();
        m.set(day, (m.get(day) ?? 0) + amount(e));
        perRep.set(e.rep, m);
        const l = lastEvent.get(e.rep) ?? new Map<number, number>();
        if ((m.get(day) ?? 0) >= rule.perDay && !l.has(day)) l.set(day, e.atMs); // when the day reached perDay
        lastEvent.set(e.rep, l);
      }
      for (const [rep, days] of perRep) {
        const sorted = [...days.keys()].sort((a, b) => a - b);
        if (sorted.length === 0) continue;
        let run = 0;
        for (let day = sorted[0]!; day <= sorted[sorted.length - 1]!; day++) {
          if (!isWorking(day)) continue; // weekends and holidays neither count nor break the run
          if ((days.get(day) ?? 0) >= rule.perDay) run++;
          else run = 0;
          if (run >= rule.days) {
            out.push({ ruleId: rule.id, badge: rule.badge, rep, atMs: lastEvent.get(rep)!.get(day)!, value: days.get(day)! });
            break;
          }
        }
      }
    } else {
      const from = toMs(rule.period.from, `rule '${rule.id}' period.from`);
      const to = toMs(rule.period.to, `rule '${rule.id}' period.to`);
      const totals = new Map<string, { total: number; reachedAt: number | null }>();
      for (const e of evs) {
        if (e.atMs < from || e.atMs >= to) continue;
        const t = totals.get(e.rep) ?? { total: 0, reachedAt: null };
        t.total += amount(e);
        if (rule.kind === 'total' && t.reachedAt === null && t.total >= rule.atLeast) t.reachedAt = e.atMs;
        totals.set(e.rep, t);
      }
      if (rule.kind === 'total') {
        for (const [rep, t] of totals) if (t.reachedAt !== null) out.push({ ruleId: rule.id, badge: rule.badge, rep, atMs: t.reachedAt, value: t.total });
      } else if (asOfMs >= to) {
        // Contest: decided at the end of the period; ties at the cut all win.
        const ranked = [...totals].sort((a, b) => b[1].total - a[1].total || (a[0] < b[0] ? -1 : 1));
        const cut = ranked[Math.min(rule.top, ranked.length) - 1]?.[1].total;
        for (const [rep, t] of ranked) if (cut !== undefined && t.total >= cut && t.total > 0) out.push({ ruleId: rule.id, badge: rule.badge, rep, atMs: to, value: t.total });
      }
    }
  }
  return out.sort((a, b) => a.atMs - b.atMs || (a.rep < b.rep ? -1 : 1));
}
