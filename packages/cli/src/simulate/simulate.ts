import { Duration } from 'luxon';
import { createEngine, createManualClock, DealflowError } from '@dealflow/core';
import type { Blueprint, Engine, SalesRulesInput, Storage, CalendarSpec } from '@dealflow/core';
import { createSqliteStorage } from '@dealflow/storage-sqlite';
import { initialFields, randomFieldValue } from './fields.js';
import { TimeHeap } from './heap.js';
import { createSimRng, recordSeed } from './rng.js';
import type { SimRng } from './rng.js';

/** Options of {@link simulate}. */
export interface SimulateOptions {
  /** How many records arrive (spread evenly at random over the period). Default 1000. */
  records?: number;
  /** Length of the simulated period in days. Default 90. */
  days?: number;
  /** Seed of the random source: the same seed gives the same run. Default 1. */
  seed?: number;
  /** When the simulation starts (ISO). Default `2026-01-05T00:00:00Z` (a Monday). */
  start?: string;
  /** Mean time between a record's events (ISO duration). Default `P2D`. */
  meanDwell?: string;
  /** Chance that a non-required field is filled when a record is created. Default 0.8. */
  fillRate?: number;
  /** Step of the moving clock at which due timers are fired (ISO duration). Default `PT1H`. */
  tick?: string;
  /** Engine-level sales rules (assignment, escalations…). */
  rules?: SalesRulesInput;
  /** Extra calendars. */
  calendars?: CalendarSpec[];
  /** The store (default: a fresh in-memory SQLite database, closed at the end). */
  storage?: Storage;
  /** Called as records finish their arrival/steps: `(done, total)` in simulated hours. */
  onProgress?: (done: number, total: number) => void;
}

/** Outcome of a simulation run. */
export interface SimulationReport {
  blueprint: { id: string; version: number };
  records: number;
  days: number;
  seed: number;
  /** Records per stage at the end, in blueprint stage order. */
  stages: Array<{ stage: string; kind: string; count: number; share: number }>;
  transitions: number;
  /** Rejected events by reason (`guard`, `required_fields`, `forbidden`, …). */
  rejections: Record<string, number>;
  /** Deadline breaches, by the stage whose deadline passed. */
  breaches: { total: number; byStage: Record<string, number> };
  reminders: number;
  /**
   * Escalations: transitions fired by timers that moved a record to another stage (a breach
   * sending `escalate`, an escalation rule firing a transition) plus notifications sent by
   * timers (escalation rules' `notify`).
   */
  escalations: { total: number; byEvent: Record<string, number> };
  /** Mean days from arrival to a won stage (null when none won). */
  meanDaysToWin: number | null;
}

const DAY = 86_400_000;

function durationMs(iso: string, what: string): number {
  const d = Duration.fromISO(iso);
  if (!d.isValid || d.toMillis() <= 0) throw new DealflowError('INPUT_INVALID', `${what}: '${iso}' is not a positive ISO-8601 duration (e.g. P2D, PT1H)`);
  return d.toMillis();
}

interface Sim {
  index: number;
  rng: SimRng;
  id?: string;
  arrivedAt: number;
  /** Fields a rejection asked for: supplied with the next event. */
  pending: Record<string, unknown>;
}

/**
 * Events a record may send from its stage, with weights: the stage's deadline event is left to
 * the timer, and events into lost/closed stages are drawn a quarter as often as the others (reps
 * mostly push deals forward), so a `*` → lost transition does not end most records at once.
 */
function eventsFrom(bp: Blueprint, stage: string): Array<{ event: string; weight: number }> {
  const breach = bp.stages.get(stage)?.deadline?.onBreach;
  const out = new Map<string, number>();
  for (const t of bp.transitions) {
    const from = t.from === '*' ? (bp.isFinal(stage) ? [] : [stage]) : Array.isArray(t.from) ? t.from : [t.from];
    if (!from.includes(stage) || t.event === breach || out.has(t.event)) continue;
    const kind = bp.stages.get(t.to)?.kind;
    out.set(t.event, kind === 'lost' || kind === 'closed' ? 0.25 : 1);
  }
  return [...out].map(([event, weight]) => ({ event, weight }));
}

function pickWeighted(items: Array<{ event: string; weight: number }>, u: number): string {
  const total = items.reduce((a, x) => a + x.weight, 0);
  let acc = 0;
  for (const x of items) {
    acc += x.weight / total;
    if (u < acc) return x.event;
  }
  return items[items.length - 1]!.event;
}

/**
 * Drives generated records through a blueprint on an embedded store with a moving clock: records
 * arrive at random times, send random events their stage handles (rejections count, and missing
 * required fields are filled on the next try), and due timers fire as the clock moves. Each record
 * draws from its own seeded stream, so running the same seed on a changed blueprint (`what-if`)
 * changes only what the change causes.
 *
 * @example
 * ```ts
 * const report = await simulate(defineBlueprint(json), { records: 1000, days: 90, seed: 1 })
 * console.log(report.stages, report.breaches.total)
 * ```
 */
export async function simulate(blueprint: Blueprint, options: SimulateOptions = {}): Promise<SimulationReport> {
  const records = options.records ?? 1000;
  const days = options.days ?? 90;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(records) || records < 0) throw new DealflowError('INPUT_INVALID', `simulate: records must be a whole number ≥ 0, got ${records}`);
  if (!(days > 0)) throw new DealflowError('INPUT_INVALID', `simulate: days must be > 0, got ${days}`);
  if (!Number.isInteger(seed)) throw new DealflowError('INPUT_INVALID', `simulate: seed must be an integer, got ${seed}`);
  const start = Date.parse(options.start ?? '2026-01-05T00:00:00Z');
  if (Number.isNaN(start)) throw new DealflowError('INPUT_INVALID', `simulate: start '${options.start}' is not an ISO time`);
  const dwell = durationMs(options.meanDwell ?? 'P2D', 'simulate: meanDwell');
  const tick = durationMs(options.tick ?? 'PT1H', 'simulate: tick');
  const fillRate = options.fillRate ?? 0.8;
  const end = start + days * DAY;

  const ownStorage = options.storage === undefined;
  const storage = options.storage ?? createSqliteStorage({ filename: ':memory:' });
  const clock = createManualClock(new Date(start));
  const engine: Engine = createEngine({
    storage,
    blueprints: [blueprint],
    clock,
    ...(options.rules ? { rules: options.rules } : {}),
    ...(options.calendars ? { calendars: options.calendars } : {}),
  });
  const rejections: Record<string, number> = {};
  const breachesByStage: Record<string, number> = {};
  const escalationsByEvent: Record<string, number> = {};
  let breaches = 0;
  let reminders = 0;
  let transitions = 0;
  let escalations = 0;
  const wonAt = new Map<string, number>();
  engine.on('deadline.breached', (e) => {
    breaches++;
    breachesByStage[e.stage] = (breachesByStage[e.stage] ?? 0) + 1;
  });
  engine.on('reminder', () => reminders++);
  // records whose timers may have changed: their pending timers' due times are noted after each
  // step, so the moving clock only asks the store for due timers when one can be due
  const dirty = new Set<string>();
  const timerDue = new TimeHeap<null>();
  engine.on('created', (e) => dirty.add(e.record.id));
  const noteTimers = async () => {
    for (const id of dirty) for (const t of await engine.timers(id, { status: ['pending'] })) timerDue.push(Date.parse(t.dueAt), null);
    dirty.clear();
  };
  engine.on('rejected', (r) => {
    rejections[r.reason] = (rejections[r.reason] ?? 0) + 1;
  });
  engine.on('transition', (e) => {
    transitions++;
    dirty.add(e.record.id);
    if (e.history.data.timer !== undefined && e.from !== e.to) {
      escalations++;
      escalationsByEvent[e.event] = (escalationsByEvent[e.event] ?? 0) + 1;
    }
    if (blueprint.stages.get(e.to)?.kind === 'won') wonAt.set(e.record.id, Date.parse(e.history.at));
  });
  engine.on('notify', (n) => {
    if (n.record && n.data && (n.data as { escalationId?: unknown }).escalationId !== undefined) {
      escalations++;
      escalationsByEvent.notify = (escalationsByEvent.notify ?? 0) + 1;
    }
  });

  const heap = new TimeHeap<Sim>();
  const sims: Sim[] = [];
  const arrivalRng = createSimRng(recordSeed(seed, -1));
  for (let i = 0; i < records; i++) {
    const at = start + arrivalRng.next() * days * DAY;
    const sim: Sim = { index: i, rng: createSimRng(recordSeed(seed, i)), arrivedAt: at, pending: {} };
    sims.push(sim);
    heap.push(at, sim);
  }
  const reps = Array.from({ length: 8 }, (_, k) => `rep-${k + 1}`);
  const steps = Math.ceil((end - start) / tick);
  const daySteps = Math.max(1, Math.round(DAY / tick));
  try {
    for (let s = 1; s <= steps; s++) {
      const until = Math.min(start + s * tick, end);
      while (heap.peekTime() <= until) {
        const { at, value: sim } = heap.pop()!;
        clock.set(new Date(at));
        await step(engine, blueprint, sim, reps, fillRate, dwell, heap, at, clock.now());
      }
      await noteTimers();
      clock.set(new Date(until));
      if (timerDue.peekTime() <= until || s % daySteps === 0) {
        while (timerDue.peekTime() <= until) timerDue.pop();
        await engine.runDue(new Date(until));
        await noteTimers();
      }
      options.onProgress?.(s, steps);
    }
    const counts = new Map<string, number>();
    for (const r of await engine.query({ blueprintId: blueprint.id })) counts.set(r.stage, (counts.get(r.stage) ?? 0) + 1);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const arrivedAt = new Map(sims.map((x) => [x.id, x.arrivedAt]));
    const won = [...wonAt.entries()].map(([id, t]) => t - (arrivedAt.get(id) ?? t));
    return {
      blueprint: { id: blueprint.id, version: blueprint.version },
      records,
      days,
      seed,
      stages: blueprint.spec.stages.map((st) => ({ stage: st.id, kind: st.kind, count: counts.get(st.id) ?? 0, share: total > 0 ? (counts.get(st.id) ?? 0) / total : 0 })),
      transitions,
      rejections,
      breaches: { total: breaches, byStage: breachesByStage },
      reminders,
      escalations: { total: escalations, byEvent: escalationsByEvent },
      meanDaysToWin: won.length > 0 ? won.reduce((a, b) => a + b, 0) / won.length / DAY : null,
    };
  } finally {
    if (ownStorage) await storage.close();
  }
}

async function step(engine: Engine, bp: Blueprint, sim: Sim, reps: string[], fillRate: number, dwell: number, heap: TimeHeap<Sim>, at: number, now: Date): Promise<void> {
  const rng = sim.rng;
  if (sim.id === undefined) {
    const owner = rng.pick(reps);
    const { record } = await engine.create(bp.recordType, { fields: initialFields(bp.fields, rng, now, fillRate), ownerId: owner }, { actor: { id: owner, roles: ['rep'] } });
    sim.id = record.id;
    heap.push(at + rng.exp(dwell), sim);
    return;
  }
  const record = await engine.get(sim.id);
  if (!record || bp.isFinal(record.stage)) return;
  const events = eventsFrom(bp, record.stage);
  const draw = rng.next();
  const extra = rng.next();
  if (events.length > 0) {
    const event = pickWeighted(events, draw);
    const fields = Object.keys(sim.pending).length > 0 ? sim.pending : undefined;
    const res = await engine.send(record.id, fields ? { type: event, fields } : event, { actor: { id: record.ownerId ?? 'rep-1', roles: ['rep'] } });
    if (res.ok) sim.pending = {};
    else if (res.rejection.reason === 'required_fields') {
      // the rep fills what was missing before trying again
      const sub = createSimRngFrom(extra);
      for (const f of res.rejection.missingFields) {
        const spec = bp.fields[f];
        if (spec) sim.pending[f] = randomFieldValue(f, spec, sub, now);
      }
    }
    if (res.ok && bp.isFinal(res.record.stage)) return;
  }
  heap.push(at + rng.exp(dwell), sim);
}

function createSimRngFrom(u: number): SimRng {
  return createSimRng(Math.floor(u * 4294967296));
}
