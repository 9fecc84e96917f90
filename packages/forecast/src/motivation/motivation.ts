import { createCalendar, isDealflowError } from '@dealflow/core';
import type { BlueprintInput, BusinessCalendar, CalendarDefinition, Engine, HistoryEvent, StoredRecord } from '@dealflow/core';
import type { StageInfo } from '../data/options.js';
import { toMs } from '../data/time.js';
import { kpiEvents, type KpiEvent } from './kpi.js';
import { achievements, validateRules, type Achievement, type MotivationRule } from './rules.js';
import { WEEKDAYS_UTC } from './work-days.js';
import { queryAll, readEach } from '../data/storage.js';

/** Record type of badge records (default of {@link createMotivation}). */
export const BADGE_TYPE = 'dealflow.badge';

/**
 * The blueprint of badge records: one record per rule and rep (id `badge:<rule>:<rep>`), created
 * once when the rep first meets the rule; its `created` history event is the award. Register it
 * with the engine.
 *
 * @example
 * ```ts
 * createEngine({ storage, blueprints: [deal, defineBlueprint(badgeBlueprint)] })
 * ```
 */
export const badgeBlueprint: BlueprintInput = {
  id: BADGE_TYPE,
  version: 1,
  recordType: BADGE_TYPE,
  fields: {
    rule: { type: 'string' },
    badge: { type: 'string' },
    rep: { type: 'string' },
    achievedAt: { type: 'string' },
    value: { type: 'number' },
    recordId: { type: 'string' },
  },
  initialStage: 'awarded',
  stages: [{ id: 'awarded', kind: 'open' }],
  transitions: [],
} as unknown as BlueprintInput;

/** A badge as stored. */
export interface Badge {
  /** The rule met. */
  rule: string;
  /** The badge's name. */
  badge: string;
  /** The rep who earned it. */
  rep: string;
  /** When the rule was met (for contests: the end of the period). */
  achievedAt: string;
  /** What met it: the streak's last day total, the deal's value, the period total. */
  value: number;
  /** For `first`: the record that met it. */
  recordId?: string;
  /** When the award was written (the badge record's creation). */
  awardedAt: string;
}

/** One leaderboard row. */
export interface MotivationLeaderboardRow {
  /** 1 for the first; reps with equal totals share a rank. */
  rank: number;
  /** The rep. */
  rep: string;
  /** Their count (or value) of the metric over the period. */
  total: number;
}

/** Options of {@link createMotivation}. */
export interface CreateMotivationOptions {
  /** The engine whose history is read and where badges are written (as records). */
  engine: Engine;
  /** The targets and contests (checked whole: `INPUT_INVALID` lists every problem). */
  rules: MotivationRule[];
  /** Stages of the deals (won / lost kinds turn transitions into `deal.won` / `deal.lost`). */
  stages: readonly StageInfo[];
  /**
   * The working days of streaks: a business calendar (`createCalendar` from `@dealflow/core` /
   * `@dealflow/logic`, the same calendars as deadlines) or its definition. Default Monday–Friday, UTC.
   */
  calendar?: BusinessCalendar | CalendarDefinition;
  /** Badge record type (default {@link BADGE_TYPE}; the engine must know its blueprint). */
  badgeType?: string;
  /** Record types never read as KPI sources (default: the badge type and `dealflow.quota`). */
  ignoreTypes?: string[];
  /** The deal field holding the booked amount of `deal.won` (default `amount`). */
  amountField?: string;
}

/** Targets, contests and badges over the KPIs an engine's history shows. */
export interface Motivation {
  /**
   * Evaluates every rule on history up to `asOf` (default now) and awards each badge not yet
   * awarded, once: a badge is a record with a deterministic id, so a second award of the same rule
   * to the same rep (another run, another process) is refused by the store. Returns the new awards.
   */
  evaluate(options?: { asOf?: string | Date; data?: { records: readonly StoredRecord[]; history: readonly HistoryEvent[] } }): Promise<Badge[]>;
  /** Badges awarded (optionally to one rep), oldest first. */
  badges(filter?: { rep?: string }): Promise<Badge[]>;
  /** Reps ranked by a metric over `[from, to)`: count of events, or their value with `sum: true`. */
  leaderboard(options: { metric: string; period: { from: string | Date; to: string | Date }; sum?: boolean; data?: { records: readonly StoredRecord[]; history: readonly HistoryEvent[] } }): Promise<MotivationLeaderboardRow[]>;
  /** Called after each new award is written. */
  onAward(listener: (badge: Badge) => void): () => void;
}

const badgeOf = (r: StoredRecord): Badge => ({
  rule: String(r.fields.rule),
  badge: String(r.fields.badge),
  rep: String(r.fields.rep),
  achievedAt: String(r.fields.achievedAt),
  value: Number(r.fields.value),
  ...(typeof r.fields.recordId === 'string' ? { recordId: r.fields.recordId } : {}),
  awardedAt: r.createdAt,
});

/**
 * Motivation over an engine: rules over KPIs ("10 calls a day for 5 working days", "first deal
 * over ¥100 000", period targets, top-N contests), badges awarded once as records of the engine
 * (with their `created` history event), award listeners, and leaderboards by metric and period.
 *
 * @example
 * ```ts
 * const m = createMotivation({ engine, stages, rules: [
 *   { id: 'caller', badge: 'Phone warrior', kind: 'streak', metric: 'activity.call', perDay: 10, days: 5 },
 *   { id: 'big-one', badge: 'First ¥100k deal', kind: 'first', metric: 'deal.won', over: 100_000 },
 * ] })
 * m.onAward((b) => notify(b.rep, b.badge))
 * await m.evaluate()
 * ```
 */
export function createMotivation(options: CreateMotivationOptions): Motivation {
  validateRules(options.rules);
  const { engine } = options;
  const badgeType = options.badgeType ?? BADGE_TYPE;
  const ignore = new Set(options.ignoreTypes ?? [badgeType, 'dealflow.quota']);
  const listeners = new Set<(b: Badge) => void>();

  const calendar = options.calendar === undefined || 'businessMillisBetween' in options.calendar ? (options.calendar ?? createCalendar(WEEKDAYS_UTC)) : createCalendar(options.calendar);
  // History read so far, per record. A record's history seq is its version, so a record whose
  // version has not moved has nothing new; the others read only the events after the last seen.
  // Records come in keyset pages, histories 16 at a time.
  const seen = new Map<string, { version: number; events: HistoryEvent[] }>();
  const load = async (): Promise<{ records: StoredRecord[]; history: HistoryEvent[] }> => {
    const records = (await queryAll((q) => engine.query(q, { actor: engine.system }))).filter((r) => !ignore.has(r.type));
    const stale = records.filter((r) => seen.get(r.id)?.version !== r.version);
    await readEach(stale, async (r) => {
      const had = seen.get(r.id);
      const lastSeq = had?.events[had.events.length - 1]?.seq ?? 0;
      const more = await engine.storage.listHistory(engine.tenantId, r.id, lastSeq > 0 ? { afterSeq: lastSeq } : {});
      seen.set(r.id, { version: r.version, events: had ? [...had.events, ...more] : more });
    });
    const history: HistoryEvent[] = [];
    for (const r of records) history.push(...(seen.get(r.id)?.events ?? []));
    return { records, history };
  };
  const events = async (data?: { records: readonly StoredRecord[]; history: readonly HistoryEvent[] }): Promise<KpiEvent[]> => {
    const d = data ?? (await load());
    return kpiEvents({ ...d, stages: options.stages, amountField: options.amountField });
  };

  return {
    async evaluate(o = {}) {
      const asOfMs = o.asOf === undefined ? engine.clock.now().getTime() : toMs(o.asOf, 'asOf');
      const found: Achievement[] = achievements(options.rules, await events(o.data), asOfMs, calendar);
      const awarded: Badge[] = [];
      const have = found.length > 0 ? new Set((await queryAll((q) => engine.query(q, { actor: engine.system }), { type: badgeType })).map((r) => r.id)) : new Set<string>();
      for (const a of found) {
        const id = `badge:${a.ruleId}:${a.rep}`;
        if (have.has(id)) continue;
        const fields: Record<string, unknown> = { rule: a.ruleId, badge: a.badge, rep: a.rep, achievedAt: new Date(a.atMs).toISOString(), value: a.value };
        if (a.recordId) fields.recordId = a.recordId;
        try {
          const { record } = await engine.create(badgeType, { id, fields, ownerId: a.rep }, { actor: engine.system }); // badges are the system's work
          const b = badgeOf(record);
          awarded.push(b);
          for (const l of listeners) l(b);
        } catch (e) {
          if (!isDealflowError(e, 'DUPLICATE')) throw e; // awarded meanwhile by another run: once
        }
      }
      return awarded;
    },
    async badges(filter = {}) {
      const rows = await queryAll((q) => engine.query(q, { actor: engine.system }), { type: badgeType, ...(filter.rep !== undefined ? { ownerId: filter.rep } : {}) });
      return rows.map(badgeOf).sort((a, b) => (a.awardedAt < b.awardedAt ? -1 : a.awardedAt > b.awardedAt ? 1 : 0));
    },
    async leaderboard(o) {
      const from = toMs(o.period.from, 'period.from');
      const to = toMs(o.period.to, 'period.to');
      const totals = new Map<string, number>();
      for (const e of await events(o.data)) {
        if (e.metric !== o.metric || e.atMs < from || e.atMs >= to) continue;
        totals.set(e.rep, (totals.get(e.rep) ?? 0) + (o.sum ? e.value : 1));
      }
      const sorted = [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      let rank = 0;
      return sorted.map(([rep, total], i) => {
        if (i === 0 || total !== sorted[i - 1]![1]) rank = i + 1;
        return { rank, rep, total };
      });
    },
    onAward(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
