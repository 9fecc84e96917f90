import { truthy } from '../blueprint/define.js';
import type { Blueprint } from '../blueprint/define.js';
import type { RuleData } from '../blueprint/machine.js';
import type { HistoryEvent, OutboxMessage, StoredRecord, TimerRecord } from '../storage/types.js';
import { LAST_MODIFIED_META } from '../sla/clock.js';
import { moveStageTimes, STAGE_TIMES_META } from '../stage-times/stage-times.js';
import type { StageTimes } from '../stage-times/stage-times.js';
import { applySetActions, sideActions } from '../engine/actions.js';
import type { ConvertPlan, SideEffects, StepEnv } from '../engine/actions.js';
import type { TransitionResult } from './transition.js';
import type { Actor, Rejection, RejectionReason, Task } from '../engine/context.js';
import type { Candidate } from '../engine/core.js';
import { stageTimers, STAGE_TIMER_KINDS } from '../engine/deadlines.js';
import { DATE_TIMER_KIND, dateTimerPlan } from '../engine/date-timers.js';
import type { PendingEmit } from '../engine/events.js';
import { isSet, normalizeFields } from '../engine/fields.js';
import { diffRecords } from '../engine/replay.js';
import { describeMissing, missingRequirements } from '../engine/requirements.js';
import { suppliedOf } from '../engine/requirements.js';
import type { SuppliedRequirements } from '../engine/requirements.js';
import { DealflowError } from '@dealflow/logic';
import type { SendInput } from '../engine/context.js';
import { recordView } from '../blueprint/record-view.js';

/** A normalized event. */
export interface EventInput {
  type: string;
  fields: Record<string, unknown> | undefined;
  data: Record<string, unknown> | undefined;
  /** Checklist ticks, note, attachments for the target stage's `requirements`. */
  supplied?: SuppliedRequirements | undefined;
}

/** The event of a send (a name, or `{ type, fields?, data?, checklist?, note?, attachments? }`) as the step takes it; `INPUT_INVALID` otherwise. */
export function eventInputOf(event: SendInput): EventInput {
  if (typeof event === 'string') return { type: event, fields: undefined, data: undefined };
  if (typeof event !== 'object' || event === null || typeof event.type !== 'string' || event.type.length === 0) {
    throw new DealflowError('INPUT_INVALID', `send: event must be a name or { type, fields?, data? }, got ${JSON.stringify(event)}`);
  }
  const supplied = suppliedOf(event);
  return supplied ? { type: event.type, fields: event.fields, data: event.data, supplied } : { type: event.type, fields: event.fields, data: event.data };
}

/** How a step was caused (timers skip `allow`: the process itself fires them). */
export interface StepCause {
  system?: boolean;
  /** The timer firing the step; its `key` (a date-field timer's) is never cancelled by the step's own plan. */
  timer?: { id: string; kind: string; key?: string | null };
}

/** The key of the date-field timer that causes a step, if one does (its own plan must leave it to the worker). */
export function firingDateTimerKey(cause: StepCause): string | null {
  return cause.timer?.kind === DATE_TIMER_KIND ? cause.timer.key ?? null : null;
}

/** Which of a record's pending timers to cancel (all parts ANDed, as `StorageTx.cancelTimers` takes them). */
export interface TimerCancel {
  /** The record whose pending timers are cancelled. */
  recordId: string;
  /** Only timers of these kinds (e.g. `deadline`); omitted: every kind. */
  kinds?: string[];
  /** Only timers with these keys; omitted: every key. */
  keys?: string[];
  /** Only timers scheduled for this stage; omitted: any stage. */
  stage?: string;
}

/** What an accepted step asks the engine to write and announce: plain data. */
export interface TransitionEffects {
  /** History events to append (the transition's own). */
  history: HistoryEvent[];
  /** Timers to cancel (applied before `scheduleTimers`). */
  cancelTimers: TimerCancel[];
  /** Timers to schedule: date-field timers and the new stage's deadline timers. */
  scheduleTimers: TimerRecord[];
  /** Outbox messages (the transition's, then its actions'). */
  outbox: OutboxMessage[];
  /** Engine events to emit once written (`transition`, then `task.created`, `notify`, `emitted`). */
  notifications: PendingEmit[];
  /** Tasks `task` actions created (already in `next.meta.tasks`). */
  tasks: Task[];
  /** Records `convert` actions create (the engine creates them in the same transaction). */
  creates: ConvertPlan[];
}

/** The outcome of a step: the next version of the record with its effects, or a rejection. */
export type Step =
  | (Extract<TransitionResult, { ok: true }> & {
      /** The stage times the move computed (undefined when the stage stays), for {@link noteChanges}. */
      moved: StageTimes | undefined;
    })
  | Extract<TransitionResult, { ok: false }>;

/** What a step needs of its surroundings. */
export interface StepContext extends StepEnv {
  /** Candidates for (blueprint, stage, event), resolved once from the machine and cached. */
  candidates(bp: Blueprint, stage: string, event: string): Candidate[];
  /** Plugins will see the next record: its fields and meta must be its own objects. */
  ownCopies: boolean;
}

const NO_DATA: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;
const NONE: string[] = [];

function hasSetActions(candidates: readonly Candidate[]): boolean {
  for (const c of candidates) if (c.hasSet) return true;
  return false;
}

/** Required fields that are not set, in order (the transition's `requires`, then the stage's), without repeats. */
function missingFields(requires: readonly string[] | undefined, inStage: readonly string[] | undefined, fields: Record<string, unknown>): string[] {
  let missing: string[] | undefined;
  if (requires) for (const f of requires) if (!isSet(fields[f]) && !missing?.includes(f)) (missing ??= []).push(f);
  if (inStage) for (const f of inStage) if (!isSet(fields[f]) && !missing?.includes(f)) (missing ??= []).push(f);
  return missing ?? NONE;
}

function reject(reason: RejectionReason, record: StoredRecord, event: string, actor: Actor, message: string, extra: Partial<Rejection> = {}): Step {
  return {
    ok: false,
    rejection: { reason, recordId: record.id, event, stage: record.stage, missingFields: [], actorId: actor.id, message, ...extra },
  };
}

/**
 * The pure step of a transition: validates the event, picks the transition the way XState does
 * (candidates from the machine's state nodes, the first whose guard holds), checks `allow`,
 * required fields and stage requirements, runs `set` and side actions, moves stage times and SLA
 * notes, and returns the next version of the record with everything to write as data (history
 * event, timers to cancel and schedule, outbox, notifications, tasks, records to create). Reads
 * and writes no store.
 */
export function step(
  env: StepContext,
  bp: Blueprint,
  record: StoredRecord,
  input: EventInput,
  actor: Actor,
  at: string,
  cause: StepCause,
): Step {
  const ev = input.type;
  const given = input.fields ? normalizeFields(bp, input.fields, `event '${ev}'`, record.id) : undefined;
  if (bp.isFinal(record.stage)) {
    return reject('final_stage', record, ev, actor, `record '${record.id}' is in final stage '${record.stage}'; event '${ev}' is not accepted`);
  }
  const candidates = env.candidates(bp, record.stage, ev);
  if (candidates.length === 0) {
    return reject('no_transition', record, ev, actor, `record '${record.id}': no transition for event '${ev}' from stage '${record.stage}'`);
  }
  // the fields object is copied only when this event can change it (event fields, set actions, plugins, computed fields)
  const fields: Record<string, unknown> = given || env.ownCopies || hasSetActions(candidates) || bp.computed ? { ...record.fields } : record.fields;
  if (given) {
    for (const [k, v] of Object.entries(given)) {
      if (v === null || v === undefined) delete fields[k];
      else fields[k] = v;
    }
    bp.computed?.apply(fields, record.id);
  }
  // the record view is built only when a candidate's rules may read `record` (or actions run, below)
  let readsRecord = false;
  for (const c of candidates) if (c.readsRecord) readsRecord = true;
  const data: RuleData = { fields, record: readsRecord ? recordView(record) : null, actor, event: { type: ev, data: input.data ?? NO_DATA }, now: at };
  let chosen: Candidate | undefined;
  for (const c of candidates) {
    if (c.guard === undefined || truthy(c.guard(data))) {
      chosen = c;
      break;
    }
  }
  if (!chosen) {
    const last = candidates[candidates.length - 1]!;
    // the fields the target would also need are reported with the guard: one round trip tells the rep everything
    const alsoMissing = missingFields(last.spec.requires, last.to !== record.stage ? bp.requiredIn(last.to) : undefined, fields);
    return reject(
      'guard',
      record,
      ev,
      actor,
      `record '${record.id}': guard ${last.guardPath} of event '${ev}' is false in stage '${record.stage}'${alsoMissing.length > 0 ? `; stage '${last.to}' also needs field(s) ${alsoMissing.map((f) => `'${f}'`).join(', ')}` : ''}`,
      { rule: last.guardPath, to: last.to, ...(alsoMissing.length > 0 ? { missingFields: alsoMissing } : {}) },
    );
  }
  const { spec, index, to } = chosen;
  if (chosen.allow && !cause.system && !truthy(chosen.allow(data))) {
    return reject('forbidden', record, ev, actor, `record '${record.id}': actor '${actor.id}' may not fire '${ev}' from stage '${record.stage}'`, {
      rule: `$.transitions[${index}].allow`,
      to,
    });
  }
  if (spec.actions && data.record === null) data.record = recordView(record);
  applySetActions(bp, index, spec, fields, data, record.id);
  if (chosen.hasSet) bp.computed?.apply(fields, record.id);
  const missing = missingFields(spec.requires, to !== record.stage ? bp.requiredIn(to) : undefined, fields);
  if (missing.length > 0) {
    return reject('required_fields', record, ev, actor, `record '${record.id}': event '${ev}' to stage '${to}' needs field(s) ${missing.map((f) => `'${f}'`).join(', ')}`, {
      missingFields: missing,
      to,
    });
  }
  if (to !== record.stage) {
    const target = bp.stages.get(to);
    const lacking = target ? missingRequirements(record.id, target, input.supplied) : null;
    if (lacking) {
      return reject('requirements', record, ev, actor, `record '${record.id}': to move to stage '${to}' with '${ev}', ${describeMissing(lacking)}`, { missingRequirements: lacking, to });
    }
  }

  const from = record.stage;
  // a stage change moves the stage-time properties (stage-times/); replay derives the same times
  const moved = to !== from ? moveStageTimes(record.meta[STAGE_TIMES_META] as StageTimes | undefined, from, to, at, record.stageEnteredAt) : undefined;
  // actions, SLA notes and plugins may change meta: give them their own object (else share the loaded one)
  const lastModified = to === from && !cause.timer && bp.stages.get(to)?.deadline?.clockStart === 'lastModified';
  let meta = record.meta;
  if (moved || spec.actions || env.ownCopies || lastModified) meta = { ...record.meta };
  if (moved) meta[STAGE_TIMES_META] = moved;
  // SLA clocks (sla/): `clockStart: lastModified` notes in-stage changes
  if (lastModified) meta[LAST_MODIFIED_META] = at;
  const next: StoredRecord = {
    tenantId: record.tenantId,
    id: record.id,
    type: record.type,
    blueprintId: record.blueprintId,
    blueprintVersion: record.blueprintVersion,
    stage: to,
    version: record.version + 1,
    fields,
    ownerId: record.ownerId,
    teamId: record.teamId,
    meta,
    stageEnteredAt: to !== from ? at : record.stageEnteredAt,
    createdAt: record.createdAt,
    updatedAt: at,
  };
  const historyId = env.newId('evt');
  const side: SideEffects | undefined = spec.actions ? sideActions(env, bp, index, spec, next, data, at, historyId) : undefined;
  const hist = historyEvent(record, next, chosen, input, actor, at, cause, historyId, side);
  noteChanges(hist, record, next, moved);

  const cancelTimers: TimerCancel[] = [];
  const scheduleTimers: TimerRecord[] = [];
  const dates = dateTimerPlan(bp, env.calendars, record, next, at, firingDateTimerKey(cause));
  if (dates.cancel.length > 0) cancelTimers.push({ recordId: record.id, kinds: dates.kinds, keys: dates.cancel });
  scheduleTimers.push(...dates.schedule);
  if (to !== from) {
    // only stages with a deadline have stage timers to cancel
    // (a firing timer's own kind is left alone: the worker completes it in this transaction)
    if (bp.stages.get(from)?.deadline) {
      const kinds = cause.timer ? STAGE_TIMER_KINDS.filter((k) => k !== cause.timer!.kind) : STAGE_TIMER_KINDS;
      if (kinds.length > 0) cancelTimers.push({ recordId: record.id, stage: from, kinds });
    }
    scheduleTimers.push(...stageTimers(env, bp, next));
  }
  const outbox: OutboxMessage[] = [
    {
      tenantId: record.tenantId,
      id: historyId,
      recordId: record.id,
      type: 'dealflow.transition',
      payload: { recordId: record.id, type: record.type, event: ev, from, to, actorId: actor.id, version: next.version },
      createdAt: at,
    },
  ];
  if (side) outbox.push(...side.outbox);
  const notifications: PendingEmit[] = [{ name: 'transition', payload: { record: next, from, to, event: ev, actorId: actor.id, history: hist } }];
  if (side) notifications.push(...side.emits);
  return {
    ok: true,
    next,
    from,
    to,
    moved,
    effects: { history: [hist], cancelTimers, scheduleTimers, outbox, notifications, tasks: side?.tasks ?? [], creates: side?.creates ?? [] },
  };
}

/** The transition's history event (its `changes` are filled in by {@link noteChanges}). */
function historyEvent(
  record: StoredRecord,
  next: StoredRecord,
  chosen: Candidate,
  input: EventInput,
  actor: Actor,
  at: string,
  cause: StepCause,
  historyId: string,
  side: SideEffects | undefined,
): HistoryEvent {
  const data: Record<string, unknown> = side ? { transition: chosen.index, ...side.history, changes: undefined } : { transition: chosen.index, changes: undefined };
  if (input.fields) data.input = input.fields;
  if (input.data) data.eventData = input.data;
  if (input.supplied) data.requirements = input.supplied;
  if (cause.timer) data.timer = { id: cause.timer.id, kind: cause.timer.kind };
  return {
    tenantId: record.tenantId,
    id: historyId,
    recordId: record.id,
    seq: next.version,
    at,
    kind: 'transition',
    event: input.type,
    from: record.stage,
    to: next.stage,
    actorId: actor.id,
    data,
  };
}

/**
 * Sets `data.changes` of the history event: what the move changed. Stage times moved the standard
 * way are left out (replay derives them); changed by a plugin, they are kept. The engine calls it
 * again when its plugins changed the record after the step.
 */
export function noteChanges(hist: HistoryEvent, record: StoredRecord, next: StoredRecord, moved: StageTimes | undefined): void {
  hist.data.changes = diffRecords(record, next, moved !== undefined && next.meta[STAGE_TIMES_META] === moved ? STAGE_TIMES_META : undefined);
}
