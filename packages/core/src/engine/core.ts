import { randomBytes } from 'node:crypto';
import type EventEmitter from 'eventemitter3';
import { DealflowError } from '@dealflow/logic';
import type { BusinessCalendar } from '@dealflow/logic';
import type { Blueprint } from '../blueprint/define.js';
import { candidateTransitions } from '../blueprint/machine.js';
import type { DealflowTransitionMeta } from '../blueprint/machine.js';
import type { TransitionSpec } from '../blueprint/schema.js';
import type { Clock } from '../clock.js';
import type { CompiledRule, CoreRuleEngine } from '../rules.js';
import type { Storage } from '../storage/types.js';
import type { EngineEventMap } from './events.js';
import type { EnginePlugin } from './plugins.js';
import { mayReadRoot } from './rule-reads.js';

/** A business calendar as the engine uses it (from `@dealflow/logic`'s `createCalendar`). */
export type CalendarLike = BusinessCalendar;

/** One candidate transition for (stage, event), resolved from the machine's state nodes. */
export interface Candidate {
  index: number;
  spec: TransitionSpec;
  guard: CompiledRule | undefined;
  guardPath: string;
  allow: CompiledRule | undefined;
  to: string;
  /** True when the transition has `set` actions (the engine then copies the fields first). */
  hasSet: boolean;
  /** True when its guard or `allow` rule may read `record` (rule data then carries the record view). */
  readsRecord: boolean;
}

/** The engine's internal state shared by its parts. */
export interface EngineCore {
  storage: Storage;
  clock: Clock;
  tenantId: string;
  ruleEngine: CoreRuleEngine;
  plugins: readonly EnginePlugin[];
  emitter: EventEmitter<EngineEventMap>;
  maxRetries: number;
  calendars: Map<string, CalendarLike>;
  newId(prefix: string): string;
  /** Blueprint by id and version; throws `BLUEPRINT_NOT_FOUND`. */
  blueprintOf(id: string, version: number): Blueprint;
  /** Latest blueprint by id or record type; throws `BLUEPRINT_NOT_FOUND`. */
  blueprintFor(typeOrId: string): Blueprint;
  /** Cached candidates for (blueprint, stage, event). */
  candidates(bp: Blueprint, stage: string, event: string): Candidate[];
}

/** Resolves candidates from the machine once per (stage, event) and caches them. */
export function createCandidateCache(): (bp: Blueprint, stage: string, event: string) => Candidate[] {
  const byBlueprint = new WeakMap<Blueprint, Map<string, Map<string, Candidate[]>>>();
  return (bp, stage, event) => {
    let stages = byBlueprint.get(bp);
    if (!stages) byBlueprint.set(bp, (stages = new Map()));
    let events = stages.get(stage);
    if (!events) stages.set(stage, (events = new Map()));
    let list = events.get(event);
    if (list) return list;
    list = candidateTransitions(bp.machine, stage, event).map((def) => {
      const index = (def.meta as DealflowTransitionMeta | undefined)?.transition;
      if (index === undefined) throw new DealflowError('BLUEPRINT_INVALID', `machine '${bp.id}': transition without meta.transition`);
      const spec = bp.transitions[index]!;
      const target = def.target?.[0]?.key;
      return {
        index,
        spec,
        guard: bp.rules.get(`$.transitions[${index}].guard`),
        guardPath: `$.transitions[${index}].guard`,
        allow: bp.rules.get(`$.transitions[${index}].allow`),
        to: target ?? stage,
        hasSet: spec.actions?.some((a) => a.type === 'set') ?? false,
        readsRecord: mayReadRoot(spec.guard, 'record') || mayReadRoot(spec.allow, 'record'),
      };
    });
    events.set(event, list);
    return list;
  };
}

/** This process's id space: 96 random bits, drawn once (ids below add a counter to it). */
const ID_BASE = randomBytes(12).toString('base64url');
let idCounter = 0;

/**
 * Default id generator: `<prefix>_<process base><counter>`, e.g. `evt_q3V…Zk9a1`. The base is 96
 * random bits drawn when the module loads, so ids of separate processes (app instances sharing one
 * database) never collide; within a process a counter makes each id unique without drawing
 * randomness per id.
 */
export function defaultNewId(prefix: string): string {
  let head = idHeads.get(prefix);
  if (head === undefined) idHeads.set(prefix, (head = `${prefix}_${ID_BASE}`));
  // join writes one flat string: a `+` would make a two-piece rope, two objects for the garbage
  // collector to move per id that history and outbox keep
  return [head, (++idCounter).toString(36)].join('');
}
const idHeads = new Map<string, string>();
