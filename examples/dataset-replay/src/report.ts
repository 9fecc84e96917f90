import { backtest, conversionRates, forecastBookings, salesCycle, winRates } from '@dealflow/forecast';
import type { StageInfo } from '@dealflow/forecast';
import type { HistoryEvent, StoredRecord } from '@dealflow/core';
import { dealBlueprint } from './replay.js';

/** The blueprint's stages as the forecast package reads them. */
export const stages: StageInfo[] = dealBlueprint.spec.stages.map((s) => ({
  id: s.id,
  kind: s.kind,
  ...(s.probability !== undefined ? { probability: s.probability } : {}),
  ...(s.forecastCategory !== undefined ? { forecastCategory: s.forecastCategory } : {}),
}));

const money = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const pct = (n: number) => (Number.isFinite(n) ? `${(n * 100).toFixed(1)}%` : '–');

function table(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(header), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

/** End-of-month dates (UTC) between two ISO dates. */
export function monthEnds(from: string, to: string): string[] {
  const out: string[] = [];
  const d = new Date(`${from.slice(0, 7)}-01T00:00:00Z`);
  for (;;) {
    d.setUTCMonth(d.getUTCMonth() + 1);
    const end = new Date(d.getTime() - 86_400_000).toISOString().slice(0, 10);
    if (end > to) break;
    if (end >= from) out.push(end);
  }
  return out;
}

/** The reports and the backtest table, as text. */
export function renderReports(input: { records: StoredRecord[]; history: HistoryEvent[]; exportDate: string; backtestDates?: string[] }): string {
  const data = { records: input.records, history: input.history, stages };
  const out: string[] = [];
  const won = input.records.filter((r) => r.stage === 'won');
  out.push(`Deals: ${input.records.length}  won: ${won.length}  lost: ${input.records.filter((r) => r.stage === 'lost').length}  open: ${input.records.filter((r) => !dealBlueprint.isFinal(r.stage)).length}`);
  out.push('');
  out.push('Conversion');
  out.push(table(['stage', 'entered', 'later won'], conversionRates(data).map((c) => [c.stage, String(c.entered), pct(c.winRate)])));
  out.push('');
  const cycle = salesCycle(data);
  out.push(`Sales cycle (days): won median ${cycle.won.median.toFixed(0)}, p90 ${cycle.won.p90.toFixed(0)}; lost median ${cycle.lost.median.toFixed(0)}`);
  out.push('');
  out.push('Win rate by agent (top 5 by won amount)');
  const rates = winRates({ ...data, by: 'owner', amountField: 'amount' }).sort((a, b) => b.wonAmount - a.wonAmount).slice(0, 5);
  out.push(table(['agent', 'won', 'lost', 'win rate', 'won amount'], rates.map((r) => [r.key, String(r.won), String(r.lost), pct(r.rate), money(r.wonAmount)])));
  out.push('');
  const asOf = `${input.exportDate}T23:59:59Z`;
  const f = forecastBookings({ ...data, asOf, horizonDays: 90, amountField: 'amount', seed: 1 });
  out.push(`Bookings forecast from ${input.exportDate}, next 90 days: expected ${money(f.expected)} (P10 ${money(f.p10)}, P50 ${money(f.p50)}, P90 ${money(f.p90)})`);
  out.push('');
  const dates = input.backtestDates ?? monthEnds('2017-06-01', input.exportDate).slice(0, -1);
  if (dates.length > 0) {
    out.push('Backtest: 30-day bookings forecast at each month end vs what was actually won');
    const methods = (['history', 'weighted', 'naive'] as const).map((method) => backtest({ ...data, asOf: dates, horizon: 30, method, amountField: 'amount', seed: 1 }));
    const rows = dates.map((d, i) => [d, ...methods.map((m) => money(m.rows[i]!.forecast)), money(methods[0]!.rows[i]!.actual)]);
    out.push(table(['as of', 'dealflow', 'weighted', 'naive', 'actual'], rows));
    out.push(table(['method', 'WAPE', 'bias', 'P10–P90 coverage'], methods.map((m) => [m.method, pct(m.wape), pct(m.bias), m.coverage === null ? '–' : pct(m.coverage)])));
  }
  return `${out.join('\n')}\n`;
}
