import { DealflowError } from '@dealflow/core';
import type { HistoryEvent, StoredRecord } from '@dealflow/core';
import type { StageInfo } from '../data/options.js';
import { buildTimelines, stageChangeOf, stageKinds, stateAt, type Timeline } from '../data/timeline.js';
import { DAY_MS, toMs } from '../data/time.js';
import { solveLinear } from '../stats/linear.js';

/** Options of {@link fitStageMarkov}. */
export interface StageMarkovOptions {
  /** The deals (every record of the pipeline, open and closed). */
  records: readonly StoredRecord[];
  /** Their history: only what was known at each cutoff is used. */
  history: readonly HistoryEvent[];
  /** The pipeline's stages with their kinds and order. */
  stages: readonly StageInfo[];
  /** Only transitions known at this instant are used (default: all). */
  asOf?: string | Date;
  /** Bands of days spent in the current stage (default [0, 7, 30, 90]); one state per open stage × band. */
  ageBands?: readonly number[];
}

/** A fitted absorbing Markov chain over (open stage, age band) states. */
export interface StageMarkovModel {
  /** Open stages in state order. */
  stages: string[];
  /** Starts of the bands of days in stage (first 0). */
  ageBands: number[];
  /** Observed departures per state: `counts[state][target]`, target = `stage#band` or a closed stage id. */
  counts: Record<string, Record<string, number>>;
  /** P(eventually won) for a record in `stage` that has been there `ageDays` days. */
  winProbability(stage: string, ageDays?: number): number;
  /** Win probability of every record open at `asOf` (default: the fit's asOf), by current stage and age. */
  openDeals(asOf?: string | Date): {
    /** The deal. */
    id: string;
    /** Its stage then. */
    stage: string;
    /** Days it has been in that stage. */
    ageDays: number;
    /** P(eventually won). */
    pWin: number;
  }[];
}

/**
 * Fits stage transition probabilities from history as an absorbing Markov chain: states are
 * (open stage, band of days in stage); from each, a stay either passes into the next age band or
 * leaves to another stage; won / lost / closed stages absorb. Solving (I − Q) x = R·won gives the
 * probability that a record in a given stage and age is eventually won. Stays still open at
 * `asOf` count only the band crossings they made (censoring). States never left in history
 * borrow the nearest younger band of their stage; a stage never left at all uses its
 * `probability` (else 0).
 *
 * @example
 * ```ts
 * const m = fitStageMarkov({ records, history, stages })
 * m.winProbability('proposal', 20) // e.g. 0.41
 * ```
 */
export function fitStageMarkov(options: StageMarkovOptions): StageMarkovModel {
  const kinds = stageKinds(options.stages);
  const open = options.stages.filter((s) => s.kind === 'open').map((s) => s.id);
  const bands = [...(options.ageBands ?? [0, 7, 30, 90])];
  if (bands[0] !== 0 || bands.some((b, i) => i > 0 && b <= bands[i - 1]!)) {
    throw new DealflowError('INPUT_INVALID', `ageBands must start at 0 and increase, got [${bands.join(', ')}]`);
  }
  const nb = bands.length;
  const openIdx = new Map(open.map((s, i) => [s, i]));
  const n = open.length * nb;
  const asMs = options.asOf === undefined ? Number.POSITIVE_INFINITY : toMs(options.asOf, 'asOf');
  // Stays are scanned straight from the events (grouped per record in typed arrays), without
  // building timeline objects: this is the part that runs over millions of events.
  const recIndex = new Map<string, number>();
  options.records.forEach((r, i) => recIndex.set(r.id, i));
  const nRec = options.records.length;
  const counts0 = new Int32Array(nRec + 1);
  const hist = options.history;
  const owner = new Int32Array(hist.length);
  for (let i = 0; i < hist.length; i++) {
    const r = recIndex.get(hist[i]!.recordId);
    owner[i] = r === undefined ? -1 : r;
    if (r !== undefined) counts0[r + 1]!++;
  }
  for (let r = 0; r < nRec; r++) counts0[r + 1]! += counts0[r]!;
  const offsets = Int32Array.from(counts0);
  const order = new Int32Array(offsets[nRec]!);
  const fill = offsets.slice(0, nRec);
  for (let i = 0; i < hist.length; i++) if (owner[i]! >= 0) order[fill[owner[i]!]!++] = i;
  // counts: per state, to each state (n) + won + notWon
  const toState = new Float64Array(n * n);
  const toWon = new Float64Array(n);
  const toLost = new Float64Array(n);
  const departures = new Float64Array(n);
  const bandOf = (days: number): number => {
    let b = 0;
    while (b + 1 < nb && days >= bands[b + 1]!) b++;
    return b;
  };
  const censorAt = Math.min(asMs, Date.now());
  /** Counts one stay: band crossings, and its exit when it ended by asOf. */
  const stay = (recordId: string, stage: string, enteredMs: number, exitedMs: number | null, next: string | null): void => {
    const si = openIdx.get(stage);
    if (si === undefined) {
      if (!kinds.has(stage)) throw new DealflowError('DATA_INVALID', `record '${recordId}' is in stage '${stage}', which is not in stages`);
      return;
    }
    const ended = exitedMs !== null && exitedMs <= asMs;
    const days = ((ended ? exitedMs : censorAt) - enteredMs) / DAY_MS;
    const last = bandOf(days);
    for (let b = 0; b < last; b++) {
      const from = si * nb + b;
      toState[from * n + from + 1]! += 1;
      departures[from]! += 1;
    }
    if (!ended || next === null) return;
    const from = si * nb + last;
    departures[from]! += 1;
    const ti = openIdx.get(next);
    if (ti !== undefined) toState[from * n + ti * nb]! += 1;
    else if (kinds.get(next) === 'won') toWon[from]! += 1;
    else toLost[from]! += 1;
  };
  const events: HistoryEvent[] = [];
  for (let r = 0; r < nRec; r++) {
    const record = options.records[r]!;
    const lo = offsets[r]!, hi = offsets[r + 1]!;
    if (lo === hi) {
      const entered = toMs(record.stageEnteredAt, `record '${record.id}' stageEnteredAt`);
      if (entered <= asMs) stay(record.id, record.stage, entered, null, null);
      continue;
    }
    events.length = 0;
    let sorted = true;
    for (let k = lo; k < hi; k++) {
      const e = hist[order[k]!]!;
      if (events.length > 0 && e.seq < events[events.length - 1]!.seq) sorted = false;
      events.push(e);
    }
    if (!sorted) events.sort((a, b) => a.seq - b.seq);
    let cur: string | null = null;
    let curAt = 0;
    for (const e of events) {
      const to = stageChangeOf(e);
      if (to === undefined) continue;
      const at = toMs(e.at, `history event '${e.id}' of record '${record.id}'`);
      if (at > asMs) break;
      if (cur === null || e.kind === 'created') {
        cur = to;
        curAt = at;
        continue;
      }
      if (to === cur) continue;
      stay(record.id, cur, curAt, at, to);
      cur = to;
      curAt = at;
    }
    if (cur !== null) stay(record.id, cur, curAt, null, null);
  }
  // Fill states never left: borrow the nearest younger band with departures.
  const src = new Int32Array(n).fill(-1);
  for (let si = 0; si < open.length; si++) {
    let lastGood = -1;
    for (let b = 0; b < nb; b++) {
      const k = si * nb + b;
      if (departures[k]! > 0) lastGood = k;
      src[k] = departures[k]! > 0 ? k : lastGood;
    }
  }
  // Build I − Q and R·won, with the borrowed rows (a borrowed "advance to next band" becomes a stay
  // in the same state, i.e. dropped and renormalized).
  const a = new Float64Array(n * n);
  const rhs = new Float64Array(n);
  const counts: Record<string, Record<string, number>> = {};
  const stageProb = new Map(options.stages.map((s) => [s.id, s.probability ?? 0]));
  for (let k = 0; k < n; k++) {
    a[k * n + k] = 1;
    const si = Math.floor(k / nb);
    const name = `${open[si]}#${k % nb}`;
    const row: Record<string, number> = {};
    for (let j = 0; j < n; j++) if (toState[k * n + j]! > 0) row[`${open[Math.floor(j / nb)]}#${j % nb}`] = toState[k * n + j]!;
    if (toWon[k]! > 0) row.won = toWon[k]!;
    if (toLost[k]! > 0) row.notWon = toLost[k]!;
    counts[name] = row;
    const s = src[k]!;
    if (s < 0) {
      rhs[k] = stageProb.get(open[si]!) ?? 0; // absorbing at the stage's nominal probability
      continue;
    }
    let total = departures[s]!;
    // When borrowing from a younger band, its "advance" goes to the band after it, which is k's
    // own band or younger: treat it as staying in k (renormalize without it).
    let skip = 0;
    if (s !== k) skip = toState[s * n + s + 1] ?? 0;
    total -= skip;
    if (total <= 0) {
      rhs[k] = stageProb.get(open[si]!) ?? 0;
      continue;
    }
    for (let j = 0; j < n; j++) {
      const c = toState[s * n + j]!;
      if (c === 0 || (s !== k && j === s + 1)) continue;
      a[k * n + j]! -= c / total;
    }
    rhs[k] = toWon[s]! / total;
  }
  const x = n > 0 ? solveLinear(a, rhs, n) : new Float64Array(0);
  const winProbability = (stage: string, ageDays = 0): number => {
    const kind = kinds.get(stage);
    if (kind === undefined) throw new DealflowError('INPUT_INVALID', `winProbability: unknown stage '${stage}'`);
    if (kind === 'won') return 1;
    if (kind !== 'open') return 0;
    return Math.min(1, Math.max(0, x[openIdx.get(stage)! * nb + bandOf(ageDays)]!));
  };
  let timelines: Timeline[] | null = null;
  const openDeals = (at?: string | Date) => {
    timelines ??= buildTimelines(options.records, options.history);
    const ms = at === undefined ? (Number.isFinite(asMs) ? asMs : Date.now()) : toMs(at, 'asOf');
    const out: { id: string; stage: string; ageDays: number; pWin: number }[] = [];
    for (const t of timelines) {
      const st = stateAt(t, ms);
      if (!st || kinds.get(st.stage) !== 'open') continue;
      const ageDays = (ms - st.enteredMs) / DAY_MS;
      out.push({ id: t.record.id, stage: st.stage, ageDays, pWin: winProbability(st.stage, ageDays) });
    }
    return out;
  };
  return { stages: open, ageBands: bands, counts, winProbability, openDeals };
}
