import { DealflowError } from '@dealflow/logic';
import type { Problem } from '@dealflow/logic';
import type { Blueprint } from '../blueprint/define.js';
import type { HistoryEvent, OutboxMessage, StorageTx, StoredRecord } from '../storage/types.js';
import { LAST_MODIFIED_META } from '../sla/clock.js';
import type { Actor, CallContext } from './context.js';
import type { EngineCore } from './core.js';
import type { PendingEmit } from './events.js';
import { isSet, normalizeFields } from './fields.js';
import { runPlugins } from './plugins.js';
import { diffRecords } from './replay.js';
import { dateTimerPlan } from './date-timers.js';
import { writeChange } from './writer.js';

/** Input of `engine.update`: field values to set (`null` clears a field). */
export interface UpdateInput {
  /** Field name → new value, validated against the blueprint; `null` clears the field. */
  fields: Record<string, unknown>;
}

/** What one edit wrote (or, with `changed: []`, that nothing changed and nothing was written). */
export interface UpdatedInTx {
  record: StoredRecord;
  events: HistoryEvent[];
  /** Names of the fields whose value changed (computed fields included). */
  changed: string[];
  emits: PendingEmit[];
}

/** The fields a stage lets `engine.update` change: `*`, or a list (default: all in open stages, none in final ones). */
function editableIn(bp: Blueprint, stage: string): '*' | readonly string[] {
  const s = bp.stages.get(stage);
  if (s?.editable !== undefined) return s.editable;
  return bp.isFinal(stage) ? [] : '*';
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Edits a record's fields without a stage move, inside the caller's transaction: checks the
 * stage's edit policy (`editable`), the values (types, normalized, computed fields not writable),
 * the fields required in the current stage; recomputes computed fields; runs plugins (sales
 * permissions per field and role, duplicate keys, escalation re-planning, scores); writes the
 * record (version + 1), one `fields` history event with each changed field's value before and
 * after, the task index and a `dealflow.fields.changed` outbox message. An edit that changes
 * nothing writes nothing.
 */
export async function updateInTx(
  core: EngineCore,
  tx: StorageTx,
  bp: Blueprint,
  record: StoredRecord,
  input: UpdateInput,
  actor: Actor,
  ctx: CallContext,
  at: string,
): Promise<UpdatedInTx> {
  if (typeof input !== 'object' || input === null || typeof input.fields !== 'object' || input.fields === null) {
    throw new DealflowError('INPUT_INVALID', `update of record '${record.id}': input must be { fields: { … } }`);
  }
  const given = normalizeFields(bp, input.fields, 'update', record.id);
  const names = Object.keys(given);
  const policy = editableIn(bp, record.stage);
  if (policy !== '*') {
    const locked = names.filter((n) => !policy.includes(n) && !sameJson(record.fields[n] ?? null, given[n]));
    if (locked.length > 0) {
      const i = bp.spec.stages.findIndex((s) => s.id === record.stage);
      throw new DealflowError('FORBIDDEN', `record '${record.id}' is in ${bp.isFinal(record.stage) ? 'final ' : ''}stage '${record.stage}', where ${locked.map((f) => `'${f}'`).join(', ')} may not be changed (rule $.stages[${i}].editable)`, {
        details: { recordId: record.id, stage: record.stage, fields: locked, rule: `$.stages[${i}].editable` },
      });
    }
  }
  const fields: Record<string, unknown> = { ...record.fields };
  for (const [k, v] of Object.entries(given)) {
    if (v === null) delete fields[k];
    else fields[k] = v;
  }
  bp.computed?.apply(fields, record.id);
  const missing = bp.requiredIn(record.stage).filter((f) => !isSet(fields[f]));
  if (missing.length > 0) {
    const problems: Problem[] = missing.map((f) => ({ path: `$.fields.${f}`, code: 'required', message: `field '${f}' is required in stage '${record.stage}'` }));
    throw new DealflowError('INPUT_INVALID', `update of record '${record.id}': ${problems.map((p) => p.message).join('; ')}`, { problems, details: { recordId: record.id, missingFields: missing } });
  }
  const changed = Object.keys({ ...record.fields, ...fields }).filter((k) => !sameJson(record.fields[k], fields[k]));
  if (changed.length === 0) return { record, events: [], changed, emits: [] };

  const meta = bp.stages.get(record.stage)?.deadline?.clockStart === 'lastModified' ? { ...record.meta, [LAST_MODIFIED_META]: at } : { ...record.meta };
  const after: StoredRecord = { ...record, fields, meta, version: record.version + 1, updatedAt: at };
  const before: Record<string, unknown> = {};
  const now: Record<string, unknown> = {};
  for (const k of changed) {
    before[k] = record.fields[k] ?? null;
    now[k] = fields[k] ?? null;
  }
  const hist: HistoryEvent = {
    tenantId: tx.tenantId, id: core.newId('evt'), recordId: record.id, seq: record.version + 1, at, kind: 'fields', actorId: actor.id,
    data: { before, after: now, changes: undefined },
  };
  const events = [hist];
  await runPlugins(core, { before: record, after, events, tx, ctx });
  after.version = record.version + 1;
  hist.data.changes = diffRecords(record, after);
  const outbox: OutboxMessage = {
    tenantId: tx.tenantId, id: hist.id, recordId: record.id, type: 'dealflow.fields.changed',
    payload: { recordId: record.id, type: record.type, stage: record.stage, changed, before, after: now, actorId: actor.id, version: after.version },
    createdAt: at,
  };
  const dates = dateTimerPlan(bp, core.calendars, record, after, at);
  await writeChange(tx, bp, {
    before: record, after, history: events,
    cancelTimers: dates.cancel.length > 0 ? [{ recordId: record.id, kinds: dates.kinds, keys: dates.cancel }] : [],
    scheduleTimers: dates.schedule,
    outbox: [outbox],
  });
  return { record: after, events, changed, emits: [{ name: 'fields.changed', payload: { record: after, changed, before, after: now, actorId: actor.id, history: hist } }] };
}
