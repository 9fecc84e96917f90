/**
 * Stage-time properties (HubSpot's "date entered / date exited / latest time in / cumulative time
 * in" per stage), kept by the engine in `record.meta.stageTimes` on every stage change, so rules
 * (`record.stageTimes.<stage>.cumulativeMs`) and reports can use them without reading history.
 */

/** Times of one stage of one record. Durations in milliseconds of wall-clock time. */
export interface StageTime {
  /** First time the record entered the stage. */
  firstEnteredAt: string;
  /** Latest time it entered the stage. */
  enteredAt: string;
  /** Latest time it left the stage (null: never left). */
  exitedAt: string | null;
  /** Length of the latest completed stay (null: no stay completed yet). */
  latestMs: number | null;
  /** Sum of all completed stays (the ongoing one is added by {@link stageTimesAt}). */
  cumulativeMs: number;
  /** How many times it entered the stage. */
  visits: number;
}

/** Stage id → its times. */
export type StageTimes = Record<string, StageTime>;

/** Meta key the engine keeps stage times under. */
export const STAGE_TIMES_META = 'stageTimes';

/** A new top-level object; entries are shared (they are never changed in place: updates replace them). */
function copy(times: StageTimes | undefined): StageTimes {
  return times ? { ...times } : {};
}

function entry(firstEnteredAt: string, enteredAt: string, exitedAt: string | null, latestMs: number | null, cumulativeMs: number, visits: number): StageTime {
  // built whole with the properties in one order, so every entry shares one hidden class
  return { firstEnteredAt, enteredAt, exitedAt, latestMs, cumulativeMs, visits };
}

function enter(out: StageTimes, stage: string, at: string): void {
  const cur = out[stage];
  out[stage] = cur ? entry(cur.firstEnteredAt, at, cur.exitedAt, cur.latestMs, cur.cumulativeMs, cur.visits + 1) : entry(at, at, null, null, 0, 1);
}

/** Stage times of a record just created in `stage`. */
export function initialStageTimes(stage: string, at: string): StageTimes {
  const out: StageTimes = {};
  enter(out, stage, at);
  return out;
}

/** Milliseconds of an ISO time (the last few answers are kept: a move parses the time the previous move wrote). */
const parsed = new Map<string, number>();
function millis(iso: string): number {
  let ms = parsed.get(iso);
  if (ms === undefined) {
    ms = Date.parse(iso);
    if (parsed.size >= 64) parsed.clear();
    parsed.set(iso, ms);
  }
  return ms;
}

/**
 * Stage times after a move `from` → `to` at `at` (a new object; the input is not changed).
 * A record without times (created before stage times existed) starts counting `from` at
 * `fromEnteredAt`.
 */
export function moveStageTimes(times: StageTimes | undefined, from: string, to: string, at: string, fromEnteredAt: string): StageTimes {
  const out = copy(times);
  if (from === to) return out;
  if (!out[from]) enter(out, from, fromEnteredAt);
  const f = out[from]!;
  const stay = Math.max(0, millis(at) - millis(f.enteredAt));
  out[from] = entry(f.firstEnteredAt, f.enteredAt, at, stay, f.cumulativeMs + stay, f.visits);
  enter(out, to, at);
  return out;
}

/**
 * Stage times when a migration maps stage `from` to `to` (rename or split): the times recorded
 * under `from` are carried to `to` (merged when `to` already has times of its own).
 */
export function renameStageTimes(times: StageTimes | undefined, from: string, to: string): StageTimes {
  const out = copy(times);
  if (from === to || !out[from]) return out;
  const a = out[from]!;
  const b = out[to];
  delete out[from];
  out[to] = b
    ? {
        firstEnteredAt: a.firstEnteredAt < b.firstEnteredAt ? a.firstEnteredAt : b.firstEnteredAt,
        enteredAt: a.enteredAt > b.enteredAt ? a.enteredAt : b.enteredAt,
        exitedAt: a.exitedAt === null || b.exitedAt === null ? (a.enteredAt > b.enteredAt ? a.exitedAt : b.exitedAt) : a.exitedAt > b.exitedAt ? a.exitedAt : b.exitedAt,
        latestMs: a.enteredAt > b.enteredAt ? a.latestMs : b.latestMs,
        cumulativeMs: a.cumulativeMs + b.cumulativeMs,
        visits: a.visits + b.visits,
      }
    : a;
  return out;
}

/** One stage's times as of a moment, with the ongoing stay counted. */
export interface StageTimeAt extends StageTime {
  /** Whether the record is in this stage now. */
  current: boolean;
  /** Length of the ongoing stay (null when not in the stage). */
  currentMs: number | null;
  /** Cumulative time including the ongoing stay. */
  totalMs: number;
}

/**
 * A record's stage times as of `now` (ongoing stay included), for reports and dashboards.
 *
 * @example
 * ```ts
 * const t = stageTimesAt(await engine.get(id), new Date())
 * t.negotiate?.totalMs   // all the time spent negotiating, including now
 * t.negotiate?.visits    // how often it came back to negotiation
 * ```
 */
export function stageTimesAt(record: { stage: string; stageEnteredAt: string; meta: Record<string, unknown> }, now: string | Date): Record<string, StageTimeAt> {
  const at = typeof now === 'string' ? now : now.toISOString();
  let times = record.meta[STAGE_TIMES_META] as StageTimes | undefined;
  if (!times?.[record.stage]) {
    times = copy(times);
    enter(times, record.stage, record.stageEnteredAt);
  }
  const out: Record<string, StageTimeAt> = {};
  for (const [stage, t] of Object.entries(times)) {
    const current = stage === record.stage;
    const currentMs = current ? Math.max(0, Date.parse(at) - Date.parse(t.enteredAt)) : null;
    out[stage] = { ...t, current, currentMs, totalMs: t.cumulativeMs + (currentMs ?? 0) };
  }
  return out;
}
