import { getSimplePaths } from 'xstate/graph';
import type { AnyMachineSnapshot } from 'xstate';
import type { Blueprint } from '../blueprint/define.js';
import { compileMachine } from '../blueprint/machine.js';
import type { DealflowMachineEvent } from '../blueprint/machine.js';
import { DealflowError } from '@dealflow/logic';
import type { Engine } from '../create-engine.js';
import type { TransitionEvent } from '../engine/events.js';
import { stageEdges } from './graph-model.js';
import type { StageEdge } from './graph-model.js';

/** One step of a path: the blueprint transition taken. */
export interface PathStep {
  /** Index of the transition in the blueprint's `transitions`. */
  transition: number;
  /** The event that fires the step. */
  event: string;
  /** The stage the step leaves. */
  from: string;
  /** The stage the step enters. */
  to: string;
  /** True when the transition has a guard (the path assumes it passes). */
  guarded: boolean;
}

/** A simple path (no stage twice) from the initial stage. */
export interface BlueprintPath {
  /** Stages visited, starting with the initial stage. */
  stages: string[];
  /** The transitions taken, in order (one fewer than `stages`). */
  steps: PathStep[];
  /** The stage the path ends in. */
  end: string;
  /** The event names in order, ready for `engine.send` (or {@link BlueprintTester.visitEvents}). */
  events: string[];
}

/** A blueprint transition out of one stage (`from` is the concrete stage). */
export type CoverageEdge = Pick<StageEdge, 'transition' | 'event' | 'from' | 'to'>;

/** What the recorded tests visited and what they did not. */
export interface CoverageReport {
  /** Stage coverage. */
  stages: {
    /** How many stages the blueprint has. */
    total: number;
    /** Stage ids the tests visited. */
    visited: string[];
    /** Stage ids the tests never visited. */
    unvisited: string[];
  };
  /** Transition coverage, per (transition, concrete `from` stage) edge. */
  transitions: {
    /** How many edges the blueprint has. */
    total: number;
    /** Edges the tests took. */
    visited: CoverageEdge[];
    /** Edges the tests never took. */
    unvisited: CoverageEdge[];
  };
  /** Stages and transitions no path of the machine reaches at all (dead parts of the blueprint). */
  unreachable: {
    /** Stage ids no path reaches. */
    stages: string[];
    /** Edges no path can take. */
    transitions: CoverageEdge[];
  };
  /** True when every stage and every transition was visited. */
  complete: boolean;
  /** A few readable lines: `stage 'negotiation' is never visited`, … */
  messages: string[];
}

/** Options of {@link testBlueprint}. */
export interface TestBlueprintOptions {
  /** Stop after this many paths (default 10 000). */
  maxPaths?: number;
}

/** The helper {@link testBlueprint} returns. */
export interface BlueprintTester {
  /** Every simple path from the initial stage to a final stage or a stage with no way on. */
  readonly paths: readonly BlueprintPath[];
  /** Marks one transition visited: by its edge (`{ from, event }`, optionally `to`). */
  visit(edge: { from: string; event: string; to?: string }): void;
  /** Marks a sequence of events, replayed from the initial stage, visited. Throws on an event the stage does not handle. */
  visitEvents(events: readonly string[]): void;
  /** Marks every step of a path visited. */
  visitPath(path: BlueprintPath): void;
  /**
   * Listens to an engine's `transition` events and marks what happens on records of this
   * blueprint visited; returns a function that stops listening.
   */
  observe(engine: Pick<Engine, 'on' | 'off'>): () => void;
  /** The coverage so far. */
  report(): CoverageReport;
}

function edgeKey(e: { from: string; event: string; to: string }): string {
  return `${e.from}\u0000${e.event}\u0000${e.to}`;
}

/**
 * Test helper for designers' CI. Generates every simple path through the blueprint's machine
 * with XState's graph utilities (`getSimplePaths`; every guard is tried both passing and
 * failing) and tracks which stages and transitions your tests visit.
 *
 * @example
 * ```ts
 * const t = testBlueprint(deal)
 * for (const path of t.paths) {
 *   // drive a record along path.events with your engine, then:
 *   t.visitPath(path)
 * }
 * expect(t.report().messages).toEqual([])   // every stage and transition visited
 * ```
 */
export function testBlueprint(blueprint: Blueprint, options: TestBlueprintOptions = {}): BlueprintTester {
  const spec = blueprint.spec;
  const maxPaths = options.maxPaths ?? 10_000;
  const edges = stageEdges(spec);
  // Exploration machine: the blueprint's own machine shape, where a guard passes exactly when
  // the event names its transition, so both outcomes of every guard are explored.
  const machine = compileMachine(spec, (i, data) => data.event.data.take === i);
  const eventsFor = (snapshot: AnyMachineSnapshot): DealflowMachineEvent[] => {
    const stage = String(snapshot.value);
    const out: DealflowMachineEvent[] = [];
    for (const e of edges) if (e.from === stage) out.push({ type: e.event, data: { take: e.transition } });
    return out;
  };
  const raw = getSimplePaths(machine as never, {
    events: eventsFor as never,
    serializeState: (s: AnyMachineSnapshot) => JSON.stringify(s.value),
    serializeEvent: (e: DealflowMachineEvent) => `${e.type}#${String(e.data?.take)}`,
  } as never) as Array<{ state: AnyMachineSnapshot; steps: Array<{ event: DealflowMachineEvent; state: AnyMachineSnapshot }> }>;

  // The transition XState actually takes for an exploration event: the stage's own candidates,
  // then `*` ones, first unguarded or chosen one wins.
  const taken = (from: string, event: string, take: number): number => {
    const own = edges.filter((e) => e.from === from && e.event === event && !e.wildcard);
    const star = edges.filter((e) => e.from === from && e.event === event && e.wildcard);
    const hit = [...own, ...star].find((e) => e.guard === undefined || e.transition === take);
    return hit?.transition ?? take;
  };
  const paths: BlueprintPath[] = [];
  for (const p of raw) {
    if (paths.length >= maxPaths) break;
    const stages: string[] = [];
    const steps: PathStep[] = [];
    let prev: string | undefined;
    for (const step of p.steps) {
      const stage = String(step.state.value);
      if (prev !== undefined && step.event.type !== 'xstate.init') {
        const i = taken(prev, step.event.type, step.event.data?.take as number);
        steps.push({ transition: i, event: step.event.type, from: prev, to: stage, guarded: spec.transitions[i]?.guard !== undefined });
      }
      stages.push(stage);
      prev = stage;
    }
    if (stages.length === 0) stages.push(String(p.state.value));
    paths.push({ stages, steps, end: stages[stages.length - 1]!, events: steps.map((s) => s.event) });
  }
  // simple paths never repeat a stage; add each transition that goes back to a stage already on
  // the path as one more step, so loops (e.g. a breach back to an earlier stage) are covered too
  const loops: BlueprintPath[] = [];
  for (const p of paths) {
    for (const e of edges) {
      if (e.from !== p.end || !p.stages.includes(e.to) || taken(e.from, e.event, e.transition) !== e.transition) continue;
      const step: PathStep = { transition: e.transition, event: e.event, from: e.from, to: e.to, guarded: e.guard !== undefined };
      loops.push({ stages: [...p.stages, e.to], steps: [...p.steps, step], end: e.to, events: [...p.events, e.event] });
    }
  }
  paths.push(...loops.slice(0, Math.max(0, maxPaths - paths.length)));
  // keep maximal paths only: those that end in a final stage or a stage with no unvisited way on
  const isPrefix = (a: BlueprintPath, b: BlueprintPath) => a.steps.length < b.steps.length && a.steps.every((s, k) => b.steps[k]?.transition === s.transition && b.steps[k]?.from === s.from);
  const maximal = paths.filter((p) => !paths.some((q) => isPrefix(p, q)));
  maximal.sort((a, b) => a.steps.length - b.steps.length || a.events.join().localeCompare(b.events.join()));

  const reachableStages = new Set<string>();
  const reachableEdges = new Set<string>();
  for (const p of paths) {
    for (const s of p.stages) reachableStages.add(s);
    for (const s of p.steps) reachableEdges.add(edgeKey(s));
  }

  const visitedStages = new Set<string>();
  const visitedEdges = new Set<string>();
  const byFromEvent = (from: string, event: string) => edges.filter((e) => e.from === from && e.event === event);

  const visit = (edge: { from: string; event: string; to?: string }) => {
    const candidates = byFromEvent(edge.from, edge.event).filter((e) => edge.to === undefined || e.to === edge.to);
    const hit = candidates[0];
    if (!hit) {
      throw new DealflowError('INPUT_INVALID', `testBlueprint('${spec.id}'): no transition '${edge.event}' from stage '${edge.from}'${edge.to ? ` to '${edge.to}'` : ''}`, {
        details: { blueprintId: spec.id, ...edge },
      });
    }
    visitedStages.add(hit.from);
    visitedStages.add(hit.to);
    visitedEdges.add(edgeKey(hit));
  };

  return {
    paths: maximal,
    visit,
    visitEvents(events) {
      let stage = spec.initialStage;
      visitedStages.add(stage);
      for (const ev of events) {
        const hit = byFromEvent(stage, ev)[0];
        if (!hit) throw new DealflowError('INPUT_INVALID', `testBlueprint('${spec.id}'): stage '${stage}' does not handle event '${ev}'`, { details: { blueprintId: spec.id, stage, event: ev } });
        visit(hit);
        stage = hit.to;
      }
    },
    visitPath(path) {
      visitedStages.add(path.stages[0] ?? spec.initialStage);
      for (const s of path.steps) visit(s);
    },
    observe(engine) {
      const handler = (e: TransitionEvent) => {
        if (e.record.blueprintId !== spec.id) return;
        if (byFromEvent(e.from, e.event).some((x) => x.to === e.to)) visit(e);
      };
      engine.on('transition', handler);
      return () => {
        engine.off('transition', handler);
      };
    },
    report() {
      const toEdge = (e: StageEdge): CoverageEdge => ({ transition: e.transition, event: e.event, from: e.from, to: e.to });
      const stageIds = spec.stages.map((s) => s.id);
      const unvisitedStages = stageIds.filter((s) => !visitedStages.has(s));
      const visitedList = edges.filter((e) => visitedEdges.has(edgeKey(e))).map(toEdge);
      const unvisitedList = edges.filter((e) => !visitedEdges.has(edgeKey(e))).map(toEdge);
      const unreachableStages = stageIds.filter((s) => !reachableStages.has(s));
      const unreachableEdges = edges.filter((e) => !reachableEdges.has(edgeKey(e))).map(toEdge);
      const messages = [
        ...unvisitedStages.map((s) => `stage '${s}' is never visited${reachableStages.has(s) ? '' : ' (no path reaches it)'}`),
        ...unvisitedList.map(
          (e) => `transition $.transitions[${e.transition}] '${e.event}' from '${e.from}' to '${e.to}' is never taken${reachableEdges.has(edgeKey(e)) ? '' : ' (no path takes it)'}`,
        ),
      ];
      return {
        stages: { total: stageIds.length, visited: stageIds.filter((s) => visitedStages.has(s)), unvisited: unvisitedStages },
        transitions: { total: edges.length, visited: visitedList, unvisited: unvisitedList },
        unreachable: { stages: unreachableStages, transitions: unreachableEdges },
        complete: unvisitedStages.length === 0 && unvisitedList.length === 0,
        messages,
      };
    },
  };
}
