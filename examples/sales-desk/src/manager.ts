import type { Actor, Blueprint, HistoryEvent, StoredRecord } from '@dealflow/core';
import { createForecaster, forecastFan, kpiEvents, leaderboard, loadPipeline, quarterOf, quotaAttainment, receivablesAgeing, renderFanChartSvg, repKpis, runningStreaks } from '@dealflow/forecast';
import { workweekCalendar } from '@dealflow/templates';
import type { Desk } from './desk.js';
import { CALL_STREAK } from './desk.js';
import { stagesOf } from './stages.js';
import { bilingual, stageLabel } from './texts.js';
import type { Said } from './texts.js';

const DAY = 86_400_000;

/** Badges, streaks and calls by rep, as the manager's page shows them ({@link motivationView}). */
export interface MotivationView {
  /** The call-streak badge rule the streaks count towards. */
  streakRule: { perDay: number; days: number; badge: Said };
  reps: Array<{ id: string; name: Said; streak: number; callsThisWeek: number; badges: Array<{ rule: string; badge: Said; achievedAt: string; recordId: string | null }> }>;
}

/**
 * Badges, call streaks and this week's calls by rep: `createMotivation` (desk.motivation) awards
 * the badges due by now (once each, as records) from the history of deals and the activities
 * logged on leads and deals; {@link runningStreaks} says how far each rep's call streak runs.
 *
 * @example
 * ```ts
 * const deals = await loadPipeline(desk.engine.storage, desk.engine.tenantId, { type: 'deal' })
 * const { reps } = await motivationView(desk, deals) // [{ id: 'ana', streak: 2, callsThisWeek: 9, badges: [...] }, ...]
 * ```
 */
export async function motivationView(desk: Desk, deals: { records: StoredRecord[]; history: HistoryEvent[] }): Promise<MotivationView> {
  const now = desk.clock.now();
  const leads = await loadPipeline(desk.engine.storage, desk.engine.tenantId, { type: 'lead' });
  // a lead's own moves are not deal KPIs: only the activities logged on it count
  const data = { records: [...deals.records, ...leads.records], history: [...deals.history, ...leads.history.filter((h) => h.kind === 'activity')] };
  await desk.motivation.evaluate({ asOf: now, data });
  const badges = await desk.motivation.badges();
  const weekAgo = new Date(now.getTime() - 7 * DAY);
  const calls = new Map((await desk.motivation.leaderboard({ metric: 'activity.call', period: { from: weekAgo, to: new Date(now.getTime() + 1) }, data })).map((r) => [r.rep, r.total]));
  const streaks = runningStreaks(kpiEvents({ ...data, stages: stagesOf(desk.engine.blueprint('deal')) }), { metric: CALL_STREAK.metric, perDay: CALL_STREAK.perDay, asOf: now, calendar: workweekCalendar() });
  return {
    streakRule: { perDay: CALL_STREAK.perDay, days: CALL_STREAK.days, badge: bilingual(CALL_STREAK.badge) },
    reps: desk.people.users.filter((u) => u.roles.includes('rep')).map((u) => ({
      id: u.id,
      name: bilingual(u.name),
      streak: streaks.get(u.id) ?? 0,
      callsThisWeek: calls.get(u.id) ?? 0,
      badges: badges.filter((b) => b.rep === u.id).map((b) => ({ rule: b.rule, badge: bilingual(b.badge), achievedAt: b.achievedAt, recordId: b.recordId ?? null })),
    })),
  };
}

/** Stage moves a deadline made (the blueprint's `onBreach` events). */
function breachesOf(bp: Blueprint, history: readonly HistoryEvent[]): HistoryEvent[] {
  const timerOnly = new Set(bp.spec.stages.flatMap((s) => (s.deadline?.onBreach ? [s.deadline.onBreach] : [])));
  return history.filter((h) => h.kind === 'transition' && h.event !== undefined && timerOnly.has(h.event));
}

/**
 * The manager's page: the quarter's forecast fan of the desk's own deals with P(quota) and
 * attainment and pacing by rep, the leaderboard, SLA breaches (deadline moves), overdue
 * instalments and the receivables ageing. Everything is read from the store now.
 */
export async function managerView(desk: Desk, actor: Actor) {
  const { engine } = desk;
  const now = desk.clock.now();
  const quarter = quarterOf(now.getTime());
  const dealBp = engine.blueprint('deal');
  const stages = stagesOf(dealBp);
  const deals = await loadPipeline(engine.storage, engine.tenantId, { type: 'deal' });
  let forecast: { svg: string; quota: unknown[]; error: string | null; expected: number | null } = { svg: '', quota: [], error: null, expected: null };
  try {
    const forecaster = createForecaster({ records: deals.records, history: deals.history, stages, segments: { rep: 'owner' } });
    const rest = forecaster.forecast({ asOf: now, until: new Date(quarter.toMs - 1) });
    const points = forecastFan({ records: deals.records, history: deals.history, stages, asOf: now, weeks: Math.max(1, Math.ceil((quarter.toMs - now.getTime()) / (7 * 86_400_000))), seed: 1 });
    const rows = await quotaAttainment({ forecaster, quotas: desk.quotas, period: quarter.id, asOf: now });
    forecast = {
      svg: renderFanChartSvg(points, { title: `Won bookings to the end of ${quarter.id} (CNY) / 本季度赢单预测`, width: 560, height: 260 }),
      quota: rows.map((r) => ({ subject: r.subject, scope: r.scope, amount: r.amount, closed: r.closed, attainment: r.attainment, pacing: r.pacing, pHit: r.pHit })),
      error: null,
      expected: rest.value.expected,
    };
  } catch (e) {
    forecast.error = e instanceof Error ? e.message : String(e);
  }
  const board = leaderboard(repKpis({ records: deals.records, history: deals.history, stages, period: { from: new Date(quarter.fromMs).toISOString(), to: new Date(quarter.toMs).toISOString() } }));

  const breaches: Array<{ recordId: string; type: string; at: string; event: string; from: unknown; to: unknown; ownerId: string | null }> = [];
  for (const type of ['lead', 'deal', 'instalment']) {
    const bp = engine.blueprint(type);
    const { records, history } = type === 'deal' ? deals : await loadPipeline(engine.storage, engine.tenantId, { type });
    const owners = new Map(records.map((r) => [r.id, r.ownerId]));
    for (const h of breachesOf(bp, history)) breaches.push({ recordId: h.recordId, type, at: h.at, event: h.event!, from: stageLabel(bp, h.from!), to: stageLabel(bp, h.to!), ownerId: owners.get(h.recordId) ?? null });
  }
  breaches.sort((a, b) => (a.at < b.at ? 1 : -1));

  const instalments = await engine.queryFor({ type: 'instalment' }, { actor });
  const ageing = receivablesAgeing({ records: instalments, asOf: now, currency: 'CNY' });
  const overdue = instalments.filter((i: StoredRecord) => i.stage === 'overdue').map((i) => ({ id: i.id, amount: i.fields.amount, outstanding: i.fields.outstanding ?? i.fields.amount, dueDate: i.fields.dueDate, ownerId: i.ownerId }));
  return {
    now: now.toISOString(),
    quarter: quarter.id,
    forecast,
    // ranked reps only: deals without an owner (the pool) are grouped as '(none)'
    leaderboard: board.filter((r) => r.owner !== '(none)').slice(0, 10).map((r) => ({ rank: r.rank, owner: r.owner, won: r.won, wonAmount: r.wonAmount, winRate: r.winRate, openAmount: r.openAmount })),
    breaches: breaches.slice(0, 50),
    overdue,
    ageing: { total: ageing.total, overdue: ageing.overdue, buckets: ageing.buckets.map((b) => ({ id: b.id, amount: b.amount, count: b.count })) },
    motivation: await motivationView(desk, deals),
    reps: desk.people.users.filter((u) => u.roles.includes('rep')).map((u) => ({ id: u.id, name: bilingual(u.name) })),
  };
}
