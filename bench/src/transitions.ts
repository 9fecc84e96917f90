/**
 * Transitions benchmark, side by side in one run on the very same compiled machine and events:
 * - Dealflow's pure `transition()` (candidate selection, JSON-logic guard, next record, history
 *   event, outbox message and notification as data; no store) beside XState's pure `transition()`
 *   (`ratio_pure_vs_transition`);
 * - in-memory `engine.send` (load from the store, the same pure step, history event + outbox
 *   written, events emitted, no live actor) beside XState's live `createActor(machine).send()`
 *   (`ratio_vs_actor_send`).
 * All four must end in the same stage before any time counts.
 *
 * Run: pnpm --dir bench run transitions   (measures the built packages: stale ones are built first,
 *      see support/ensure-built.mjs)
 */
import { createActor, transition } from 'xstate';
import { createEngine, createMemoryStorage, defineBlueprint, toMachineSnapshot, transition as dealflowTransition } from '@dealflow/core';
import type { BlueprintInput, StoredRecord } from '@dealflow/core';

const N = Number(process.env.BENCH_N ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** A sales cycle with guards on every step; the bench drives it around the loop. */
const json: BlueprintInput = {
  id: 'bench-deal',
  version: 1,
  recordType: 'deal',
  initialStage: 'qualified',
  fields: { amount: { type: 'money', currency: 'EUR' }, score: { type: 'number' } },
  stages: [
    { id: 'qualified', kind: 'open', probability: 0.25 },
    { id: 'proposal', kind: 'open', probability: 0.5 },
    { id: 'negotiation', kind: 'open', probability: 0.75 },
    { id: 'won', kind: 'won', probability: 1 },
    { id: 'lost', kind: 'lost', probability: 0 },
  ],
  transitions: [
    { event: 'propose', from: 'qualified', to: 'proposal', guard: { '>': [{ var: 'fields.amount' }, 0] } },
    { event: 'negotiate', from: 'proposal', to: 'negotiation', guard: { and: [{ '>=': [{ var: 'fields.score' }, 10] }, { '<': [{ var: 'fields.amount' }, 1_000_000] }] } },
    { event: 'requalify', from: 'negotiation', to: 'qualified', guard: { '!=': [{ var: 'fields.amount' }, null] } },
    { event: 'win', from: 'negotiation', to: 'won', guard: { '>': [{ var: 'fields.score' }, 1000] } },
    { event: 'lose', from: '*', to: 'lost' },
  ],
};
const CYCLE = ['propose', 'negotiate', 'requalify'] as const;
const FIELDS = { amount: 25_000, score: 42 };

const bp = defineBlueprint(json);
const machine = bp.machine;

function endStage(n: number): string {
  return ['qualified', 'proposal', 'negotiation'][n % 3]!;
}

function benchActor(n: number): { ms: number; stage: string } {
  const actor = createActor(machine, { input: { fields: FIELDS } }).start();
  const events = CYCLE.map((type) => ({ type }));
  const t0 = performance.now();
  for (let i = 0; i < n; i++) actor.send(events[i % 3]!);
  const ms = performance.now() - t0;
  const stage = String(actor.getSnapshot().value);
  actor.stop();
  return { ms, stage };
}

function benchPure(n: number): { ms: number; stage: string } {
  let snap = machine.resolveState({ value: 'qualified', context: { fields: FIELDS, record: null } });
  const events = CYCLE.map((type) => ({ type }));
  const t0 = performance.now();
  for (let i = 0; i < n; i++) [snap] = transition(machine, snap, events[i % 3]!);
  const ms = performance.now() - t0;
  return { ms, stage: String(snap.value) };
}

/** A stored record of the bench blueprint in its initial stage (what `engine.create` writes). */
async function initialRecord(): Promise<StoredRecord> {
  const engine = createEngine({ storage: createMemoryStorage(), blueprints: [bp] });
  return (await engine.create('deal', { fields: FIELDS })).record;
}

function benchDealflowPure(n: number, start: StoredRecord): { ms: number; stage: string } {
  let record = start;
  const ctx = { actor: { id: 'bench', roles: ['rep'] }, now: '2026-03-02T09:00:00.000Z' };
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = dealflowTransition(bp, record, CYCLE[i % 3]!, ctx);
    if (!r.ok) throw new Error(r.rejection.message);
    record = r.next;
  }
  const ms = performance.now() - t0;
  return { ms, stage: record.stage };
}

async function benchEngine(n: number): Promise<{ ms: number; stage: string; historyOk: boolean }> {
  const engine = createEngine({ storage: createMemoryStorage(), blueprints: [bp] });
  let transitions = 0;
  engine.on('transition', () => transitions++);
  const { record } = await engine.create('deal', { fields: FIELDS });
  const ctx = { actor: { id: 'bench', roles: ['rep'] } };
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = await engine.send(record.id, CYCLE[i % 3]!, ctx);
    if (!r.ok) throw new Error(r.rejection.message);
  }
  const ms = performance.now() - t0;
  const stored = (await engine.get(record.id))!;
  const history = await engine.history(record.id);
  const historyOk = history.length === n + 1 && stored.version === n + 1 && transitions === n;
  // the stored record is a valid state of the machine
  toMachineSnapshot(bp, stored);
  return { ms, stage: stored.stage, historyOk };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main() {
  // warm up every path (JIT), then interleave rounds so drift hits all three alike
  const start = await initialRecord();
  benchActor(20_000);
  benchPure(20_000);
  benchDealflowPure(20_000, start);
  await benchEngine(20_000);
  const rates = { actor: [] as number[], pure: [] as number[], dealflowPure: [] as number[], engine: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    const a = benchActor(N);
    const p = benchPure(N);
    const d = benchDealflowPure(N, start);
    const e = await benchEngine(N);
    const want = endStage(N);
    if (a.stage !== want || p.stage !== want || d.stage !== want || e.stage !== want || !e.historyOk) {
      throw new Error(`disagreement: actor ${a.stage}, pure ${p.stage}, dealflow pure ${d.stage}, engine ${e.stage} (want ${want}), history ok ${e.historyOk}`);
    }
    rates.actor.push(N / (a.ms / 1000));
    rates.pure.push(N / (p.ms / 1000));
    rates.dealflowPure.push(N / (d.ms / 1000));
    rates.engine.push(N / (e.ms / 1000));
  }
  const actor = median(rates.actor);
  const pure = median(rates.pure);
  const dealflowPure = median(rates.dealflowPure);
  const engine = median(rates.engine);
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US').padStart(12);
  console.log(`transitions: ${N.toLocaleString('en-US')} guarded events per round, ${ROUNDS} rounds, median rate`);
  console.log('');
  console.log('| path                                   |  events/s    | engine ÷ path |');
  console.log('|----------------------------------------|--------------|---------------|');
  console.log(`| dealflow engine.send (memory store)    | ${fmt(engine)} |          1.00 |`);
  console.log(`| xstate createActor(machine).send()     | ${fmt(actor)} | ${(engine / actor).toFixed(2).padStart(13)} |`);
  console.log(`| xstate transition(machine, snap, ev)   | ${fmt(pure)} | ${(engine / pure).toFixed(2).padStart(13)} |`);
  console.log('');
  console.log('| pure step                              |  events/s    | ÷ xstate transition() |');
  console.log('|----------------------------------------|--------------|-----------------------|');
  console.log(`| dealflow transition(bp, record, ev)    | ${fmt(dealflowPure)} | ${(dealflowPure / pure).toFixed(2).padStart(21)} |`);
  console.log(`| xstate transition(machine, snap, ev)   | ${fmt(pure)} |                  1.00 |`);
  console.log('');
  console.log('engine.send loads the record from the store, selects the transition from the machine\'s state nodes,');
  console.log('evaluates the compiled guard, and writes record + history event + outbox message per event.');
  console.log(
    JSON.stringify({
      bench: 'transitions',
      ratio_vs_actor_send: Number((engine / actor).toFixed(3)),
      ratio_pure_vs_transition: Number((dealflowPure / pure).toFixed(3)),
      ratio_vs_pure_transition: Number((engine / pure).toFixed(3)),
      engine_per_s: Math.round(engine),
      actor_send_per_s: Math.round(actor),
      pure_transition_per_s: Math.round(pure),
      dealflow_transition_per_s: Math.round(dealflowPure),
      events_per_round: N,
      rounds: ROUNDS,
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
