import { Duration } from 'luxon';
import { createEngine, createManualClock, createMemoryDirectory, DealflowError } from '@dealflow/core';
import type { Blueprint, CalendarSpec, Directory, Engine, SalesRulesInput, Storage, TimerRecord } from '@dealflow/core';
import { initialFields, randomFieldValue } from './fields.js';
import { TimeHeap } from './heap.js';
import { createSimRng, recordSeed } from './rng.js';
import type { SimRng } from './rng.js';
import { drawField, scenarioFieldsFor } from './scenario.js';
import type { FieldDistribution, Scenario } from './scenario.js';
import { createSimulationStorage } from './store.js';

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
  /** Field distributions and event weights (a scenario file's content). */
  scenario?: Scenario;
  /** Engine-level sales rules (assignment, escalations…). */
  rules?: SalesRulesInput;
  /** Extra calendars. */
  calendars?: CalendarSpec[];
  /**
   * Reps and teams for the sales rules. Default: {@link simulatedTeam} (reps `rep-1`…`rep-8` in
   * team `sales`, managed by `mgr-1`, whose manager is `dir-1`), the reps who own and move the
   * generated records.
   */
  directory?: Directory;
  /**
   * The store (default: the memory store without history and outbox, closed at the end; memory
   * then holds records and timers only).
   */
  storage?: Storage;
  /** Called about every 2 000 steps and at the end: simulated time done and total (ms), and steps so far. */
  onProgress?: (progress: SimulationProgress) => void;
}

/** Where a running simulation is (see {@link SimulateOptions.onProgress}). */
export interface SimulationProgress {
  /** Simulated milliseconds done. */
  done: number;
  /** Simulated milliseconds in total (`days` × one day). */
  total: number;
  /** Record steps and timer firings so far. */
  steps: number;
}

/** How often one rule or requirement turned an event down. */
export interface RejectionCount {
  /** The rejection reason (`guard`, `required_fields`, `forbidden`, `approval_pending`, …). */
  reason: string;
  /** The event turned down. */
  event: string;
  /** The stage the record was in. */
  stage: string;
  /** JSON path of the rule that said no (a guard, an `allow` rule, an approval), when there is one. */
  rule?: string;
  /** For `required_fields`: the missing fields. */
  fields?: string[];
  /** How often, over the whole run. */
  count: number;
}

/** Outcome of a simulation run. */
export interface SimulationReport {
  /** The blueprint simulated. */
  blueprint: {
    /** Its id. */
    id: string;
    /** Its version. */
    version: number;
  };
  /** Records created (spread over the run). */
  records: number;
  /** Simulated days. */
  days: number;
  /** The random seed: the same seed, inputs and options give the same report. */
  seed: number;
  /** Records per stage at the end, in blueprint stage order. */
  stages: Array<{
    /** The stage id. */
    stage: string;
    /** Its kind (`open`, `won`, `lost`, `closed`). */
    kind: string;
    /** Records in it at the end. */
    count: number;
    /** `count` ÷ `records` (0–1). */
    share: number;
  }>;
  /** Transitions that went through (sent by reps or fired by timers). */
  transitions: number;
  /** Rejected events by reason (`guard`, `required_fields`, `forbidden`, …). */
  rejections: Record<string, number>;
  /** Which guard, rule or missing field rejected how often, most frequent first. */
  rejectedBy: RejectionCount[];
  /** Deadline breaches, by the stage whose deadline passed. */
  breaches: {
    /** All breaches. */
    total: number;
    /** Breaches per stage id. */
    byStage: Record<string, number>;
  };
  /** Deadline reminders fired. */
  reminders: number;
  /**
   * Escalations: transitions fired by timers that moved a record to another stage (a breach
   * sending `escalate`, an escalation rule firing a transition) plus notifications sent by
   * timers (escalation rules' `notify`).
   */
  escalations: {
    /** All escalations. */
    total: number;
    /** Escalations per event fired (or `notify`). */
    byEvent: Record<string, number>;
  };
  /** Approvals the simulated manager decided (approving 4 in 5). */
  approvals: {
    /** Held events approved (they then went through). */
    approved: number;
    /** Held events turned down. */
    rejected: number;
  };
  /** Mean days from arrival to a won stage (null when none won). */
  meanDaysToWin: number | null;
}

const DAY = 86_400_000;
const REPS = Array.from({ length: 8 }, (_, k) => `rep-${k + 1}`);
const MANAGER = { id: 'mgr-1', roles: ['manager'] };

/**
 * The directory a simulation uses by default: reps `rep-1`…`rep-8` (role `rep`) in team `sales`,
 * managed by `mgr-1` (role `manager`), whose manager is `dir-1` (role `director`).
 *
 * @example
 * ```ts
 * import { simulatedTeam } from '@dealflow/cli';
 * console.log(simulatedTeam().getRep('rep-1')?.managerId); // 'mgr-1'
 * ```
 */
export function simulatedTeam() {
  return createMemoryDirectory({
    reps: [
      ...REPS.map((id) => ({ id, roles: ['rep'], managerId: MANAGER.id, teamIds: ['sales'] })),
      { id: MANAGER.id, roles: MANAGER.roles, managerId: 'dir-1', teamIds: ['sales'] },
      { id: 'dir-1', roles: ['director'] },
    ],
    teams: [{ id: 'sales', managerId: MANAGER.id, memberIds: REPS }],
  });
}

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
  stage?: string;
  /** The rep who owns the record (and sends its events). */
  owner?: string;
  /** Fields a rejection asked for: supplied with the next event (absent when none: most records never need it). */
  pending?: Record<string, unknown>;
  /** True while an event waits for the manager's approval. */
  awaitingApproval?: boolean;
  /** Ids of the record's pending timers as last read (a popped timer not among them is stale; absent when none). */
  timers?: Set<string>;
}

/** One item of the simulation's agenda: a record's next step, or one of its timers. */
type Due = { sim: Sim; timer?: TimerRecord };

/**
 * Events a record may send from its stage, with weights: the stage's deadline event is left to
 * the timer, and events into lost/closed stages are drawn a quarter as often as the others (reps
 * mostly push deals forward), so a `*` → lost transition does not end most records at once.
 */
function eventsFrom(bp: Blueprint, stage: string, weights: Readonly<Record<string, number>>): Array<{ event: string; weight: number }> {
  const breach = bp.stages.get(stage)?.deadline?.onBreach;
  const out = new Map<string, number>();
  for (const t of bp.transitions) {
    const from = t.from === '*' ? (bp.isFinal(stage) ? [] : [stage]) : Array.isArray(t.from) ? t.from : [t.from];
    if (!from.includes(stage) || t.event === breach || out.has(t.event)) continue;
    const kind = bp.stages.get(t.to)?.kind;
    out.set(t.event, weights[t.event] ?? (kind === 'lost' || kind === 'closed' ? 0.25 : 1));
  }
  return [...out].filter(([, weight]) => weight > 0).map(([event, weight]) => ({ event, weight }));
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
 * Drives generated records through a blueprint with a moving clock: records arrive at random
 * times, send random events their stage handles (rejections are counted by the rule that said
 * no, and missing required fields are filled on the next try), and their deadline, reminder and
 * escalation timers fire when due, through the engine's own send path. One agenda (a heap by
 * time) holds each record's next step and its timers, so the run is linear in records × steps;
 * the store keeps records and timers, not history, so memory stays flat per record. Each record
 * draws from its own seeded stream: the same seed on a changed blueprint (`what-if`) changes
 * only what the change causes.
 *
 * @example
 * ```ts
 * import { defineBlueprint } from '@dealflow/core';
 * import { simulate } from '@dealflow/cli';
 * const deal = defineBlueprint({ id: 'deal', version: 1, recordType: 'deal', initialStage: 'open',
 *   stages: [{ id: 'open' }, { id: 'won', kind: 'won' }, { id: 'lost', kind: 'lost' }],
 *   transitions: [{ event: 'win', from: 'open', to: 'won' }, { event: 'lose', from: 'open', to: 'lost' }] });
 * const report = await simulate(deal, { records: 1000, days: 90, seed: 1 });
 * console.log(report.stages, report.rejectedBy);
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
  const scenario = options.scenario;
  const dwell = durationMs(scenario?.dwell ?? options.meanDwell ?? 'P2D', 'simulate: meanDwell');
  const fillRate = scenario?.fillRate ?? options.fillRate ?? 0.8;
  const distributions = scenarioFieldsFor(scenario, blueprint.fields);
  const weights = scenario?.events ?? {};
  const end = start + days * DAY;

  const ownStorage = options.storage === undefined;
  const storage = options.storage ?? createSimulationStorage();
  const clock = createManualClock(new Date(start));
  const engine: Engine = createEngine({
    storage,
    blueprints: [blueprint],
    clock,
    ...(options.rules ? { rules: options.rules } : {}),
    ...(options.calendars ? { calendars: options.calendars } : {}),
    ...(options.rules ? { directory: options.directory ?? simulatedTeam() } : {}),
  });
  const approvals = { approved: 0, rejected: 0 };
  const rejections: Record<string, number> = {};
  const rejectedBy = new Map<string, RejectionCount>();
  const breachesByStage: Record<string, number> = {};
  const escalationsByEvent: Record<string, number> = {};
  let breaches = 0;
  let reminders = 0;
  let transitions = 0;
  let escalations = 0;
  let wonCount = 0;
  let wonDaysTotal = 0;
  const byId = new Map<string, Sim>();
  engine.on('deadline.breached', (e) => {
    breaches++;
    breachesByStage[e.stage] = (breachesByStage[e.stage] ?? 0) + 1;
  });
  engine.on('reminder', () => reminders++);
  engine.on('rejected', (r) => {
    rejections[r.reason] = (rejections[r.reason] ?? 0) + 1;
    const fields = r.reason === 'required_fields' ? [...r.missingFields].sort() : undefined;
    const key = `${r.reason}\u0000${r.event}\u0000${r.stage}\u0000${r.rule ?? ''}\u0000${fields?.join(',') ?? ''}`;
    const c = rejectedBy.get(key);
    if (c) c.count++;
    else rejectedBy.set(key, { reason: r.reason, event: r.event, stage: r.stage, ...(r.rule ? { rule: r.rule } : {}), ...(fields ? { fields } : {}), count: 1 });
  });
  engine.on('transition', (e) => {
    transitions++;
    const sim = byId.get(e.record.id);
    if (sim) sim.stage = e.to;
    if (e.history.data.timer !== undefined && e.from !== e.to) {
      escalations++;
      escalationsByEvent[e.event] = (escalationsByEvent[e.event] ?? 0) + 1;
    }
    if (blueprint.stages.get(e.to)?.kind === 'won' && sim) {
      wonCount++;
      wonDaysTotal += (Date.parse(e.history.at) - sim.arrivedAt) / DAY;
    }
  });
  engine.on('notify', (n) => {
    if (n.record && n.data && (n.data as { escalationId?: unknown }).escalationId !== undefined) {
      escalations++;
      escalationsByEvent.notify = (escalationsByEvent.notify ?? 0) + 1;
    }
  });

  const agenda = new TimeHeap<Due>();
  const sims: Sim[] = [];
  const arrivalRng = createSimRng(recordSeed(seed, -1));
  for (let i = 0; i < records; i++) {
    const at = start + arrivalRng.next() * days * DAY;
    const sim: Sim = { index: i, rng: createSimRng(recordSeed(seed, i)), arrivedAt: at };
    sims.push(sim);
    agenda.push(at, { sim });
  }
  // the record's pending timers after a change: each goes on the agenda once
  const noteTimers = async (sim: Sim) => {
    if (sim.id === undefined) return;
    const pending = await engine.timers(sim.id, { status: ['pending'] });
    if (pending.length === 0) {
      sim.timers = undefined;
      return;
    }
    const next = new Set<string>();
    for (const t of pending) {
      next.add(t.id);
      if (!sim.timers?.has(t.id)) agenda.push(Math.max(Date.parse(t.dueAt), clock.now().getTime()), { sim, timer: t });
    }
    sim.timers = next;
  };
  const ctx: StepContext = { engine, bp: blueprint, reps: REPS, fillRate, dwell, agenda, distributions, weights, approvals };
  let steps = 0;
  try {
    while (agenda.peekTime() <= end) {
      const { at, value } = agenda.pop()!;
      clock.set(new Date(at));
      const { sim, timer } = value;
      if (timer) {
        if (!sim.timers?.has(timer.id)) continue; // replaced or cancelled since it was read
        sim.timers.delete(timer.id);
        await engine.fireTimer(timer, { workerId: null });
      } else {
        const before = sim.id;
        await step(ctx, sim, at, clock.now());
        if (before === undefined && sim.id !== undefined) byId.set(sim.id, sim);
      }
      await noteTimers(sim);
      if (++steps % 2000 === 0) options.onProgress?.({ done: at - start, total: end - start, steps });
    }
    options.onProgress?.({ done: end - start, total: end - start, steps });
    const counts = new Map<string, number>();
    let total = 0;
    for (const sim of sims) {
      if (sim.stage === undefined) continue;
      counts.set(sim.stage, (counts.get(sim.stage) ?? 0) + 1);
      total++;
    }
    return {
      blueprint: { id: blueprint.id, version: blueprint.version },
      records,
      days,
      seed,
      stages: blueprint.spec.stages.map((st) => ({ stage: st.id, kind: st.kind, count: counts.get(st.id) ?? 0, share: total > 0 ? (counts.get(st.id) ?? 0) / total : 0 })),
      transitions,
      rejections,
      rejectedBy: [...rejectedBy.values()].sort((a, b) => b.count - a.count),
      breaches: { total: breaches, byStage: breachesByStage },
      reminders,
      escalations: { total: escalations, byEvent: escalationsByEvent },
      approvals,
      meanDaysToWin: wonCount > 0 ? wonDaysTotal / wonCount : null,
    };
  } finally {
    if (ownStorage) await storage.close();
  }
}

interface StepContext {
  engine: Engine;
  bp: Blueprint;
  reps: string[];
  fillRate: number;
  dwell: number;
  agenda: TimeHeap<Due>;
  distributions: Record<string, FieldDistribution>;
  weights: Record<string, number>;
  approvals: { approved: number; rejected: number };
}

async function step(c: StepContext, sim: Sim, at: number, now: Date): Promise<void> {
  const { engine, bp } = c;
  const rng = sim.rng;
  if (sim.id === undefined) {
    const owner = rng.pick(c.reps);
    const { record } = await engine.create(bp.recordType, { fields: initialFields(bp.fields, rng, now, c.fillRate, c.distributions), ownerId: owner }, { actor: { id: owner, roles: ['rep'] } });
    sim.id = record.id;
    sim.stage = record.stage;
    sim.owner = record.ownerId ?? owner;
    c.agenda.push(at + rng.exp(c.dwell), { sim });
    return;
  }
  const stage = sim.stage!;
  if (bp.isFinal(stage)) return;
  if (sim.awaitingApproval) {
    // the manager decides: 4 in 5 approved (an approval fires the held event)
    sim.awaitingApproval = false;
    if (rng.next() < 0.8) {
      await engine.approve(sim.id, { actor: MANAGER });
      c.approvals.approved++;
    } else {
      await engine.reject(sim.id, { actor: MANAGER });
      c.approvals.rejected++;
    }
    if (!bp.isFinal(sim.stage!)) c.agenda.push(at + rng.exp(c.dwell), { sim });
    return;
  }
  const events = eventsFrom(bp, stage, c.weights);
  const draw = rng.next();
  const extra = rng.next();
  if (events.length > 0) {
    const event = pickWeighted(events, draw);
    const fields = sim.pending;
    const res = await engine.send(sim.id, fields ? { type: event, fields } : event, { actor: { id: sim.owner ?? 'rep-1', roles: ['rep'] } });
    if (res.ok) sim.pending = undefined;
    else if (res.rejection.reason === 'approval_pending') sim.awaitingApproval = true;
    else if (res.rejection.reason === 'required_fields') {
      // the rep fills what was missing before trying again (from the scenario when it has the field)
      const sub = createSimRngFrom(extra);
      for (const f of res.rejection.missingFields) {
        const spec = bp.fields[f];
        if (!spec) continue;
        const d = c.distributions[f];
        const v = d ? drawFieldOrType(d, f, spec, sub, now) : randomFieldValue(f, spec, sub, now);
        (sim.pending ??= {})[f] = v;
      }
    }
    if (res.ok && bp.isFinal(res.record.stage)) return;
  }
  c.agenda.push(at + rng.exp(c.dwell), { sim });
}

function drawFieldOrType(d: FieldDistribution, name: string, spec: Blueprint['fields'][string], rng: SimRng, now: Date): unknown {
  const { missing: _m, ...always } = d;
  const v = drawField(always, rng);
  return v !== undefined ? v : randomFieldValue(name, spec, rng, now);
}

function createSimRngFrom(u: number): SimRng {
  return createSimRng(Math.floor(u * 4294967296));
}
