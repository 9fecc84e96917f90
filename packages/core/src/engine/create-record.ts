import { DealflowError } from '@dealflow/logic';
import type { Problem } from '@dealflow/logic';
import type { Blueprint } from '../blueprint/define.js';
import type { HistoryEvent, OutboxMessage, StorageTx, StoredRecord } from '../storage/types.js';
import { cloneJson } from '../storage/clone.js';
import type { Actor, CallContext, CreateInput } from './context.js';
import type { EngineCore } from './core.js';
import { STAGE_TIMER_KINDS, stageTimers } from './deadlines.js';
import type { PendingEmit } from './events.js';
import { normalizeFields, isSet } from './fields.js';
import { runPlugins } from './plugins.js';
import { createdSnapshot, diffRecords } from './replay.js';
import { initialStageTimes, moveStageTimes, STAGE_TIMES_META } from '../stage-times/stage-times.js';
import type { StageTimes } from '../stage-times/stage-times.js';
import { syncTaskIndex } from './task-index.js';
import { dateTimerPlan } from './date-timers.js';
import { writeChange, writeEffects } from './writer.js';

/** What creating one record wrote. */
export interface CreatedInTx {
  record: StoredRecord;
  /** The `created` event. */
  event: HistoryEvent;
  /** Every history event written (the `created` one first), when more than it. */
  events?: HistoryEvent[];
  emits: PendingEmit[];
}

/**
 * Creates a record inside an open transaction: validates fields, applies defaults, checks fields
 * required at creation and in the initial stage, runs plugins, writes record, `created` history
 * event, initial-stage deadline timers and the outbox message.
 */
export async function createInTx(
  core: EngineCore,
  tx: StorageTx,
  bp: Blueprint,
  input: CreateInput,
  ctx: CallContext,
  actor: Actor,
  at: string,
  extraMeta: Record<string, unknown> = {},
): Promise<CreatedInTx> {
  if (typeof input !== 'object' || input === null) {
    throw new DealflowError('INPUT_INVALID', `create '${bp.recordType}': input must be an object`);
  }
  const given = normalizeFields(bp, input.fields ?? {}, `create '${bp.recordType}'`, input.id ?? null);
  const fields: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(bp.fields)) {
    if (spec.default !== undefined) fields[name] = cloneJson(spec.default);
  }
  for (const [k, v] of Object.entries(given)) if (v !== undefined && v !== null) fields[k] = cloneJson(v);
  bp.computed?.apply(fields, input.id ?? null);
  const required = new Set<string>(bp.requiredIn(bp.initialStage));
  for (const [name, spec] of Object.entries(bp.fields)) if (spec.required) required.add(name);
  const missing = [...required].filter((f) => !isSet(fields[f]));
  if (missing.length > 0) {
    const problems: Problem[] = missing.map((f) => ({ path: `$.fields.${f}`, code: 'required', message: `field '${f}' is required` }));
    throw new DealflowError('INPUT_INVALID', `create '${bp.recordType}': missing required field(s) ${missing.map((f) => `'${f}'`).join(', ')}`, {
      problems,
      details: { blueprintId: bp.id, missingFields: missing },
    });
  }
  const id = input.id ?? core.newId(bp.recordType);
  if (typeof id !== 'string' || id.length === 0) throw new DealflowError('INPUT_INVALID', `create '${bp.recordType}': id must be a non-empty string`);
  if (await tx.getRecord(id)) {
    throw new DealflowError('DUPLICATE', `record '${id}' already exists in tenant '${tx.tenantId}'`, { details: { recordId: id } });
  }
  const record: StoredRecord = {
    tenantId: tx.tenantId,
    id,
    type: bp.recordType,
    blueprintId: bp.id,
    blueprintVersion: bp.version,
    stage: bp.initialStage,
    version: 1,
    fields,
    ownerId: input.ownerId ?? null,
    teamId: input.teamId ?? null,
    meta: { ...cloneJson(extraMeta), [STAGE_TIMES_META]: initialStageTimes(bp.initialStage, at) },
    stageEnteredAt: at,
    createdAt: at,
    updatedAt: at,
  };
  const event: HistoryEvent = {
    tenantId: tx.tenantId,
    id: core.newId('evt'),
    recordId: id,
    seq: 1,
    at,
    kind: 'created',
    to: bp.initialStage,
    actorId: actor.id,
    data: {},
  };
  await runPlugins(core, { before: null, after: record, events: [event], tx, ctx });
  record.version = 1;
  record.id = id;
  event.data.record = createdSnapshot(record);
  const outbox: OutboxMessage = {
    tenantId: tx.tenantId,
    id: event.id,
    recordId: id,
    type: 'dealflow.created',
    payload: { recordId: id, type: bp.recordType, blueprintId: bp.id, stage: record.stage, actorId: actor.id, version: 1 },
    createdAt: at,
  };
  const dates = dateTimerPlan(bp, core.calendars, null, record, at);
  await writeChange(tx, bp, { before: null, after: record, history: [event], scheduleTimers: [...dates.schedule, ...stageTimers(core, bp, record)], outbox: [outbox] });
  return { record, event, emits: [{ name: 'created', payload: { record, history: event } }] };
}

/** A stage a record entered in the past, with when (imports). */
export interface PastStage {
  /** The stage entered. */
  stage: string;
  /** When it was entered (ISO time). */
  at: string;
}

/**
 * Writes stages a new record passed through before it reached this system (imports): per stage one
 * `transition` history event of event `$import` (no guards: facts of the past), the record moved
 * with its stage times, and the deadline timers of the last stage in place of the first's. The
 * times must not go back, nor before the record's creation.
 */
export async function restatePastStages(
  core: EngineCore,
  tx: StorageTx,
  bp: Blueprint,
  made: CreatedInTx,
  stages: readonly PastStage[],
  actor: Actor,
): Promise<CreatedInTx> {
  if (!Array.isArray(stages)) throw new DealflowError('INPUT_INVALID', `create '${bp.recordType}': stages must be an array of { stage, at }`);
  let record = made.record;
  const events = [made.event];
  for (const [i, step] of stages.entries()) {
    const where = `create '${bp.recordType}' record '${record.id}': stages[${i}]`;
    if (typeof step !== 'object' || step === null || typeof step.stage !== 'string' || !bp.spec.stages.some((s) => s.id === step.stage)) {
      throw new DealflowError('INPUT_INVALID', `${where}: unknown stage '${String(step?.stage)}' of blueprint '${bp.id}'`, { details: { recordId: record.id, stage: step?.stage ?? null } });
    }
    const at = typeof step.at === 'string' ? new Date(step.at) : new Date(NaN);
    if (Number.isNaN(at.getTime())) throw new DealflowError('INPUT_INVALID', `${where}: 'at' must be an ISO time, got ${JSON.stringify(step.at)}`);
    const when = at.toISOString();
    if (when < record.stageEnteredAt) {
      throw new DealflowError('INPUT_INVALID', `${where}: ${when} is before the record entered '${record.stage}' (${record.stageEnteredAt})`, { details: { recordId: record.id } });
    }
    if (step.stage === record.stage) continue;
    const after: StoredRecord = {
      ...record,
      stage: step.stage,
      stageEnteredAt: when,
      version: record.version + 1,
      updatedAt: when,
      meta: { ...record.meta, [STAGE_TIMES_META]: moveStageTimes(record.meta[STAGE_TIMES_META] as StageTimes | undefined, record.stage, step.stage, when, record.stageEnteredAt) },
    };
    const event: HistoryEvent = {
      tenantId: tx.tenantId, id: core.newId('evt'), recordId: record.id, seq: after.version, at: when, kind: 'transition',
      event: IMPORT_EVENT, from: record.stage, to: step.stage, actorId: actor.id,
      data: { imported: true, changes: diffRecords(record, after, STAGE_TIMES_META) },
    };
    await writeChange(tx, bp, { before: record, after, history: [event] });
    events.push(event);
    record = after;
  }
  if (record === made.record) return made;
  await syncTaskIndex(tx, bp, made.record, record);
  // the timers of the stage the record is in now (date-field timers re-planned, stage timers replaced)
  const dates = dateTimerPlan(bp, core.calendars, made.record, record, record.updatedAt);
  await writeEffects(tx, {
    cancelTimers: [...(dates.cancel.length > 0 ? [{ recordId: record.id, kinds: dates.kinds, keys: dates.cancel }] : []), { recordId: record.id, kinds: STAGE_TIMER_KINDS }],
    scheduleTimers: [...dates.schedule, ...stageTimers(core, bp, record)],
  });
  return { record, event: made.event, events, emits: made.emits };
}

/** The event name of the history events `restatePastStages` writes. */
export const IMPORT_EVENT = '$import';
