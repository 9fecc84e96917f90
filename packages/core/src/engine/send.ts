import type { Blueprint } from '../blueprint/define.js';
import type { HistoryEvent, StorageTx, StoredRecord } from '../storage/types.js';
import { pauseOnStageChange } from '../sla/clock.js';
import { firingDateTimerKey, step, noteChanges } from '../transition/step.js';
import type { EventInput, StepCause, StepContext, TransitionEffects } from '../transition/step.js';
import { createConverted } from './actions.js';
import type { Actor, CallContext, Rejection } from './context.js';
import type { EngineCore } from './core.js';
import { STAGE_TIMER_KINDS } from './deadlines.js';
import { DATE_TIMER_KIND, dateTimerPlan } from './date-timers.js';
import type { PendingEmit } from './events.js';
import { runPlugins } from './plugins.js';
import { writeChange } from './writer.js';

export type { EventInput } from '../transition/step.js';

/** How the send was caused (timers skip `allow`: the process itself fires them). */
export type SendCause = StepCause;

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

/** The cause of an ordinary `engine.send` (shared: causes are only read). */
const USER_CAUSE: SendCause = Object.freeze({});

const stepContexts = new WeakMap<EngineCore, StepContext>();

/** What the pure step needs from this engine (made once per engine). */
export function stepContextOf(core: EngineCore): StepContext {
  let env = stepContexts.get(core);
  if (!env) {
    env = {
      calendars: core.calendars,
      newId: core.newId,
      recordTypeOf: (typeOrId) => core.blueprintFor(typeOrId).recordType,
      candidates: core.candidates,
      ownCopies: core.plugins.length > 0,
    };
    stepContexts.set(core, env);
  }
  return env;
}

/** Replaces the date-field timers of `effects` by a fresh plan (plugins changed the record after the step). */
function replanDateTimers(effects: TransitionEffects, bp: Blueprint, core: EngineCore, record: StoredRecord, next: StoredRecord, at: string, cause: SendCause): void {
  const plan = dateTimerPlan(bp, core.calendars, record, next, at, firingDateTimerKey(cause));
  effects.cancelTimers = effects.cancelTimers.filter((c) => !(c.kinds?.length === 1 && c.kinds[0] === DATE_TIMER_KIND));
  if (plan.cancel.length > 0) effects.cancelTimers.unshift({ recordId: record.id, kinds: plan.kinds, keys: plan.cancel });
  effects.scheduleTimers = [...plan.schedule, ...effects.scheduleTimers.filter((t) => t.kind !== DATE_TIMER_KIND)];
}

/**
 * The one send path (used by `engine.send` and by timers): the pure step decides (see
 * `transition/step.ts`); then the engine's part, which needs the store — records a `convert`
 * creates, pause-stage clocks, plugins — and the change writer writes record (version + 1), history
 * event, task index, timers and outbox in the given transaction. A rejection writes nothing.
 */
export async function transitionInTx(
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
  const s = step(stepContextOf(core), bp, record, input, actor, at, cause);
  if (!s.ok) return s;
  const { next, effects, from, to } = s;
  const created = effects.creates.length > 0 ? await createConverted(core, tx, effects.creates, next, ctx, actor, at) : [];
  let changed = false;
  // SLA clocks (sla/): pause stages stop and resume deadlines (this reads the record's timers)
  if (to !== from && bp.hasPauseStages && (bp.stages.get(to)?.pause === true || bp.stages.get(from)?.pause === true)) {
    const resumed = await pauseOnStageChange(core.calendars, tx, bp, record, next, at);
    if (resumed) effects.scheduleTimers = [...effects.scheduleTimers.filter((t) => !STAGE_TIMER_KINDS.includes(t.kind)), ...resumed];
    changed = true;
  }
  if (core.plugins.length > 0) {
    await runPlugins(core, { before: record, after: next, events: effects.history, tx, ctx });
    next.version = record.version + 1;
    replanDateTimers(effects, bp, core, record, next, at, cause);
    changed = true;
  }
  if (changed) noteChanges(effects.history[0]!, record, next, s.moved);
  await writeChange(tx, bp, { before: record, after: next, history: effects.history, cancelTimers: effects.cancelTimers, scheduleTimers: effects.scheduleTimers, outbox: effects.outbox });
  const emits: PendingEmit[] = created.length === 0 ? effects.notifications : [...created.flatMap((c) => c.emits), ...effects.notifications];
  return { ok: true, record: next, events: effects.history, emits, from, to, created: created.map((c) => c.record.id) };
}
