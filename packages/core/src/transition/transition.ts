import { createCalendar, DealflowError } from '@dealflow/logic';
import type { BusinessCalendar, CalendarDefinition } from '@dealflow/logic';
import type { Blueprint } from '../blueprint/define.js';
import type { CalendarSpec } from '../blueprint/schema.js';
import type { StoredRecord } from '../storage/types.js';
import { ANONYMOUS } from '../identity/identity.js';
import type { Actor, Rejection, SendInput } from '../engine/context.js';
import { createCandidateCache, defaultNewId } from '../engine/core.js';
import { eventInputOf, step } from './step.js';
import type { StepContext, TransitionEffects } from './step.js';

/** Options of {@link transition}: who acts, when, and what the step may need. */
export interface TransitionContext {
  /** Who fires the event, as given (no directory here; default: the anonymous actor). Use `system: true` for the process itself. */
  actor?: Actor;
  /** When (default: now). */
  now?: string | Date;
  /** Id generator for the history event and anything actions create (default: the engine's). */
  newId?: (prefix: string) => string;
  /** Business calendars deadlines name, besides the blueprint's own `calendars`. */
  calendars?: CalendarSpec[];
  /** The process itself fires the event (a timer): `allow` rules are skipped. */
  system?: boolean;
  /** Blueprints `convert` actions may create records of (by id or record type). */
  blueprints?: Blueprint[];
}

/** The outcome of {@link transition}: the next version of the record and its effects as data, or a rejection. */
export type TransitionResult =
  | {
      /** The event is accepted. */
      ok: true;
      /** The record after the event (version + 1). */
      next: StoredRecord;
      /** The stage before the event. */
      from: string;
      /** The stage after it (equal to `from` for a self-transition). */
      to: string;
      /** Everything the engine would write and announce: history, timers, outbox, notifications, tasks, records to create. */
      effects: TransitionEffects;
    }
  | {
      /** The event is refused; nothing would be written. */
      ok: false;
      /** Why, with the missing fields and the failed guard. */
      rejection: Rejection;
    };

const candidates = createCandidateCache();
const blueprintCalendars = new WeakMap<Blueprint, Map<string, BusinessCalendar>>();

function calendarsOf(bp: Blueprint, extra: readonly CalendarSpec[] | undefined): Map<string, BusinessCalendar> {
  let own = blueprintCalendars.get(bp);
  if (!own) {
    own = new Map((bp.spec.calendars ?? []).map((c) => [c.id, createCalendar(c as CalendarDefinition)]));
    blueprintCalendars.set(bp, own);
  }
  if (!extra || extra.length === 0) return own;
  const all = new Map(own);
  for (const c of extra) all.set(c.id, createCalendar(c as CalendarDefinition));
  return all;
}

function isoOf(now: string | Date | undefined): string {
  const d = now === undefined ? new Date() : typeof now === 'string' ? new Date(now) : now;
  if (Number.isNaN(d.getTime())) throw new DealflowError('INPUT_INVALID', `transition: now must be an ISO time or a Date, got ${JSON.stringify(now)}`);
  return d.toISOString();
}

/**
 * The pure step of Dealflow, in the spirit of XState's `transition()`: what `engine.send` would do
 * to `record` with `event`, without a store. The same code as the engine's: candidates from the
 * blueprint's machine, guards, `allow`, required fields, stage requirements, `set` and side actions,
 * stage times, deadline and date-field timers. Returns the next version of the record and the
 * effects as plain data (history event, timers to cancel and schedule, outbox messages,
 * notifications, tasks, records a `convert` creates), or the rejection `engine.send` would
 * return. Engine plugins and sales rules (which need a store) do not run; nothing is written.
 * Apps and tests step records with it to see what a send would do, without a store.
 *
 * @example
 * ```ts
 * const r = transition(deal, record, { type: 'propose', fields: { amount: 5000 } }, { actor: { id: 'ann' }, now: '2026-03-02T09:00:00.000Z' })
 * if (r.ok) console.log(r.to, r.effects.scheduleTimers.map((t) => t.dueAt))
 * else console.log(r.rejection.reason)
 * ```
 */
export function transition(blueprint: Blueprint, record: StoredRecord, event: SendInput, context: TransitionContext = {}): TransitionResult {
  if (record.blueprintId !== blueprint.id || record.blueprintVersion !== blueprint.version) {
    throw new DealflowError('INPUT_INVALID', `transition: record '${record.id}' belongs to blueprint '${record.blueprintId}' v${record.blueprintVersion}, not '${blueprint.id}' v${blueprint.version}`, {
      details: { recordId: record.id },
    });
  }
  const others = context.blueprints ?? [];
  const env: StepContext = {
    calendars: calendarsOf(blueprint, context.calendars),
    newId: context.newId ?? defaultNewId,
    recordTypeOf(typeOrId) {
      const bp = [blueprint, ...others].find((b) => b.id === typeOrId || b.recordType === typeOrId);
      if (!bp) throw new DealflowError('BLUEPRINT_NOT_FOUND', `transition: no blueprint for record type or id '${typeOrId}' (pass it in context.blueprints)`, { details: { type: typeOrId } });
      return bp.recordType;
    },
    candidates,
    ownCopies: false,
  };
  const actor = context.actor ?? ANONYMOUS;
  const s = step(env, blueprint, record, eventInputOf(event), actor, isoOf(context.now), context.system ? { system: true } : {});
  return s.ok ? { ok: true, next: s.next, from: s.from, to: s.to, effects: s.effects } : { ok: false, rejection: s.rejection };
}
