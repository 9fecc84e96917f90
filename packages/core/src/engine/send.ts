import { truthy } from '../blueprint/define.js';
import type { Blueprint } from '../blueprint/define.js';
import type { RecordView, RuleData } from '../blueprint/machine.js';
import { metaFacts } from '../assignment/context.js';
import type { HistoryEvent, OutboxMessage, StorageTx, StoredRecord, TimerRecord } from '../storage/types.js';

import { LAST_MODIFIED_META, pauseOnStageChange } from '../sla/clock.js';
import { applySetActions, runSideActions } from './actions.js';
import type { SideEffects } from './actions.js';
import type { Actor, CallContext, Rejection, RejectionReason } from './context.js';
import type { Candidate, EngineCore } from './core.js';
import { stageTimers, STAGE_TIMER_KINDS } from './deadlines.js';
import type { PendingEmit } from './events.js';
import { normalizeFields, isSet } from './fields.js';
import { runPlugins } from './plugins.js';
import { diffRecords } from './replay.js';
import { hasAgendaFields, syncTaskIndex } from './task-index.js';
import { planDateTimers } from './date-timers.js';
import { describeMissing, missingRequirements } from './requirements.js';
import type { SuppliedRequirements } from './requirements.js';
import { moveStageTimes, STAGE_TIMES_META } from '../stage-times/stage-times.js';
import type { StageTimes } from '../stage-times/stage-times.js';

const NO_SIDE_EFFECTS: SideEffects = Object.freeze({ history: Object.freeze({}), emits: [], outbox: [], created: [] }) as SideEffects;

const NO_DATA: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/** The cause of an ordinary `engine.send` (shared: causes are only read). */
const USER_CAUSE: SendCause = Object.freeze({});

/** A normalized event. */
export interface EventInput {
  type: string;
  fields: Record<string, unknown> | undefined;
  data: Record<string, unknown> | undefined;
  /** Checklist ticks, note, attachments for the target stage's `requirements`. */
  supplied?: SuppliedRequirements | undefined;
}

/** What the internal send path did inside the transaction. */
export type TransitionOutcome =
  | {
      ok: true;
      record: StoredRecord;
      events: HistoryEvent[];
      emits: PendingEmit[];
      from: string;
      to: string;
      created: string[];
    }
  | { ok: false; rejection: Rejection };

/** How the send was caused (timers skip `allow`: the process itself fires them). */
export interface SendCause {
  system?: boolean;
  timer?: { id: string; kind: string };
}

function hasSetActions(candidates: readonly Candidate[]): boolean {
  for (const c of candidates) if (c.hasSet) return true;
  return false;
}

const NONE: string[] = [];

/** Required fields that are not set, in order (the transition's `requires`, then the stage's), without repeats. */
function missingFields(requires: readonly string[] | undefined, inStage: readonly string[] | undefined, fields: Record<string, unknown>): string[] {
  let missing: string[] | undefined;
  if (requires) for (const f of requires) if (!isSet(fields[f]) && !missing?.includes(f)) (missing ??= []).push(f);
  if (inStage) for (const f of inStage) if (!isSet(fields[f]) && !missing?.includes(f)) (missing ??= []).push(f);
  return missing ?? NONE;
}

/** The record as rules see it under `record`. */
export function recordView(r: StoredRecord): RecordView {
  const facts = metaFacts(r.meta, r.ownerId);
  // built whole (a spread after other properties costs V8 a slow path per property)
  return {
    id: r.id,
    type: r.type,
    stage: r.stage,
    ownerId: r.ownerId,
    teamId: r.teamId,
    version: r.version,
    createdAt: r.createdAt,
    stageEnteredAt: r.stageEnteredAt,
    stageTimes: (r.meta[STAGE_TIMES_META] as StageTimes | undefined) ?? {},
    lastActivityAt: facts.lastActivityAt,
    priority: facts.priority,
    inPool: facts.inPool,
    score: facts.score,
    winProbability: facts.winProbability,
  };
}

function reject(
  reason: RejectionReason,
  record: StoredRecord,
  event: string,
  actor: Actor,
  message: string,
  extra: Partial<Rejection> = {},
): TransitionOutcome {
  return {
    ok: false,
    rejection: { reason, recordId: record.id, event, stage: record.stage, missingFields: [], actorId: actor.id, message, ...extra },
  };
}

/** What the decision phase settled on: the next version of the record and how it came about. */
interface Move {
  record: StoredRecord;
  after: StoredRecord;
  chosen: Candidate;
  data: RuleData;
  input: EventInput;
  /** Stage times the move computed (undefined when the stage stays). */
  moved: StageTimes | undefined;
  historyId: string;
}

/**
 * The synchronous part of a send: validates the event, picks the transition the way XState does,
 * checks `allow` and required fields, runs `set` actions, and builds the next version of the
 * record. Writes nothing.
 */
function decide(
  core: EngineCore,
  bp: Blueprint,
  record: StoredRecord,
  input: EventInput,
  actor: Actor,
  at: string,
  cause: SendCause,
): Move | TransitionOutcome {
  const ev = input.type;
  const given = input.fields ? normalizeFields(bp, input.fields, `event '${ev}'`, record.id) : undefined;
  if (bp.isFinal(record.stage)) {
    return reject('final_stage', record, ev, actor, `record '${record.id}' is in final stage '${record.stage}'; event '${ev}' is not accepted`);
  }
  const candidates = core.candidates(bp, record.stage, ev);
  if (candidates.length === 0) {
    return reject('no_transition', record, ev, actor, `record '${record.id}': no transition for event '${ev}' from stage '${record.stage}'`);
  }
  // the fields object is copied only when this event can change it (event fields, set actions, plugins)
  const fields: Record<string, unknown> =
    given || core.plugins.length > 0 || hasSetActions(candidates) || bp.computed ? { ...record.fields } : record.fields;
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
    return reject(
      'required_fields',
      record,
      ev,
      actor,
      `record '${record.id}': event '${ev}' to stage '${to}' needs field(s) ${missing.map((f) => `'${f}'`).join(', ')}`,
      { missingFields: missing, to },
    );
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
  // actions and plugins may change meta: give them their own object (else share the loaded one)
  let meta = record.meta;
  if (moved) {
    meta = { ...record.meta };
    meta.stageTimes = moved; // (STAGE_TIMES_META, written as a plain property store: V8 keeps the copy's shape)
  } else if (spec.actions || core.plugins.length > 0) meta = { ...record.meta };
  // built whole in the interface's order (a spread with overrides costs V8 a slow path per property)
  const after: StoredRecord = {
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
  return { record, after, chosen, data, input, moved, historyId: core.newId('evt') };
}

function isMove(x: Move | TransitionOutcome): x is Move {
  return (x as Move).after !== undefined;
}

/** The transition's history event (its `changes` are filled in once plugins have run). */
function historyEvent(tx: StorageTx, m: Move, actor: Actor, at: string, cause: SendCause, side: SideEffects): HistoryEvent {
  // (`changes` has its slot from the start so the object keeps its shape)
  const histData: Record<string, unknown> =
    side.history === NO_SIDE_EFFECTS.history ? { transition: m.chosen.index, changes: undefined } : { transition: m.chosen.index, ...side.history, changes: undefined };
  const hist: HistoryEvent = {
    tenantId: tx.tenantId,
    id: m.historyId,
    recordId: m.record.id,
    seq: m.record.version + 1,
    at,
    kind: 'transition',
    event: m.input.type,
    from: m.record.stage,
    to: m.chosen.to,
    actorId: actor.id,
    data: histData,
  };
  if (m.input.fields) histData.input = m.input.fields;
  if (m.input.data) histData.eventData = m.input.data;
  if (m.input.supplied) histData.requirements = m.input.supplied;
  if (cause.timer) histData.timer = cause.timer;
  return hist;
}

/** `data.changes` of the history event: what the move changed. */
function noteChanges(hist: HistoryEvent, m: Move): void {
  // (stage times moved the standard way are left out of the event: replay derives them; changed by a plugin, they are kept)
  hist.data.changes = diffRecords(m.record, m.after, m.moved !== undefined && m.after.meta[STAGE_TIMES_META] === m.moved ? STAGE_TIMES_META : undefined);
}

/** The outbox messages of the move: the transition's, then those of its actions. */
function outboxOf(tx: StorageTx, m: Move, actor: Actor, at: string, side: SideEffects): OutboxMessage[] {
  const { record } = m;
  const outbox: OutboxMessage[] = [
    {
      tenantId: tx.tenantId,
      id: m.historyId,
      recordId: record.id,
      type: 'dealflow.transition',
      payload: { recordId: record.id, type: record.type, event: m.input.type, from: record.stage, to: m.chosen.to, actorId: actor.id, version: record.version + 1 },
      createdAt: at,
    },
  ];
  if (side.outbox.length > 0) outbox.push(...side.outbox);
  return outbox;
}

/** The accepted outcome, with the events to emit after commit. */
function accepted(m: Move, hist: HistoryEvent, events: HistoryEvent[], actor: Actor, side: SideEffects): TransitionOutcome {
  const { after } = m;
  const from = m.record.stage;
  const to = m.chosen.to;
  const emits: PendingEmit[] = [];
  for (const c of side.created) emits.push(...c.emits);
  emits.push({ name: 'transition', payload: { record: after, from, to, event: m.input.type, actorId: actor.id, history: hist } });
  if (side.emits.length > 0) emits.push(...side.emits);
  return {
    ok: true,
    record: after,
    events,
    emits,
    from,
    to,
    created: side.created.length > 0 ? side.created.map((c) => c.record.id) : [],
  };
}

/**
 * The one send path (used by `engine.send` and by timers): selects the transition the way XState
 * does (candidates from the machine's state nodes, first whose guard holds), checks who may fire
 * it and the required fields, runs actions and plugins, and writes record (version + 1), history
 * event, timers and outbox in the given transaction. A rejection writes nothing.
 */
export function transitionInTx(
  core: EngineCore,
  tx: StorageTx,
  bp: Blueprint,
  record: StoredRecord,
  input: EventInput,
  actor: Actor,
  ctx: CallContext,
  at: string,
  cause: SendCause = USER_CAUSE,
): Promise<TransitionOutcome> {
  const m = decide(core, bp, record, input, actor, at, cause);
  if (!isMove(m)) return Promise.resolve(m);
  return writeMove(core, tx, bp, m, actor, ctx, at, cause);
}

/** Side actions, SLA clocks, plugins, then the writes (record, history, task index, timers, outbox). */
async function writeMove(
  core: EngineCore,
  tx: StorageTx,
  bp: Blueprint,
  m: Move,
  actor: Actor,
  ctx: CallContext,
  at: string,
  cause: SendCause,
): Promise<TransitionOutcome> {
  const { record, after, chosen, data } = m;
  const { spec, index } = chosen;
  const from = record.stage;
  const to = chosen.to;
  const side = spec.actions ? await runSideActions(core, tx, bp, index, spec, after, data, at, actor, ctx, m.historyId) : NO_SIDE_EFFECTS;
  const hist = historyEvent(tx, m, actor, at, cause, side);
  // SLA clocks (sla/): pause stages stop and resume deadlines; `clockStart: lastModified` notes in-stage changes
  let resumed: TimerRecord[] | undefined;
  // (only a move into or out of a pause stage can stop or resume a clock: skip the async call otherwise)
  if (to !== from) {
    if (bp.hasPauseStages && (bp.stages.get(to)?.pause === true || bp.stages.get(from)?.pause === true)) resumed = await pauseOnStageChange(core.calendars, tx, bp, record, after, at);
  } else if (!cause.timer && bp.stages.get(to)?.deadline?.clockStart === 'lastModified') {
    if (after.meta === record.meta) after.meta = { ...record.meta };
    after.meta[LAST_MODIFIED_META] = at;
  }
  const events = [hist];
  if (core.plugins.length > 0) await runPlugins(core.plugins, { before: record, after, events, tx, ctx });
  after.version = record.version + 1;
  noteChanges(hist, m);

  await tx.updateRecord(after, record.version);
  await tx.appendHistory(events);
  // (no store call, and no turn waited, when nothing the task index or date timers are made of can change)
  if (after.meta.tasks !== record.meta.tasks || after.ownerId !== record.ownerId || after.teamId !== record.teamId || hasAgendaFields(bp)) {
    await syncTaskIndex(tx, bp, record, after);
  }
  if (bp.spec.dateTimers !== undefined && bp.spec.dateTimers.length > 0) await planDateTimers(tx, bp, core.calendars, record, after, at);
  if (to !== from) {
    // only stages with a deadline have stage timers to cancel
    // (a firing timer's own kind is left alone: the worker completes it in this transaction)
    if (bp.stages.get(from)?.deadline) {
      const kinds = cause.timer ? STAGE_TIMER_KINDS.filter((k) => k !== cause.timer!.kind) : STAGE_TIMER_KINDS;
      if (kinds.length > 0) await tx.cancelTimers(record.id, { stage: from, kinds });
    }
    const timers = resumed ?? stageTimers(core, bp, after);
    if (timers.length > 0) await tx.scheduleTimers(timers);
  }
  await tx.appendOutbox(outboxOf(tx, m, actor, at, side));
  return accepted(m, hist, events, actor, side);
}
