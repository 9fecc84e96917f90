import { DealflowError } from '@dealflow/core';
import { DAY_MS, toMs } from '../data/time.js';
import { summarize, type Summary } from '../stats/quantile.js';
import { prepareReport, type ReportInput } from './input.js';

/** Conversion out of one stage. */
export interface StageConversion {
  /** The stage id. */
  stage: string;
  /** Records that ever entered the stage (counted once per record). */
  entered: number;
  /** Records that moved from this stage to each next stage (once per record and target). */
  movedTo: Record<string, number>;
  /** movedTo / entered. */
  rates: Record<string, number>;
  /** Share of records that entered this stage and were later won. */
  winRate: number;
}

/**
 * Stage-to-stage conversion rates from history: for each stage, how many records entered it and
 * which share moved on to each next stage, plus the share later won.
 *
 * @example
 * ```ts
 * conversionRates({ records, history, stages }).find((c) => c.stage === 'engaging')?.rates.won
 * ```
 */
export function conversionRates(input: ReportInput): StageConversion[] {
  const data = prepareReport(input);
  const out = new Map(input.stages.map((s) => [s.id, { stage: s.id, entered: 0, movedTo: {} as Record<string, number>, rates: {} as Record<string, number>, winRate: 0, won: 0 }]));
  data.timelines.forEach((t, i) => {
    const entered = new Set<string>();
    const moved = new Set<string>();
    for (const s of t.stays) {
      entered.add(s.stage);
      if (s.next) moved.add(`${s.stage}\u0000${s.next}`);
    }
    const won = data.closes[i]?.won === true;
    for (const st of entered) {
      const o = out.get(st)!;
      o.entered++;
      if (won) o.won++;
    }
    for (const key of moved) {
      const [from, to] = key.split('\u0000') as [string, string];
      const o = out.get(from)!;
      o.movedTo[to] = (o.movedTo[to] ?? 0) + 1;
    }
  });
  return [...out.values()].map(({ won, ...o }) => {
    for (const [to, n] of Object.entries(o.movedTo)) o.rates[to] = n / o.entered;
    return { ...o, winRate: o.entered > 0 ? won / o.entered : Number.NaN };
  });
}

/** Time spent in one stage, in days, over completed stays. */
export interface StageTime extends Summary {
  /** The stage id. */
  stage: string;
}

/**
 * Time in stage (days): count, mean, median and p90 (type-7 quantiles) of completed stays, i.e.
 * stays that ended by `asOf` (default: now). Open stays are not counted (see `timeToClose` for a
 * censoring-aware view).
 *
 * @example
 * ```ts
 * timeInStage({ records, history, stages }).map((s) => `${s.stage}: median ${s.median} d, p90 ${s.p90} d`)
 * ```
 */
export function timeInStage(input: ReportInput & { asOf?: string | Date }): StageTime[] {
  const data = prepareReport(input);
  const asMs = input.asOf === undefined ? Number.POSITIVE_INFINITY : toMs(input.asOf, 'asOf');
  const byStage = new Map<string, number[]>(input.stages.map((s) => [s.id, []]));
  for (const t of data.timelines) {
    for (const s of t.stays) {
      if (s.exitedMs !== null && s.exitedMs <= asMs) byStage.get(s.stage)!.push((s.exitedMs - s.enteredMs) / DAY_MS);
    }
  }
  return input.stages.map((s) => ({ stage: s.id, ...summarize(byStage.get(s.id)!) }));
}

/** SLA breaches of one stage. */
export interface StageSla {
  /** The stage id. */
  stage: string;
  /** Its limit, in days. */
  limitDays: number;
  /** Stays whose outcome is known at `asOf`: ended, or still open but already past the limit. */
  stays: number;
  /** Of them, longer than the limit. */
  breached: number;
  /** breached / stays. */
  rate: number;
}

/**
 * SLA breach rate per stage: a stay breaches when it lasts longer than the stage's limit (days).
 * Open stays count once they pass the limit; open stays still within it are not yet decided and
 * left out.
 *
 * @example
 * ```ts
 * slaBreachRate({ records, history, stages, sla: { qualified: 3, proposal: 10 }, asOf: new Date() })
 * ```
 */
export function slaBreachRate(input: ReportInput & { sla: Record<string, number>; asOf?: string | Date }): StageSla[] {
  const data = prepareReport(input);
  const asMs = input.asOf === undefined ? Date.now() : toMs(input.asOf, 'asOf');
  const out: StageSla[] = [];
  for (const [stage, limitDays] of Object.entries(input.sla)) {
    if (!data.kinds.has(stage)) throw new DealflowError('INPUT_INVALID', `sla names unknown stage '${stage}'`, { problems: [{ path: `sla.${stage}`, message: 'unknown stage' }] });
    if (!(limitDays >= 0)) throw new DealflowError('INPUT_INVALID', `sla.${stage} must be a non-negative number of days, got ${limitDays}`);
    let stays = 0, breached = 0;
    for (const t of data.timelines) {
      for (const s of t.stays) {
        if (s.stage !== stage || s.enteredMs > asMs) continue;
        const ended = s.exitedMs !== null && s.exitedMs <= asMs;
        const days = ((ended ? s.exitedMs! : asMs) - s.enteredMs) / DAY_MS;
        if (!ended && days <= limitDays) continue;
        stays++;
        if (days > limitDays) breached++;
      }
    }
    out.push({ stage, limitDays, stays, breached, rate: stays > 0 ? breached / stays : Number.NaN });
  }
  return out;
}
