import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DealflowError, isDealflowError } from '@dealflow/core';
import type { HistoryEvent, Storage, StoredRecord } from '@dealflow/core';
import {
  conversionRates,
  DEFAULT_PIPELINE_STAGES,
  forecastBookings,
  forecastFan,
  parsePipelineCsv,
  renderFanChartSvg,
  salesCycle,
  timeInStage,
  winRates,
} from '@dealflow/forecast';
import type { StageInfo } from '@dealflow/forecast';
import { inputError } from '../errors.js';
import type { CliIO } from '../io.js';
import { readText } from '../load.js';
import { pct, table } from '../table.js';
import { blueprintFromFile } from './blueprint.js';
import { connectionError, openStore } from './db.js';

/** Options of `dealflow forecast`. */
export interface ForecastCommandOptions {
  csv?: string;
  db?: string;
  blueprint?: string;
  tenant?: string;
  asOf?: string;
  horizon: string;
  svg?: string;
  amountField: string;
  json?: boolean;
}

interface Data {
  records: StoredRecord[];
  history: HistoryEvent[];
  stages: StageInfo[];
  amountField: string;
}

async function fromCsv(path: string, cwd: string): Promise<Data> {
  const text = await readText(resolve(cwd, path), 'CSV');
  try {
    const d = parsePipelineCsv(text);
    return { records: d.records, history: d.history, stages: d.stages, amountField: 'amount' };
  } catch (e) {
    if (isDealflowError(e)) {
      const p = e.problems[0];
      throw inputError(`${path}: cannot read pipeline CSV: ${e.message}${p && !e.message.includes(p.message) ? ` (${p.path}: ${p.message})` : ''}`, { file: path }, e);
    }
    throw e;
  }
}

async function fromDb(opts: ForecastCommandOptions, cwd: string): Promise<Data> {
  const stages: StageInfo[] = opts.blueprint
    ? (await blueprintFromFile(opts.blueprint, cwd)).spec.stages.map((s) => ({
        id: s.id,
        kind: s.kind,
        ...(s.probability !== undefined ? { probability: s.probability } : {}),
        ...(s.forecastCategory !== undefined ? { forecastCategory: s.forecastCategory } : {}),
      }))
    : DEFAULT_PIPELINE_STAGES;
  const url = opts.db!;
  let storage: Storage | undefined;
  try {
    storage = await openStore(url, cwd);
    const tenant = opts.tenant ?? 'default';
    const records = await storage.queryRecords(tenant, {});
    const history: HistoryEvent[] = [];
    for (const r of records) history.push(...(await storage.listHistory(tenant, r.id)));
    return { records, history, stages, amountField: opts.amountField };
  } catch (e) {
    if (isDealflowError(e, 'INPUT_INVALID')) throw e;
    throw connectionError(e, url);
  } finally {
    await storage?.close().catch(() => undefined);
  }
}

function latest(history: HistoryEvent[]): string {
  let max = '';
  for (const h of history) if (h.at > max) max = h.at;
  return max || new Date().toISOString();
}

const money = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const days = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');

/** `dealflow forecast --csv pipeline.csv | --db <url> [--svg fan.svg]`. */
export async function forecastCommand(opts: ForecastCommandOptions, io: CliIO): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  if (!opts.csv === !opts.db) throw inputError('forecast: give exactly one of --csv <file> or --db <url>');
  const horizon = Number(opts.horizon);
  if (!Number.isInteger(horizon) || horizon < 1) throw inputError(`--horizon must be a whole number of days ≥ 1, got '${opts.horizon}'`);
  const data = opts.csv ? await fromCsv(opts.csv, cwd) : await fromDb(opts, cwd);
  if (data.records.length === 0) throw new DealflowError('DATA_INVALID', `forecast: no records in ${opts.csv ?? opts.db}`);
  const asOf = opts.asOf ? new Date(opts.asOf) : new Date(latest(data.history));
  if (Number.isNaN(asOf.getTime())) throw inputError(`--as-of '${opts.asOf}' is not a date`);
  const input = { records: data.records, history: data.history, stages: data.stages };
  const bookings = forecastBookings({ ...input, asOf, horizonDays: horizon, amountField: data.amountField, seed: 1 });
  const cycle = salesCycle(input);
  const conv = conversionRates(input);
  const times = timeInStage({ ...input, asOf });
  const reps = winRates({ ...input, by: 'owner', amountField: data.amountField })
    .sort((a, b) => b.wonAmount - a.wonAmount)
    .slice(0, 10);
  let svgWritten: string | undefined;
  if (opts.svg) {
    const fan = forecastFan({ ...input, asOf, weeks: Math.max(1, Math.round(horizon / 7)), amountField: data.amountField, seed: 1 });
    await writeFile(resolve(cwd, opts.svg), renderFanChartSvg(fan, { title: `Bookings forecast from ${asOf.toISOString().slice(0, 10)}` }));
    svgWritten = opts.svg;
  }
  if (opts.json) {
    const { deals: _deals, ...summary } = bookings;
    io.stdout.write(`${JSON.stringify({ asOf: asOf.toISOString(), records: data.records.length, bookings: summary, salesCycle: cycle, conversion: conv, timeInStage: times, winRates: reps, svg: svgWritten ?? null }, null, 2)}\n`);
    return 0;
  }
  const out: string[] = [];
  out.push(`${data.records.length.toLocaleString('en-US')} records, as of ${asOf.toISOString().slice(0, 10)}\n`);
  out.push(`Bookings forecast, next ${horizon} days`);
  out.push(
    table(
      ['expected', 'P10', 'P50', 'P90', 'open deals', 'new deals'],
      [[money(bookings.expected), money(bookings.p10), money(bookings.p50), money(bookings.p90), money(bookings.fromOpenDeals), money(bookings.fromNewDeals)]],
    ),
  );
  out.push('Conversion by stage');
  out.push(table(['stage', 'entered', 'later won', 'moves'], conv.map((c) => [c.stage, c.entered, pct(c.winRate), Object.entries(c.rates).map(([k, v]) => `${k} ${pct(v)}`).join(', ')])));
  out.push('Time in stage (days, completed stays)');
  out.push(table(['stage', 'stays', 'mean', 'median', 'p90'], times.map((t) => [t.stage, t.count, days(t.mean), days(t.median), days(t.p90)])));
  out.push('Sales cycle (days)');
  out.push(table(['outcome', 'deals', 'mean', 'median', 'p90'], (['won', 'lost', 'all'] as const).map((k) => [k, cycle[k].count, days(cycle[k].mean), days(cycle[k].median), days(cycle[k].p90)])));
  out.push('Top owners by won amount');
  out.push(table(['owner', 'won', 'lost', 'win rate', 'won amount'], reps.map((r) => [r.key, r.won, r.lost, pct(r.rate), money(r.wonAmount)])));
  if (svgWritten) out.push(`fan chart written to ${svgWritten}`);
  io.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
