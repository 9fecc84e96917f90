/**
 * Forecast engine speed, each beside a naive baseline in the same run:
 * 1. Monte Carlo of bookings: 10 000 deals × 10 000 trials (typed arrays, seeded sfc32) vs an
 *    object-per-deal loop with a closure RNG and an array of totals.
 * 2. Fitting the stage Markov model (stage × age-band absorbing chain) on 1 000 000 history
 *    events vs a string-keyed, object-based fit solved by power iteration.
 * Last line: one JSON object.
 */
import type { HistoryEvent, StoredRecord } from '@dealflow/core';
import { createRng, fitStageMarkov, simulateBookings, type StageInfo } from '@dealflow/forecast';

const ms = (f: () => void): number => {
  const t = performance.now();
  f();
  return performance.now() - t;
};

// ---------- 1. Monte Carlo ----------
const DEALS = 10_000;
const TRIALS = 10_000;
const rng = createRng(2024);
const probabilities = new Float64Array(DEALS);
const amounts = new Float64Array(DEALS);
for (let i = 0; i < DEALS; i++) {
  probabilities[i] = rng.next();
  amounts[i] = Math.round(500 + 20_000 * rng.next() ** 3);
}
let fast = simulateBookings({ probabilities, amounts, trials: 100, seed: 1 }); // warm-up
const mcFastMs = ms(() => {
  fast = simulateBookings({ probabilities, amounts, trials: TRIALS, seed: 1 });
});

function naiveSimulate(deals: { p: number; amount: number }[], trials: number, seed: number) {
  const r = createRng(seed);
  const totals: number[] = [];
  for (let t = 0; t < trials; t++) {
    let total = 0;
    for (const d of deals) if (r.next() < d.p) total += d.amount;
    totals.push(total);
  }
  totals.sort((a, b) => a - b);
  const q = (x: number) => totals[Math.floor(x * (totals.length - 1))]!;
  return { p10: q(0.1), p50: q(0.5), p90: q(0.9) };
}
const objects = Array.from(probabilities, (p, i) => ({ p, amount: amounts[i]! }));
naiveSimulate(objects, 10, 1);
// The baseline runs the full 10 000 × 10 000 too.
let slow = { p10: 0, p50: 0, p90: 0 };
const mcNaiveMs = ms(() => {
  slow = naiveSimulate(objects, TRIALS, 1);
});

// ---------- 2. Markov fit on 1 000 000 history events ----------
const STAGES: StageInfo[] = [
  { id: 'new', kind: 'open' },
  { id: 'qualified', kind: 'open' },
  { id: 'proposal', kind: 'open' },
  { id: 'negotiation', kind: 'open' },
  { id: 'won', kind: 'won' },
  { id: 'lost', kind: 'lost' },
];
const order = ['new', 'qualified', 'proposal', 'negotiation'];
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
const records: StoredRecord[] = [];
const history: HistoryEvent[] = [];
const g = createRng(7);
let nRec = 0;
while (history.length < 1_000_000) {
  const id = `d${nRec++}`;
  let at = T0 + Math.floor(g.next() * 365) * DAY;
  const created = at;
  let seq = 0;
  const push = (kind: string, from: string | undefined, to: string) =>
    history.push({ tenantId: 't', id: `${id}:${++seq}`, recordId: id, seq, at: new Date(at).toISOString(), kind, from, to, data: {} });
  push('created', undefined, 'new');
  let stage = 'new';
  for (let s = 0; s < order.length && history.length < 1_000_000; s++) {
    at += Math.floor(1 + g.next() * 40) * DAY;
    const u = g.next();
    const next = u < 0.2 ? 'lost' : s === order.length - 1 ? (u < 0.65 ? 'won' : 'lost') : order[s + 1]!;
    push('transition', stage, next);
    stage = next;
    if (next === 'won' || next === 'lost') break;
  }
  records.push({
    tenantId: 't', id, type: 'deal', blueprintId: 'b', blueprintVersion: 1, stage, version: seq, fields: {}, ownerId: null, teamId: null, meta: {},
    stageEnteredAt: new Date(at).toISOString(), createdAt: new Date(created).toISOString(), updatedAt: new Date(at).toISOString(),
  });
}
const BANDS = [0, 7, 30, 90];
const asOf = new Date(T0 + 500 * DAY).toISOString();
let model = fitStageMarkov({ records: records.slice(0, 1000), history: history.slice(0, 3000), stages: STAGES, ageBands: BANDS, asOf });
const markovFastMs = ms(() => {
  model = fitStageMarkov({ records, history, stages: STAGES, ageBands: BANDS, asOf });
});

/** Baseline: group events per record in an object, count "from|to" string keys, power-iterate. */
function naiveMarkov(events: HistoryEvent[]) {
  const byRec: Record<string, HistoryEvent[]> = {};
  for (const e of events) (byRec[e.recordId] ??= []).push(e);
  const counts: Record<string, Record<string, number>> = {};
  const band = (d: number) => (d >= 90 ? 3 : d >= 30 ? 2 : d >= 7 ? 1 : 0);
  const asMs = Date.parse(asOf);
  for (const evs of Object.values(byRec)) {
    evs.sort((a, b) => a.seq - b.seq);
    for (let i = 0; i < evs.length; i++) {
      const e = evs[i]!;
      if (!order.includes(e.to!)) continue;
      const start = Date.parse(e.at);
      const nextE = evs[i + 1];
      const end = nextE ? Date.parse(nextE.at) : asMs;
      const days = (end - start) / DAY;
      for (let b = 0; b < band(days); b++) {
        const k = `${e.to}#${b}`;
        (counts[k] ??= {})[`${e.to}#${b + 1}`] = (counts[k]![`${e.to}#${b + 1}`] ?? 0) + 1;
      }
      if (nextE) {
        const k = `${e.to}#${band(days)}`;
        const to = order.includes(nextE.to!) ? `${nextE.to}#0` : nextE.to!;
        (counts[k] ??= {})[to] = (counts[k]![to] ?? 0) + 1;
      }
    }
  }
  let p: Record<string, number> = { won: 1, lost: 0 };
  for (let it = 0; it < 500; it++) {
    const np: Record<string, number> = { won: 1, lost: 0 };
    for (const [k, row] of Object.entries(counts)) {
      const tot = Object.values(row).reduce((a, b) => a + b, 0);
      np[k] = Object.entries(row).reduce((s, [to, c]) => s + (c / tot) * (p[to] ?? 0), 0);
    }
    p = np;
  }
  return p;
}
let naiveP: Record<string, number> = {};
const markovNaiveMs = ms(() => {
  naiveP = naiveMarkov(history);
});

// ---------- report ----------
const pad = (s: string, n: number) => s.padEnd(n);
console.log(`${pad('task', 52)}${pad('dealflow', 12)}${pad('baseline', 12)}ratio`);
console.log(
  `${pad(`Monte Carlo ${DEALS.toLocaleString('en')} deals × ${TRIALS.toLocaleString('en')} trials`, 52)}${pad(`${mcFastMs.toFixed(0)} ms`, 12)}${pad(`${mcNaiveMs.toFixed(0)} ms`, 12)}${(mcNaiveMs / mcFastMs).toFixed(1)}×`,
);
console.log(
  `${pad(`Markov fit on ${history.length.toLocaleString('en')} history events (${records.length.toLocaleString('en')} deals)`, 52)}${pad(`${markovFastMs.toFixed(0)} ms`, 12)}${pad(`${markovNaiveMs.toFixed(0)} ms`, 12)}${(markovNaiveMs / markovFastMs).toFixed(1)}×`,
);
console.log('');
console.log(`MC quantiles  dealflow P10/P50/P90 ${fast.p10.toFixed(0)} / ${fast.p50.toFixed(0)} / ${fast.p90.toFixed(0)}; baseline ${slow.p10} / ${slow.p50} / ${slow.p90}`);
console.log(`P(win | new, 0 d): dealflow ${model.winProbability('new', 0).toFixed(4)}, baseline ${(naiveP['new#0'] ?? 0).toFixed(4)}`);
console.log(
  JSON.stringify({
    bench: 'forecast',
    mc_deals: DEALS,
    mc_trials: TRIALS,
    mc_ms: +mcFastMs.toFixed(1),
    mc_baseline_ms: +mcNaiveMs.toFixed(1),
    mc_ratio_vs_naive: +(mcNaiveMs / mcFastMs).toFixed(2),
    markov_events: history.length,
    markov_ms: +markovFastMs.toFixed(1),
    markov_baseline_ms: +markovNaiveMs.toFixed(1),
    markov_ratio_vs_naive: +(markovNaiveMs / markovFastMs).toFixed(2),
  }),
);
