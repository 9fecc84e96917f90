import { DealflowError } from '@dealflow/logic';
import type { Blueprint } from '../blueprint/define.js';
import type { RuleData } from '../blueprint/machine.js';
import type { TransitionSpec } from '../blueprint/schema.js';
import type { OutboxMessage, StorageTx, StoredRecord } from '../storage/types.js';
import { cloneJson } from '../storage/clone.js';
import type { Actor, CallContext, Task } from './context.js';
import type { EngineCore } from './core.js';
import { createInTx } from './create-record.js';
import type { CreatedInTx } from './create-record.js';
import { addDuration } from './deadlines.js';
import type { CalendarLike } from './core.js';
import type { PendingEmit } from './events.js';
import { normalizeFieldValue } from '../fields/values.js';


function evalRule(bp: Blueprint, path: string, data: unknown): unknown {
  const rule = bp.rules.get(path);
  if (!rule) throw new DealflowError('BLUEPRINT_INVALID', `blueprint '${bp.id}': no compiled rule at ${path}`);
  return rule(data);
}

function evalData(bp: Blueprint, base: string, data: Record<string, unknown> | undefined, ruleData: RuleData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(data ?? {})) out[k] = cloneJson(evalRule(bp, `${base}.data.${k}`, ruleData));
  return out;
}

/**
 * Runs the `set` actions of transition `index` in order, writing computed values into `fields`
 * (which is `data.fields`, so later actions see earlier results). A computed value that does not
 * fit the field's type fails the call with `INPUT_INVALID` naming the action's path.
 */
export function applySetActions(bp: Blueprint, index: number, spec: TransitionSpec, fields: Record<string, unknown>, data: RuleData, recordId: string): void {
  spec.actions?.forEach((a, j) => {
    if (a.type !== 'set') return;
    const path = `$.transitions[${index}].actions[${j}]`;
    const value = evalRule(bp, `${path}.value`, data);
    const fieldSpec = bp.fields[a.field]!;
    // (money is rounded to its minor unit: a computed 10 % discount need not come out in whole cents)
    const r = value === undefined || value === null ? null : normalizeFieldValue(a.field, fieldSpec, value, `${path}.value`, { exact: false });
    if (r && !r.ok) {
      const problem = r.problems[0]!;
      throw new DealflowError('INPUT_INVALID', `record '${recordId}': action ${path} computed an invalid value: ${problem.message}`, {
        problems: r.problems,
        details: { recordId, action: path },
      });
    }
    if (r === null) delete fields[a.field];
    else fields[a.field] = cloneJson(r.value);
  });
}

/** A record a `convert` action creates: planned by the pure step, created by the engine in the same transaction. */
export interface ConvertPlan {
  /** The action's path, for messages. */
  path: string;
  /** Target blueprint id or record type, as the action names it. */
  blueprint: string;
  /** Its alias in the action (`as`). */
  as: string;
  /** The new record's id, fields, owner, team and links. */
  input: {
    /** The new record's id, generated for its record type. */
    id: string;
    /** Field values the action's rules computed (null and undefined results left out). */
    fields: Record<string, unknown>;
    /** The source record's owner. */
    ownerId: string | null;
    /** The source record's team. */
    teamId: string | null;
  };
  /** Link name → record ids for the new record: back to the source (`backlink`) and to the targets named in `linkTo`. */
  links: Record<string, string[]>;
}

/** What the non-`set` actions produced (plain data: nothing is written). */
export interface SideEffects {
  /** Facts for the history event's `data` (tasks, emitted, notified, created). */
  history: Record<string, unknown>;
  emits: PendingEmit[];
  outbox: OutboxMessage[];
  /** Tasks `task` actions added to `after.meta.tasks`. */
  tasks: Task[];
  /** Records `convert` actions ask for. */
  creates: ConvertPlan[];
}

/** What the pure step needs of its surroundings: business calendars and new ids. */
export interface StepEnv {
  calendars: ReadonlyMap<string, CalendarLike>;
  newId(prefix: string): string;
  /** The record type a blueprint id or record type names (convert targets). */
  recordTypeOf(typeOrId: string): string;
}

/**
 * Computes the `task`, `emit`, `notify`, `assign` and `convert` actions of a transition against the
 * new record `after` (changing its `meta.tasks`, `meta.links`, owner and team). Pure: records a
 * `convert` creates are returned as plans.
 */
export function sideActions(
  env: StepEnv,
  bp: Blueprint,
  index: number,
  spec: TransitionSpec,
  after: StoredRecord,
  data: RuleData,
  at: string,
  historyId: string,
): SideEffects {
  const out: SideEffects = { history: {}, emits: [], outbox: [], tasks: [], creates: [] };
  if (!spec.actions) return out;
  let n = 0;
  const msg = (type: string, payload: Record<string, unknown>): OutboxMessage => ({
    tenantId: after.tenantId,
    id: `${historyId}:${++n}`,
    recordId: after.id,
    type,
    payload,
    createdAt: at,
  });
  for (let j = 0; j < spec.actions.length; j++) {
    const a = spec.actions[j]!;
    const path = `$.transitions[${index}].actions[${j}]`;
    switch (a.type) {
      case 'set':
        break;
      case 'task': {
        const owner = a.owner !== undefined ? evalRule(bp, `${path}.owner`, data) : after.ownerId;
        const task: Task = {
          id: `${historyId}:task:${j}`,
          title: a.title,
          ownerId: owner === undefined || owner === null ? null : String(owner),
          dueAt: a.due ? addDuration(env, at, a.due, a.businessTime) : null,
          createdAt: at,
          status: 'open',
          event: spec.event,
        };
        const tasks = Array.isArray(after.meta.tasks) ? [...(after.meta.tasks as Task[])] : [];
        tasks.push(task);
        after.meta.tasks = tasks;
        ((out.history.tasks ??= []) as Task[]).push(task);
        out.tasks.push(task);
        out.emits.push({ name: 'task.created', payload: { record: after, task } });
        out.outbox.push(msg('dealflow.task.created', { recordId: after.id, task: cloneJson(task) }));
        break;
      }
      case 'emit': {
        const payload = evalData(bp, path, a.data, data);
        ((out.history.emitted ??= []) as unknown[]).push({ name: a.event, data: payload });
        out.emits.push({ name: 'emitted', payload: { record: after, name: a.event, data: payload, historyId } });
        out.outbox.push(msg('dealflow.emitted', { recordId: after.id, name: a.event, data: payload }));
        break;
      }
      case 'notify': {
        const to = cloneJson(evalRule(bp, `${path}.to`, data));
        const payload = evalData(bp, path, a.data, data);
        const note = { to, channel: a.channel ?? null, message: a.message, data: payload };
        ((out.history.notified ??= []) as unknown[]).push(note);
        out.emits.push({ name: 'notify', payload: { record: after, ...note, historyId } });
        out.outbox.push(msg('dealflow.notify', { recordId: after.id, ...note }));
        break;
      }
      case 'assign': {
        // an owner given by a rule is set here; a strategy is carried out by the sales rules (engine plugin)
        if (a.owner !== undefined) {
          const owner = evalRule(bp, `${path}.owner`, data);
          if (typeof owner !== 'string' || owner.length === 0) {
            throw new DealflowError('INPUT_INVALID', `record '${after.id}': assign action ${path} computed no rep id (got ${JSON.stringify(owner)})`, { details: { recordId: after.id, action: path } });
          }
          after.ownerId = owner;
          if (a.team !== undefined) after.teamId = a.team;
          out.history.assigned = { ownerId: owner, teamId: after.teamId, action: path };
        } else {
          out.history.assignRequest = { strategy: a.strategy, team: a.team ?? null, pool: a.pool ?? null, action: path };
        }
        break;
      }
      case 'convert': {
        const plans = planConvert(env, bp, path, a.create, after, data);
        out.creates.push(...plans);
        ((out.history.created ??= []) as unknown[]).push(...plans.map((p) => ({ id: p.input.id, type: env.recordTypeOf(p.blueprint) })));
        break;
      }
    }
  }
  return out;
}

/** The records a `convert` action creates, linked to `source` (whose `meta.links` gains them) and to each other. */
function planConvert(
  env: StepEnv,
  bp: Blueprint,
  path: string,
  targets: NonNullable<Extract<NonNullable<TransitionSpec['actions']>[number], { type: 'convert' }>['create']>,
  source: StoredRecord,
  data: RuleData,
): ConvertPlan[] {
  const plans = targets.map((t, k): ConvertPlan => {
    const fields: Record<string, unknown> = {};
    for (const f of Object.keys(t.fields ?? {})) {
      const v = evalRule(bp, `${path}.create[${k}].fields.${f}`, data);
      if (v !== undefined && v !== null) fields[f] = v;
    }
    const links: Record<string, string[]> = { [t.backlink ?? source.type]: [source.id] };
    const id = env.newId(env.recordTypeOf(t.blueprint));
    return { path, blueprint: t.blueprint, as: t.as, input: { id, fields, ownerId: source.ownerId, teamId: source.teamId }, links };
  });
  const byName = new Map(plans.map((p) => [p.as, p]));
  targets.forEach((t, k) => {
    const p = plans[k]!;
    for (const name of t.linkTo ?? []) {
      const other = byName.get(name);
      if (!other) {
        throw new DealflowError('BLUEPRINT_INVALID', `blueprint '${bp.id}' ${path}: linkTo '${name}' names no target of this convert`);
      }
      (p.links[name] ??= []).push(other.input.id);
      (other.links[p.as] ??= []).push(p.input.id);
    }
  });
  const sourceLinks = { ...((source.meta.links as Record<string, string[]> | undefined) ?? {}) };
  for (const p of plans) sourceLinks[p.as] = [...(sourceLinks[p.as] ?? []), p.input.id];
  source.meta.links = sourceLinks;
  return plans;
}

/**
 * Creates the records of `convert` plans in the open transaction (the engine's part of a convert:
 * the plans come from the pure step).
 */
export async function createConverted(
  core: EngineCore,
  tx: StorageTx,
  plans: readonly ConvertPlan[],
  source: StoredRecord,
  ctx: CallContext,
  actor: Actor,
  at: string,
): Promise<CreatedInTx[]> {
  const made: CreatedInTx[] = [];
  for (const p of plans) {
    try {
      made.push(await createInTx(core, tx, core.blueprintFor(p.blueprint), p.input, ctx, actor, at, { links: p.links }));
    } catch (e) {
      if (e instanceof DealflowError && e.code === 'INPUT_INVALID') {
        throw new DealflowError('INPUT_INVALID', `record '${source.id}': convert ${p.path} could not create '${p.blueprint}' (${p.as}): ${e.message}`, {
          problems: e.problems,
          details: { recordId: source.id, action: p.path },
          cause: e,
        });
      }
      throw e;
    }
  }
  return made;
}
