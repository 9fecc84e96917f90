import type { RecordView } from './record-view.js';
import { setup } from 'xstate';
import type { AnyStateMachine, StateNode, AnyTransitionDefinition } from 'xstate';
import type { BlueprintSpec } from './schema.js';

/** Who acts: a rep, a manager, the system or a worker. */
export interface Actor {
  /** Rep id, or `system` / `worker:<id>`; written to history as `actorId`. */
  id: string;
  /** Roles for `allow` rules and permissions (`actor.roles`), e.g. `['rep']`, `['manager']`. */
  roles?: string[];
  /** The actor's team id (`actor.team` in rules), or null. */
  team?: string | null;
}

export type { RecordView } from './record-view.js';

/** Context of a compiled blueprint machine: the record's fields and a view of the record. */
export interface DealflowMachineContext {
  fields: Record<string, unknown>;
  record: RecordView | null;
}

/**
 * An event sent to a compiled blueprint machine: the process event name, plus the field values it
 * brings, the actor and the time (all optional when driving the machine with XState tools).
 */
export interface DealflowMachineEvent {
  type: string;
  fields?: Record<string, unknown>;
  actor?: Actor;
  now?: string;
  data?: Record<string, unknown>;
}

/** The data every rule (guard, allow, set, …) is evaluated over. */
export interface RuleData {
  /** The record's field values, with those the event brings applied over them (`fields.amount`). */
  fields: Record<string, unknown>;
  /** The record as rules see it (`record.stage`, `record.ownerId`…), or null for a machine run without one. */
  record: RecordView | null;
  /** Who sent the event (`actor.roles`), or null when unknown. */
  actor: Actor | null;
  /** The event being handled. */
  event: {
    /** The event name. */
    type: string;
    /** The event's extra data (`event.data.reason`). */
    data: Record<string, unknown>;
  };
  /** The time of the call (ISO UTC). */
  now: string;
}

/** The data roots rules may refer to (`fields.x`, `record.stage`, `actor.roles`, …). */
export const RULE_ROOTS = ['fields', 'record', 'actor', 'event', 'now'] as const;

/**
 * Builds rule data from machine context and event (fields of the event override stored ones).
 *
 * @example
 * ```ts
 * ruleDataOf({ fields: { amount: 1 }, record: null }, { type: 'propose', fields: { amount: 5 } }).fields.amount // 5
 * ```
 */
export function ruleDataOf(context: DealflowMachineContext, event: DealflowMachineEvent): RuleData {
  return {
    fields: event.fields ? { ...context.fields, ...event.fields } : context.fields,
    record: context.record,
    actor: event.actor ?? null,
    event: { type: event.type, data: event.data ?? {} },
    now: event.now ?? new Date().toISOString(),
  };
}

/** Evaluates the guard of blueprint transition `index` (position in `transitions`). */
export type GuardEvaluator = (index: number, data: RuleData) => boolean;

/** Transition metadata on the compiled machine: the index of the blueprint transition. */
export interface DealflowTransitionMeta {
  transition: number;
}

/**
 * Compiles a blueprint into a real XState v5 machine: one atomic state per stage (`won`, `lost`
 * and `closed` kinds are `final`), one transition per (stage, event) in blueprint order, `*`
 * transitions on the root (so they apply to every non-final stage, after the stage's own, in
 * XState's candidate order). Guards are the named guard `rule` with params `{ transition }`.
 * Each transition carries `meta.transition`, its index in the blueprint. `defineBlueprint` calls
 * it with the blueprint's compiled guards; the result is `blueprint.machine`.
 *
 * @example
 * ```ts
 * const machine = compileMachine(spec, (i, data) => Boolean(guards[i]?.(data) ?? true))
 * createActor(machine).start().send({ type: 'qualify' })
 * ```
 */
export function compileMachine(spec: BlueprintSpec, evaluateGuard: GuardEvaluator): AnyStateMachine {
  type On = Record<string, Array<Record<string, unknown>>>;
  const stateOn: Record<string, On> = {};
  const rootOn: On = {};
  for (const s of spec.stages) stateOn[s.id] = {};
  spec.transitions.forEach((t, i) => {
    const base = (target: string) => ({
      target,
      meta: { transition: i } satisfies DealflowTransitionMeta,
      ...(t.guard !== undefined ? { guard: { type: 'rule', params: { transition: i } } } : {}),
      ...(t.label ? { description: t.label } : {}),
    });
    if (t.from === '*') {
      (rootOn[t.event] ??= []).push(base(`.${t.to}`));
    } else {
      for (const f of Array.isArray(t.from) ? t.from : [t.from]) {
        const on = stateOn[f];
        if (on) (on[t.event] ??= []).push(base(t.to));
      }
    }
  });
  const states: Record<string, Record<string, unknown>> = {};
  for (const s of spec.stages) {
    states[s.id] = {
      ...(s.kind !== 'open' ? { type: 'final' } : {}),
      on: stateOn[s.id],
      meta: { kind: s.kind, label: s.label ?? s.id, probability: s.probability ?? null },
      ...(s.label ? { description: s.label } : {}),
    };
  }
  const machine = setup({
    types: {} as {
      context: DealflowMachineContext;
      events: DealflowMachineEvent;
      input: Partial<DealflowMachineContext> | undefined;
    },
    guards: {
      rule: ({ context, event }, params: { transition: number }) =>
        evaluateGuard(params.transition, ruleDataOf(context, event)),
    },
  }).createMachine({
    id: spec.id,
    initial: spec.initialStage,
    context: ({ input }) => ({ fields: input?.fields ?? {}, record: input?.record ?? null }),
    on: rootOn as never,
    states: states as never,
  });
  return machine as unknown as AnyStateMachine;
}

/**
 * The candidate transitions for `event` in `stage`, read from the compiled machine's own state
 * nodes in XState's order (the stage's transitions, then the root's). Final stages have none.
 *
 * @example
 * ```ts
 * candidateTransitions(deal.machine, 'qualified', 'propose').map((t) => t.meta?.transition) // [2]
 * ```
 */
export function candidateTransitions(machine: AnyStateMachine, stage: string, event: string): AnyTransitionDefinition[] {
  const node = (machine.root as StateNode<any, any>).states[stage] as StateNode<any, any> | undefined;
  if (!node || node.type === 'final') return [];
  const own = node.transitions.get(event) ?? [];
  const root = (machine.root as StateNode<any, any>).transitions.get(event) ?? [];
  return [...own, ...root] as AnyTransitionDefinition[];
}
