import type EventEmitter from 'eventemitter3';
import { createCalendar, DealflowError, isDealflowError } from '@dealflow/logic';
import type { BusinessCalendar, CalendarDefinition, OperatorDefinition, Problem } from '@dealflow/logic';
import { defineBlueprint, problemsMessage } from './blueprint/define.js';
import type { Blueprint } from './blueprint/define.js';
import type { BlueprintInput, CalendarSpec } from './blueprint/schema.js';
import { systemClock } from './clock.js';
import type { Clock } from './clock.js';
import { createCoreRuleEngine } from './rules.js';
import type { CoreRuleEngine } from './rules.js';
import type { HistoryEvent, RecordQuery, Storage, StorageTx, StoredRecord, TimerRecord, TimerStatus } from './storage/types.js';
import { ANONYMOUS, SYSTEM, createIdentity } from './identity/identity.js';
import type { IdentityOptions } from './identity/identity.js';
import { guardIdentity } from './identity/guard.js';
import type { Actor, CallContext, CreateInput, CreateResult, SendInput, SendResult } from './engine/context.js';
import { createCandidateCache, defaultNewId } from './engine/core.js';
import type { EngineCore } from './engine/core.js';
import { createInTx, restatePastStages } from './engine/create-record.js';
import type { PastStage } from './engine/create-record.js';
import { runCreateMany } from './engine/create-many.js';
import type { CreatedItem, CreateManyItem, CreateManyOptions, CreateManyResult } from './engine/create-many.js';
import { runSendMany } from './engine/send-many.js';
import { runBatches } from './engine/batches.js';
import type { ItemError } from './engine/batches.js';
import type { SendManyItem, SendManyOptions, SendManyResult, SentItem } from './engine/send-many.js';
import { createEmitter, flushEmits } from './engine/events.js';
import type { EngineEventMap, EngineEventName, PendingEmit } from './engine/events.js';
import type { EnginePlugin } from './engine/plugins.js';
import { replay } from './engine/replay.js';
import { transitionInTx } from './engine/send.js';
import { updateInTx } from './engine/update.js';
import { writeChange, writeTimers } from './engine/writer.js';
import { withRetry as retryInTransaction } from './engine/retry.js';
import { registerInternals } from './engine/internals.js';
import type { UpdateInput } from './engine/update.js';
import { agendaOf, taskQueryOf } from './engine/agenda.js';
import type { Agenda, TasksFilter } from './engine/agenda.js';
import type { TaskRow } from './storage/types.js';
import { STAGE_TIMER_KINDS } from './engine/deadlines.js';
import { DATE_TIMER_KIND, dateTimerApplies } from './engine/date-timers.js';
import { checkClockAtFiring } from './sla/clock.js';
import { eventInputOf as normalizeEvent } from './transition/step.js';
import type { EventInput } from './transition/step.js';
// sales rules (assignment, escalation, pool, duplicates, approvals, permissions)
import type { Directory } from './directory/types.js';
import { createMemoryDirectory } from './directory/memory.js';
import { ruleCompilerFrom } from './assignment/rules.js';
import { guardEngineInputs } from './input/boundary.js';
import { type InputLimits, resolveInputLimits } from './input/limits.js';
import { createSalesRules } from './sales/sales-rules.js';
import type { SalesRules } from './sales/sales-rules.js';
import { salesEngineApi, salesHooks } from './sales/engine-api.js';
import { NO_HOOKS } from './engine/hooks.js';
import type { EngineHooks } from './engine/hooks.js';
import type { SalesEngineApi } from './sales/engine-api.js';
import type { SalesRulesInput } from './sales/types.js';

/** Options of {@link createEngine}. */
export interface CreateEngineOptions {
  /** Where records, history, timers and the outbox live: `createMemoryStorage()`, SQLite or PostgreSQL. */
  storage: Storage;
  /** Blueprints (from `defineBlueprint`, or JSON defined with this engine's rule engine). Several versions of one id may be given. */
  blueprints: Array<Blueprint | BlueprintInput>;
  /** Where time comes from (default: the system clock). */
  clock?: Clock;
  /** Business calendar definitions (`@dealflow/logic` format) deadlines may name. */
  calendars?: CalendarSpec[];
  /** Tenant of calls that do not name one (default `'default'`). */
  tenantId?: string;
  /** Code that runs inside every change's transaction (e.g. `createLinkRules(...).plugin`). */
  plugins?: EnginePlugin[];
  /** Custom JSON-logic operators for this engine's rule engine. */
  operators?: Record<string, OperatorDefinition | ((...args: unknown[]) => unknown)>;
  /** A ready rule engine (instead of `operators`). */
  ruleEngine?: CoreRuleEngine;
  /** Id generator (default `<prefix>_<random process base><counter>`: 96 random bits per process plus a counter). */
  newId?: (prefix: string) => string;
  /** How often a call is retried on a version conflict before failing with `CONFLICT` (default 3). */
  maxRetries?: number;
  /**
   * Engine-level sales rules: `{ assignment, escalations, pool, duplicates, permissions, approvals }`
   * (see docs/assignment.md). Validated when the engine is created (`RULE_INVALID` with paths).
   */
  rules?: SalesRulesInput;
  /** Reps and teams for the sales rules (default: an empty in-memory directory). */
  directory?: Directory;
  /**
   * Limits on callers' input (ids, field values, event data, queries; see docs/security.md).
   * Over a limit: `INPUT_LIMIT`, malformed: `INPUT_INVALID`; either way nothing is written.
   */
  limits?: Partial<InputLimits>;
  /**
   * Who acts: callers pass `{ actor: { id } }` and the engine resolves roles, team and tenants from
   * the directory (see docs/security.md). `trustCallerRoles: true` takes caller-supplied roles too.
   */
  identity?: IdentityOptions;
}

/** Result of {@link Engine.update}. */
export interface UpdateResult {
  /** The record after the edit. */
  record: StoredRecord;
  /** The `fields` history event (none when nothing changed). */
  events: HistoryEvent[];
  /** Names of the fields whose value changed (computed fields included). */
  changed: string[];
  /** True when this result was returned for a repeated idempotency key. */
  replayed?: boolean;
}

/** Outcome of {@link Engine.fireTimer}. */
export interface FireTimerResult {
  /**
   * `fired`: its effect was written; `noop`: nothing to do any more (stale, record moved on);
   * `lease-lost`: another worker owns it now; `rejected`: the event it sends was refused.
   */
  outcome: 'fired' | 'noop' | 'lease-lost' | 'rejected';
  /** The record after the firing, when one was written. */
  record?: StoredRecord;
  /** For `rejected`: why. */
  reason?: string;
}

/** Outcome of one timer of {@link Engine.fireTimers}: as `fireTimer`'s, or `failed` (nothing of it was written; it is fired again once its lease expires). */
export type FireTimersResult =
  | FireTimerResult
  | {
    /** The firing failed: nothing of it was written, and the timer is fired again once its lease expires. */
    outcome: 'failed';
    /** Why it failed (code and message). */
    error: ItemError;
    /** The error as thrown. */
    cause: unknown;
  };

/** Summary of {@link Engine.runDue}. */
export interface RunDueSummary {
  /** Timers whose effect was written. */
  fired: number;
  /** Timers with nothing left to do. */
  noop: number;
  /** Timers whose event was refused. */
  rejected: number;
  /** Timers another worker took over. */
  leaseLost: number;
}

/** The Dealflow engine: stateless between calls; every call is one store transaction. */
export interface Engine extends SalesEngineApi {
  /** The store the engine writes to. */
  readonly storage: Storage;
  /** The engine's clock (what "now" is for every call). */
  readonly clock: Clock;
  /** The tenant of calls that do not name one. */
  readonly tenantId: string;
  /** The engine's rule engine (custom operators live here). */
  readonly rules: CoreRuleEngine;
  /**
   * The system handle: pass it as the actor (`{ actor: engine.system }`) to act as the process
   * itself, past every permission rule and tenant. Only this object is the system; an actor
   * `{ id: 'system', roles: ['system'] }` from a caller is not. Keep it in trusted code.
   *
   * @example
   * ```ts
   * await engine.send(id, 'lose', { actor: engine.system }) // a nightly clean-up job
   * ```
   */
  readonly system: Actor;
  /**
   * Who an actor is to this engine: the roles, team and tenants the engine resolves from its
   * directory (caller-supplied roles only with `identity.trustCallerRoles`), exactly as every
   * method resolves `ctx.actor`. For code that evaluates rules itself (guidance, an app hiding
   * what the engine would refuse). Refuses as the methods do (`FORBIDDEN`: unknown actor with
   * permissions configured, a tenant the actor does not belong to).
   *
   * @example
   * ```ts
   * const mia = await engine.resolveActor({ id: 'mia' }) // { id: 'mia', roles: ['manager'], team: 'east', … }
   * ```
   */
  resolveActor(actor: { id: string; roles?: string[] } | undefined, options?: { tenantId?: string }): Promise<Actor>;
  /** Creates a record of a record type (or blueprint id), in the latest blueprint version. */
  create(type: string, input?: CreateInput, ctx?: CallContext): Promise<CreateResult>;
  /**
   * Creates many records of one type, many per store transaction, each exactly as `create` would
   * (rules, required fields, plugins, duplicate guard, assignment, history, timers, outbox,
   * per-item idempotency keys). Each item gets its own result: a refused item (`ok: false` with the
   * error's code and message) never sinks the others, unless `allOrNothing`. Batches are sized
   * automatically (see {@link CreateManyOptions}).
   *
   * @example
   * ```ts
   * const results = await engine.createMany('lead', rows.map((r) => ({ fields: r, idempotencyKey: `import-7:${r.line}` })))
   * for (const r of results) if (!r.ok) console.log(r.index, r.error.code, r.error.message)
   * ```
   */
  createMany(type: string, items: readonly CreateManyItem[], options?: CreateManyOptions): Promise<CreateManyResult[]>;
  /** Sends an event to a record. Rejections are returned (`ok: false`), not thrown. */
  send(recordId: string, event: SendInput, ctx?: CallContext): Promise<SendResult>;
  /**
   * Sends many events, many per store transaction, each exactly as `send` would (identity and
   * permissions, guards, required fields, approval holds, plugins such as assignment, escalation
   * timers and the duplicate guard, history, timers, outbox, per-item idempotency keys shared with
   * `send`). Each item gets its own result, in input order: what `send` answers (`ok: true`, or
   * `ok: false` with a `rejection`), or `ok: false` with an `error` where `send` would have thrown
   * (`NOT_FOUND`…); a refused item never sinks the others, unless `allOrNothing` (then the first
   * rejection fails the call with `REJECTED` and nothing is written). Items for the same record
   * run in input order. Batches are sized automatically (see {@link SendManyOptions}).
   *
   * @example
   * ```ts
   * const results = await engine.sendMany(ids.map((id) => ({ recordId: id, event: 'lose', idempotencyKey: `cleanup-7:${id}` })), { actor: engine.system })
   * for (const r of results) if (!r.ok) console.log(r.index, 'error' in r ? r.error.code : r.rejection.reason)
   * ```
   */
  sendMany(items: readonly SendManyItem[], options?: SendManyOptions): Promise<SendManyResult[]>;
  /**
   * Edits a record's fields without a stage move (see {@link UpdateResult}): values checked and
   * normalized, the stage's `editable` policy and the sales permission rules enforced, computed
   * fields recomputed, one `fields` history event with before and after, `fields.changed` emitted.
   * Fails whole (`INPUT_INVALID`, `FORBIDDEN`, `NOT_FOUND`, `CONFLICT`); an edit that changes
   * nothing writes nothing.
   *
   * @example
   * ```ts
   * const { record, changed } = await engine.update(id, { fields: { phone: '030 1234567' } }, { actor: { id: 'ann' } })
   * ```
   */
  update(recordId: string, input: UpdateInput, ctx?: CallContext): Promise<UpdateResult>;
  /**
   * Tasks (and agenda dates) from the store's task index, by owner, team, status, due window and
   * record type; ordered by due time.
   *
   * @example
   * ```ts
   * const overdue = await engine.tasks({ team: 'north', status: 'open', dueBefore: new Date() })
   * ```
   */
  tasks(filter?: TasksFilter, options?: { tenantId?: string; actor?: Actor }): Promise<TaskRow[]>;
  /**
   * A rep's day: open tasks overdue and due that day, agenda dates (next contact…) and records
   * whose stage deadline falls on it, from the store's indexes. `day` is `YYYY-MM-DD` (or a Date)
   * in `timeZone` (default UTC).
   *
   * @example
   * ```ts
   * const { overdue, dueToday, dates, deadlines } = await engine.agenda({ id: 'ann' }, '2026-03-05', { timeZone: 'Europe/Berlin' })
   * ```
   */
  agenda(actor: Actor | string, day: string | Date, options?: { timeZone?: string; tenantId?: string }): Promise<Agenda>;
  /** The record, or null (also null when the sales `permissions.read` rule denies it to the actor). */
  get(recordId: string, options?: { tenantId?: string; actor?: Actor }): Promise<StoredRecord | null>;
  /** The record's history in order (empty when the actor may not read the record). */
  history(recordId: string, options?: { tenantId?: string; actor?: Actor }): Promise<HistoryEvent[]>;
  /** Records matching a filter that the actor may read (the sales `permissions.read` rule). */
  query(filter?: RecordQuery, options?: { tenantId?: string; actor?: Actor }): Promise<StoredRecord[]>;
  /** The record as it was at `time` (replayed from history), or null if it did not exist yet. */
  getAt(recordId: string, time: string | Date, options?: { tenantId?: string; actor?: Actor }): Promise<StoredRecord | null>;
  /** The record's timers (empty when the actor may not read the record). */
  timers(recordId: string, options?: { status?: TimerStatus[]; tenantId?: string; actor?: Actor }): Promise<TimerRecord[]>;
  /** Fires one timer through the send path, in one transaction of the timer's tenant. */
  fireTimer(timer: TimerRecord, options: { workerId: string | null }): Promise<FireTimerResult>;
  /**
   * Fires many claimed timers, many per store transaction (one per tenant and batch of `batchSize`,
   * default 50), each exactly as `fireTimer` would: the timer completed in the same transaction as
   * its effect, stale ones as no-ops, hook kinds (escalations, task reminders, pool returns). One
   * result per timer, in order; a timer that fails (`outcome: 'failed'`) or lost its lease writes
   * nothing and never sinks the others. What the deadline worker calls.
   *
   * @example
   * ```ts
   * const due = await engine.storage.claimDueTimers({ now: new Date().toISOString(), limit: 200, leaseMs: 30_000, workerId: 'w1' })
   * const results = await engine.fireTimers(due, { workerId: 'w1' })
   * ```
   */
  fireTimers(timers: readonly TimerRecord[], options: { workerId: string | null; batchSize?: number }): Promise<FireTimersResult[]>;
  /** Claims and fires every timer due at `now` (default: the clock) for this engine's tenant. */
  runDue(now?: string | Date): Promise<RunDueSummary>;
  /** The blueprint by id or record type (latest version), or a given version. */
  blueprint(typeOrId: string, version?: number): Blueprint;
  /**
   * Listens to an engine event after its change committed (`transition`, `created`, `notify`,
   * ...; see {@link EngineEventMap}). In-process only: other instances hear of changes through
   * the outbox ({@link createOutboxRelay}).
   *
   * @example
   * ```ts
   * engine.on('transition', (e) => console.log(e.record.id, e.from, '→', e.to))
   * ```
   */
  on<K extends EngineEventName>(name: K, handler: (...args: EngineEventMap[K]) => void): Engine;
  /** Removes a listener added with `on` or `once`. */
  off<K extends EngineEventName>(name: K, handler: (...args: EngineEventMap[K]) => void): Engine;
  /** Like `on`, for the next event of that name only. */
  once<K extends EngineEventName>(name: K, handler: (...args: EngineEventMap[K]) => void): Engine;
}

function isBlueprint(b: Blueprint | BlueprintInput): b is Blueprint {
  return typeof b === 'object' && b !== null && 'machine' in b && 'spec' in b;
}

/** How send reads its record: locked for the transaction. */
const READ_FOR_SEND = Object.freeze({ forUpdate: true });
/** No events to emit (shared: never changed). */
const NO_EMITS: readonly PendingEmit[] = Object.freeze([]);

let lastMs = NaN;
let lastIso = '';
/** `d.toISOString()`, reusing the string while the millisecond is the same (hot path). */
function iso(d: Date): string {
  const ms = d.getTime();
  if (ms !== lastMs) {
    lastIso = d.toISOString();
    lastMs = ms;
  }
  return lastIso;
}

/**
 * Creates the engine over a store and a set of blueprints.
 *
 * @example
 * ```ts
 * const engine = createEngine({ storage: createMemoryStorage(), blueprints: [deal] })
 * const { record } = await engine.create('deal', { fields: { name: 'ACME' } }, { actor: { id: 'ana' } })
 * const r = await engine.send(record.id, 'qualify', { actor: { id: 'ana', roles: ['rep'] } })
 * if (!r.ok) console.log(r.rejection.reason, r.rejection.missingFields)
 * ```
 */
export function createEngine(options: CreateEngineOptions): Engine {
  const inputLimits = resolveInputLimits(options.limits);
  const storage = options.storage;
  const clock = options.clock ?? systemClock;
  const tenantId = options.tenantId ?? 'default';
  const emitter: EventEmitter<EngineEventMap> = createEmitter();
  const calendarSpecs = new Map<string, CalendarSpec>();
  for (const c of options.calendars ?? []) calendarSpecs.set(c.id, c);
  for (const b of options.blueprints) {
    const cals = isBlueprint(b) ? b.spec.calendars : (b as { calendars?: CalendarSpec[] }).calendars;
    for (const c of cals ?? []) if (!calendarSpecs.has(c.id)) calendarSpecs.set(c.id, c);
  }
  const calendars = new Map<string, BusinessCalendar>();
  for (const [id, spec] of calendarSpecs) calendars.set(id, createCalendar(spec as CalendarDefinition));
  const ruleEngine =
    options.ruleEngine ??
    createCoreRuleEngine({
      ...(options.operators ? { operators: options.operators } : {}),
      calendars: Object.fromEntries(calendars),
      now: () => clock.now(),
    });

  const versions = new Map<string, Map<number, Blueprint>>();
  const latest = new Map<string, Blueprint>();
  const byType = new Map<string, Blueprint>();
  const problems: Problem[] = [];
  options.blueprints.forEach((b, i) => {
    let bp: Blueprint;
    if (isBlueprint(b)) bp = b;
    else {
      try {
        bp = defineBlueprint(b, { ruleEngine });
      } catch (e) {
        if (isDealflowError(e, 'BLUEPRINT_INVALID')) {
          problems.push(...e.problems.map((p) => ({ ...p, path: `blueprints[${i}]${p.path.slice(1)}` })));
          return;
        }
        throw e;
      }
    }
    let v = versions.get(bp.id);
    if (!v) versions.set(bp.id, (v = new Map()));
    if (v.has(bp.version)) problems.push({ path: `blueprints[${i}]`, code: 'duplicate_blueprint', message: `blueprint '${bp.id}' v${bp.version} is given twice` });
    v.set(bp.version, bp);
    if ((latest.get(bp.id)?.version ?? 0) < bp.version) latest.set(bp.id, bp);
    // a record type maps to the first blueprint id declaring it (latest version)
    const holder = byType.get(bp.recordType);
    if (!holder || holder.id === bp.id) byType.set(bp.recordType, latest.get(bp.id)!);
  });
  // references the engine resolves: calendars and convert targets
  for (const [id, v] of versions) {
    for (const bp of v.values()) {
      bp.spec.stages.forEach((s, si) => {
        const cal = s.deadline?.businessTime;
        if (cal && !calendars.has(cal)) {
          problems.push({ path: `${id}@${bp.version}.stages[${si}].deadline.businessTime`, code: 'unknown_calendar', value: cal, message: `blueprint '${id}': stage '${s.id}' names unknown calendar '${cal}'` });
        }
      });
      bp.spec.dateTimers?.forEach((t, ti) => {
        if (t.businessTime && !calendars.has(t.businessTime)) {
          problems.push({ path: `${id}@${bp.version}.dateTimers[${ti}].businessTime`, code: 'unknown_calendar', value: t.businessTime, message: `blueprint '${id}': date timer '${t.id}' names unknown calendar '${t.businessTime}'` });
        }
      });
      bp.spec.transitions.forEach((t, ti) =>
        t.actions?.forEach((a, ai) => {
          const p = `${id}@${bp.version}.transitions[${ti}].actions[${ai}]`;
          if (a.type === 'task' && a.businessTime && !calendars.has(a.businessTime)) {
            problems.push({ path: `${p}.businessTime`, code: 'unknown_calendar', value: a.businessTime, message: `blueprint '${id}': unknown calendar '${a.businessTime}'` });
          }
          if (a.type === 'assign' && a.strategy !== undefined && options.rules?.assignment === undefined && a.strategy === 'rules') {
            problems.push({ path: `${p}.strategy`, code: 'assign_needs_rules', message: `blueprint '${id}': assign action routes by the assignment rules, but createEngine was given no rules.assignment` });
          } else if (a.type === 'assign' && a.strategy !== undefined && options.rules === undefined && options.directory === undefined) {
            problems.push({ path: `${p}.strategy`, code: 'assign_needs_rules', message: `blueprint '${id}': assign action with strategy '${a.strategy}' needs createEngine({ rules, directory })` });
          }
          if (a.type === 'convert') {
            a.create.forEach((c, ci) => {
              if (!latest.has(c.blueprint) && !byType.has(c.blueprint)) {
                problems.push({ path: `${p}.create[${ci}].blueprint`, code: 'unknown_blueprint', value: c.blueprint, message: `blueprint '${id}': convert target '${c.blueprint}' is not given to the engine` });
              }
            });
          }
        }),
      );
    }
  }
  if (problems.length > 0) {
    throw new DealflowError('BLUEPRINT_INVALID', problemsMessage('createEngine: blueprints are invalid', problems), { problems });
  }

  // sales rules: compiled once, enforced through a plugin that runs after the app's plugins
  const sales: SalesRules | null =
    options.rules === undefined && options.directory === undefined
      ? null
      : createSalesRules({
          rules: options.rules ?? {},
          directory: options.directory ?? createMemoryDirectory(),
          compiler: ruleCompilerFrom(ruleEngine),
          calendars: Object.fromEntries(calendars),
          write: (tx, change) => writeChange(tx, core.blueprintOf(change.after.blueprintId, change.after.blueprintVersion), change),
          newId: (prefix) => core.newId(prefix),
          stageKindOf: (r) => core.blueprintOf(r.blueprintId, r.blueprintVersion).spec.stages.find((st) => st.id === r.stage)?.kind ?? null,
          openStages: [...new Set([...latest.values()].flatMap((bp) => bp.spec.stages.filter((st) => st.kind === 'open').map((st) => st.id)))],
          known: {
            stages: new Set([...versions.values()].flatMap((v) => [...v.values()].flatMap((bp) => bp.spec.stages.map((st) => st.id)))),
            events: new Set([...versions.values()].flatMap((v) => [...v.values()].flatMap((bp) => bp.spec.transitions.map((t) => t.event)))),
          },
        });

  // the rules above the engine plug in through hooks (engine/hooks.ts)
  const hooks: EngineHooks = sales ? salesHooks(sales) : NO_HOOKS;

  const core: EngineCore = {
    storage,
    clock,
    tenantId,
    ruleEngine,
    plugins: [...(options.plugins ?? []), ...hooks.plugins],
    emitter,
    maxRetries: options.maxRetries ?? 3,
    calendars,
    newId: options.newId ?? defaultNewId,
    blueprintOf(id, version) {
      const bp = versions.get(id)?.get(version);
      if (!bp) throw new DealflowError('BLUEPRINT_NOT_FOUND', `blueprint '${id}' v${version} is not loaded in this engine`, { details: { blueprintId: id, version } });
      return bp;
    },
    blueprintFor(typeOrId) {
      const bp = byType.get(typeOrId) ?? latest.get(typeOrId);
      if (!bp) {
        throw new DealflowError('BLUEPRINT_NOT_FOUND', `no blueprint for record type or id '${typeOrId}'`, {
          details: { type: typeOrId, known: [...byType.keys(), ...latest.keys()] },
        });
      }
      return bp;
    },
    candidates: createCandidateCache(),
  };

  // (the identity guard has resolved every caller's actor; a missing one is never the system)
  const actorOf = (ctx: CallContext): Actor => {
    const a = ctx.actor ?? ANONYMOUS;
    if (typeof a !== 'object' || a === null || typeof a.id !== 'string' || a.id.length === 0) {
      throw new DealflowError('INPUT_INVALID', `ctx.actor must be { id, roles?, team? }, got ${JSON.stringify(a)}`);
    }
    return a;
  };

  /** The engine's one retry (engine/retry.ts) over its store and `maxRetries`. */
  function withRetry<T>(tenant: string, what: () => string, fn: (tx: StorageTx) => Promise<T>, retry: boolean): Promise<T> {
    return retryInTransaction(storage, tenant, { maxRetries: core.maxRetries, what, retry }, fn);
  }

  async function idempotent<T>(tx: StorageTx, ctx: CallContext, fingerprint: string): Promise<T | undefined> {
    if (ctx.idempotencyKey === undefined) return undefined;
    const prior = await tx.getIdempotency(ctx.idempotencyKey);
    if (!prior) return undefined;
    if (prior.fingerprint !== fingerprint) {
      throw new DealflowError('IDEMPOTENCY_MISMATCH', `idempotency key '${ctx.idempotencyKey}' was used for a different call`, {
        details: { key: ctx.idempotencyKey },
      });
    }
    return { ...(prior.result as object), replayed: true } as T;
  }

  /** The fingerprint of a send under an idempotency key (a key reused for another call is refused). */
  const sendFingerprint = (recordId: string, input: EventInput): string =>
    JSON.stringify(['send', recordId, input.type, input.fields ?? null, input.data ?? null, input.supplied ?? null]);

  /**
   * One send in an open transaction (the body of `engine.send`, and each item of `sendMany`): the
   * record locked, the idempotency key, approval holds, the transition and its writes.
   */
  async function sendItem(tx: StorageTx, recordId: string, input: EventInput, ctx: CallContext, actor: Actor, fingerprint: string): Promise<SentItem> {
    const record = await tx.getRecord(recordId, READ_FOR_SEND);
    if (!record) throw new DealflowError('NOT_FOUND', `record '${recordId}' not found in tenant '${tx.tenantId}'`, { details: { recordId } });
    // The key is read under the record's lock: a duplicate that waited for the first call sees
    // its stored result (on PostgreSQL a key read before the lock missed it and re-ran the event).
    if (ctx.idempotencyKey !== undefined) {
      const prior = await idempotent<SendResult>(tx, ctx, fingerprint);
      if (prior) return { result: prior, emits: NO_EMITS };
    }
    const remember = async (res: SendResult, at: string): Promise<SendResult> => {
      // rejections are results too: a repeated call gets the same answer, not a fresh attempt
      if (ctx.idempotencyKey !== undefined) await tx.putIdempotency(ctx.idempotencyKey, fingerprint, res, at);
      return res;
    };
    if (ctx.expectedVersion !== undefined && record.version !== ctx.expectedVersion) {
      throw new DealflowError('CONFLICT', `record '${recordId}' is at version ${record.version}, expected ${ctx.expectedVersion}`, {
        details: { recordId, expectedVersion: ctx.expectedVersion, actualVersion: record.version },
      });
    }
    const bp = core.blueprintOf(record.blueprintId, record.blueprintVersion);
    const at = iso(clock.now());
    // hooks (sales approvals) may hold a send that has a transition to take
    if (hooks.holdSend && core.candidates(bp, record.stage, input.type).length > 0) {
      const held = await hooks.holdSend(tx, record, input, at, actor);
      if (held) return { result: await remember({ ok: false, rejection: held.rejection, record: held.record }, at), emits: [{ name: 'rejected', payload: held.rejection }] };
    }
    const out = await transitionInTx(core, tx, bp, record, input, actor, ctx, at);
    if (!out.ok) {
      const emits: readonly PendingEmit[] = [{ name: 'rejected', payload: out.rejection }];
      return ctx.idempotencyKey === undefined
        ? { result: { ok: false, rejection: out.rejection, record }, emits }
        : { result: await remember({ ok: false, rejection: out.rejection, record }, at), emits };
    }
    const res: SendResult = { ok: true, record: out.record, events: out.events, from: out.from, to: out.to, created: out.created };
    if (ctx.idempotencyKey !== undefined) await tx.putIdempotency(ctx.idempotencyKey, fingerprint, res, at);
    return { result: res, emits: out.emits };
  }

  /** The body of `engine.send` (see there): one transaction, retried on version conflicts. */
  function sendInTransaction(recordId: string, event: SendInput, ctx: CallContext): Promise<SendResult> {
    const input = normalizeEvent(event);
    const actor = actorOf(ctx);
    const tenant = ctx.tenantId ?? tenantId;
    const fingerprint = ctx.idempotencyKey === undefined ? '' : sendFingerprint(recordId, input);
    let emits: readonly PendingEmit[] = NO_EMITS;
    const inTx = async (tx: StorageTx): Promise<SendResult> => {
      const made = await sendItem(tx, recordId, input, ctx, actor, fingerprint);
      emits = made.emits;
      return made.result;
    };
    const done = (result: SendResult): SendResult => {
      if (!result.replayed) flushEmits(emitter, emits);
      return result;
    };
    // (a caller that pinned the version gets its CONFLICT at once)
    return withRetry(tenant, () => `send '${input.type}' to record '${recordId}'`, inTx, ctx.expectedVersion === undefined).then(done);
  }

  /**
   * The body of `engine.create` for one record in an open transaction (also each item of
   * `createMany`): idempotency, the record with its history, timers and outbox, past stages (imports).
   */
  async function createItem(
    tx: StorageTx, bp: Blueprint, type: string, input: CreateInput, ctx: CallContext, actor: Actor,
    createdAt?: string, stages?: readonly PastStage[],
  ): Promise<CreatedItem> {
    const idempotencyKey = ctx.idempotencyKey;
    const fingerprint = idempotencyKey === undefined ? '' : JSON.stringify(['create', type, input]);
    const prior = await idempotent<CreateResult>(tx, ctx, fingerprint);
    if (prior) return { result: prior, emits: NO_EMITS };
    const now = iso(clock.now());
    let at = now;
    if (createdAt !== undefined) {
      const d = new Date(createdAt);
      if (typeof createdAt !== 'string' || Number.isNaN(d.getTime())) throw new DealflowError('INPUT_INVALID', `create '${type}': createdAt must be an ISO time, got ${JSON.stringify(createdAt)}`);
      at = d.toISOString();
      if (at > now) throw new DealflowError('INPUT_INVALID', `create '${type}': createdAt ${at} is in the future`);
    }
    let made = await createInTx(core, tx, bp, input, ctx, actor, at);
    if (stages !== undefined && stages.length > 0) made = await restatePastStages(core, tx, bp, made, stages, actor);
    const res: CreateResult = { record: made.record, events: made.events ?? [made.event] };
    if (idempotencyKey !== undefined) await tx.putIdempotency(idempotencyKey, fingerprint, res, now);
    return { result: res, emits: made.emits };
  }

  /**
   * One claimed timer fired in an open transaction (the body of `engine.fireTimer`, and each timer
   * of `fireTimers`): the record locked, stale and stopped clocks as no-ops, hook kinds, reminders,
   * the timer's transition; the timer completed in the same transaction (a lost lease throws
   * `LEASE_LOST`). The typed events to emit once committed are pushed to `emits`.
   */
  async function fireInTx(tx: StorageTx, timer: TimerRecord, workerId: string | null, emits: PendingEmit[]): Promise<FireTimerResult> {
    // the timer as claimed: its lease is checked where it counts, by completeTimer in this
    // transaction (a lost lease throws LEASE_LOST there and rolls the firing back whole)
    const cur = timer;
    const at = iso(clock.now());
    const complete = async (outcome: string) => {
      if (!(await tx.completeTimer(cur.id, workerId, outcome, at))) {
        throw new DealflowError('LEASE_LOST', `timer '${cur.id}': lease lost while firing`, { details: { timerId: cur.id } });
      }
    };
    const record = await tx.getRecord(cur.recordId, { forUpdate: true });
    if (!record) {
      await complete('noop:missing');
      return { outcome: 'noop' };
    }
    if (cur.stage !== null && record.stage !== cur.stage) {
      await complete('noop:stale');
      return { outcome: 'noop', record };
    }
    const bp = core.blueprintOf(record.blueprintId, record.blueprintVersion);
    const actor: Actor = { ...SYSTEM, id: workerId === null ? SYSTEM.id : `worker:${workerId}` };
    const deadline = { record, timer: cur, stage: record.stage };
    if (hooks.fireTimer && hooks.timerKinds.includes(cur.kind)) {
      // a kind a hook handles (escalations, task reminders): its change, then any transition it asks for
      const fired = await hooks.fireTimer(tx, cur, at);
      let last = fired?.record ?? record;
      for (const event of fired?.transitions ?? []) {
        const t = await transitionInTx(core, tx, core.blueprintOf(last.blueprintId, last.blueprintVersion), last, { type: event, fields: undefined, data: { timer: cur.id, ...cur.payload } }, actor, {}, at, { system: true, timer: { id: cur.id, kind: cur.kind } });
        if (t.ok) { last = t.record; emits.push(...t.emits); } else emits.push({ name: 'rejected', payload: t.rejection });
      }
      const outcome = fired?.outcome ?? 'noop:unhandled';
      await complete(outcome);
      return outcome === 'fired' ? { outcome: 'fired', record: last } : { outcome: 'noop', record: last };
    }
    // SLA clocks (sla/): a clock stopped by the first activity does not fire; one restarted by a later change moves
    if (cur.kind === 'breach' || cur.kind === 'reminder') {
      const check = checkClockAtFiring(core.calendars, bp, record, cur, at);
      // (the record does not change: the change writer writes the timers alone)
      if (check.action === 'stop') {
        await complete('noop:clock-stopped');
        await writeTimers(tx, { cancelTimers: [{ recordId: record.id, stage: record.stage, kinds: STAGE_TIMER_KINDS }] });
        return { outcome: 'noop', record };
      }
      if (check.action === 'reschedule') {
        await complete('noop:rescheduled');
        await writeTimers(tx, { scheduleTimers: check.timers });
        return { outcome: 'noop', record };
      }
    }
    // a date-field timer: stale once its field changed or the record left the stages it runs in
    let dateReminder = false;
    if (cur.kind === DATE_TIMER_KIND) {
      const spec = dateTimerApplies(bp, record, cur);
      if (!spec) {
        await complete('noop:stale');
        return { outcome: 'noop', record };
      }
      dateReminder = spec.send === undefined;
    }
    if (cur.kind === 'reminder' || dateReminder) {
      const version = record.version + 1;
      const hist: HistoryEvent = {
        tenantId: tx.tenantId,
        id: core.newId('evt'),
        recordId: record.id,
        seq: version,
        at,
        kind: 'reminder',
        actorId: actor.id,
        data: dateReminder
          ? { timer: { id: cur.id, kind: cur.kind }, stage: record.stage, dateTimer: cur.payload.dateTimer, field: cur.payload.field, value: cur.payload.value, changes: {} }
          : { timer: { id: cur.id, kind: cur.kind }, stage: record.stage, deadline: cur.payload.deadline ?? null, changes: {} },
      };
      const after: StoredRecord = { ...record, version, updatedAt: at };
      await writeChange(tx, bp, {
        before: record, after, history: [hist],
        outbox: [{ tenantId: tx.tenantId, id: hist.id, recordId: record.id, type: 'dealflow.reminder', payload: { recordId: record.id, stage: record.stage, timerId: cur.id, ...(dateReminder ? { dateTimer: cur.payload.dateTimer, field: cur.payload.field, value: cur.payload.value } : { deadline: cur.payload.deadline ?? null }) }, createdAt: at }],
      });
      await complete('fired');
      emits.push({ name: 'reminder', payload: { ...deadline, record: after } });
      return { outcome: 'fired', record: after };
    }
    const out = await transitionInTx(core, tx, bp, record, { type: cur.event, fields: undefined, data: { timer: cur.id, ...cur.payload } }, actor, {}, at, {
      system: true,
      timer: { id: cur.id, kind: cur.kind, key: cur.key },
    });
    if (!out.ok) {
      await complete(`rejected:${out.rejection.reason}`);
      emits.push({ name: 'rejected', payload: out.rejection });
      return { outcome: 'rejected', record, reason: out.rejection.reason };
    }
    await complete('fired');
    if (cur.kind === 'breach') emits.push({ name: 'deadline.breached', payload: { ...deadline, timer: cur } });
    emits.push(...out.emits);
    return { outcome: 'fired', record: out.record };
  }

  const identity = createIdentity({
    directory: options.directory ?? sales?.directory ?? null,
    closed: options.rules?.permissions !== undefined,
    defaultTenant: tenantId,
    ...options.identity,
  });

  const engine: Engine = {
    storage,
    clock,
    tenantId,
    rules: ruleEngine,
    system: identity.system,
    resolveActor: async (actor, opts = {}) => identity.resolve(actor, opts.tenantId ?? tenantId, 'resolveActor'),
    ...salesEngineApi(sales, {
      storage,
      tenantId,
      now: () => iso(clock.now()),
      maxRetries: core.maxRetries,
      send: (recordId, event, ctx) => engine.send(recordId, event, ctx),
      create: (type, input, ctx) => engine.create(type, input, ctx),
      resolveActor: async (actorId, tenant) => identity.resolve({ id: actorId }, tenant ?? tenantId, 'approve'),
    }),

    async create(type, input = {}, ctx = {}) {
      const bp = core.blueprintFor(type);
      const actor = actorOf(ctx);
      const tenant = ctx.tenantId ?? tenantId;
      let emits: readonly PendingEmit[] = [];
      const result = await withRetry(tenant, () => `create '${type}'`, async (tx) => {
        const made = await createItem(tx, bp, type, input, ctx, actor);
        emits = made.emits;
        return made.result;
      }, true);
      if (!result.replayed) flushEmits(emitter, emits);
      return result;
    },

    createMany(type, items, opts = {}) {
      const bp = core.blueprintFor(type);
      const actor = actorOf({ actor: opts.actor });
      return runCreateMany({
        storage,
        maxRetries: core.maxRetries,
        runItem: (tx, item, who) => {
          if (typeof item !== 'object' || item === null) throw new DealflowError('INPUT_INVALID', `createMany '${type}': an item must be an object`);
          const { idempotencyKey, createdAt, stages, ...input } = item;
          const ctx: CallContext = { actor: who, tenantId: tx.tenantId, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) };
          return createItem(tx, bp, type, input, ctx, who, createdAt, stages);
        },
        emit: (emits) => flushEmits(emitter, emits),
      }, opts.tenantId ?? tenantId, actor, items, opts);
    },

    send(recordId, event, ctx = {}) {
      // (no async frame: the work settles through the transaction's promise; bad input is a rejected promise)
      try {
        return sendInTransaction(recordId, event, ctx);
      } catch (e) {
        return Promise.reject(e);
      }
    },

    sendMany(items, opts = {}) {
      const actor = actorOf({ actor: opts.actor });
      return runSendMany({
        storage,
        maxRetries: core.maxRetries,
        runItem: (tx, item, who) => {
          const input = normalizeEvent(item.event);
          const ctx: CallContext = {
            actor: who, tenantId: tx.tenantId,
            ...(item.idempotencyKey !== undefined ? { idempotencyKey: item.idempotencyKey } : {}),
            ...(item.expectedVersion !== undefined ? { expectedVersion: item.expectedVersion } : {}),
          };
          return sendItem(tx, item.recordId, input, ctx, who, item.idempotencyKey === undefined ? '' : sendFingerprint(item.recordId, input));
        },
        emit: (emits) => flushEmits(emitter, emits),
      }, opts.tenantId ?? tenantId, actor, items, opts);
    },

    async update(recordId, input, ctx = {}) {
      const actor = actorOf(ctx);
      const tenant = ctx.tenantId ?? tenantId;
      const fingerprint = ctx.idempotencyKey === undefined ? '' : JSON.stringify(['update', recordId, input]);
      let emits: PendingEmit[] = [];
      const result = await withRetry(tenant, () => `update of record '${recordId}'`, async (tx): Promise<UpdateResult> => {
        emits = [];
        const prior = await idempotent<UpdateResult>(tx, ctx, fingerprint);
        if (prior) return prior;
        const record = await tx.getRecord(recordId, { forUpdate: true });
        if (!record) throw new DealflowError('NOT_FOUND', `record '${recordId}' not found in tenant '${tenant}'`, { details: { recordId } });
        if (ctx.expectedVersion !== undefined && record.version !== ctx.expectedVersion) {
          throw new DealflowError('CONFLICT', `record '${recordId}' is at version ${record.version}, expected ${ctx.expectedVersion}`, {
            details: { recordId, expectedVersion: ctx.expectedVersion, actualVersion: record.version },
          });
        }
        const at = iso(clock.now());
        const out = await updateInTx(core, tx, core.blueprintOf(record.blueprintId, record.blueprintVersion), record, input, actor, ctx, at);
        const res: UpdateResult = { record: out.record, events: out.events, changed: out.changed };
        if (ctx.idempotencyKey !== undefined) await tx.putIdempotency(ctx.idempotencyKey, fingerprint, res, at);
        emits = out.emits;
        return res;
      }, ctx.expectedVersion === undefined);
      if (!result.replayed) flushEmits(emitter, emits);
      return result;
    },

    tasks: (filter = {}, opts = {}) => storage.queryTasks(opts.tenantId ?? tenantId, taskQueryOf(filter)),
    agenda: (actor, day, opts = {}) =>
      agendaOf(storage, opts.tenantId ?? tenantId, typeof actor === 'string' ? actor : actor?.id, day, opts.timeZone ?? 'UTC'),

    // with permissions configured, reads are filtered by the sales rules' `permissions.read` (null / left out)
    get: (recordId, opts = {}) =>
      identity.closed && opts.actor && sales ? engine.getFor(recordId, { actor: opts.actor, tenantId: opts.tenantId }) : storage.getRecord(opts.tenantId ?? tenantId, recordId),
    history: (recordId, opts = {}) => storage.listHistory(opts.tenantId ?? tenantId, recordId),
    query: (filter = {}, opts = {}) =>
      identity.closed && opts.actor && sales ? engine.queryFor(filter, { actor: opts.actor, tenantId: opts.tenantId }) : storage.queryRecords(opts.tenantId ?? tenantId, filter),

    async getAt(recordId, time, opts = {}) {
      const t = typeof time === 'string' ? new Date(time) : time;
      if (Number.isNaN(t.getTime())) throw new DealflowError('INPUT_INVALID', `getAt: invalid time '${String(time)}'`);
      const cut = t.toISOString();
      const events = (await storage.listHistory(opts.tenantId ?? tenantId, recordId)).filter((e) => e.at <= cut);
      return events.length === 0 ? null : replay(events);
    },

    timers: (recordId, opts = {}) =>
      storage.transaction(opts.tenantId ?? tenantId, (tx) => tx.listTimers(recordId, opts.status ? { status: opts.status } : {})),

    async fireTimer(timer, { workerId }) {
      let emits: PendingEmit[] = [];
      const res = await withRetry(timer.tenantId, () => `timer '${timer.id}'`, async (tx): Promise<FireTimerResult> => {
        emits = [];
        return fireInTx(tx, timer, workerId, emits);
      }, true).catch((e) => {
        if (isDealflowError(e, 'LEASE_LOST')) {
          emits = []; // (the firing was rolled back: nothing it noted may be emitted)
          return { outcome: 'lease-lost' } as FireTimerResult;
        }
        throw e;
      });
      flushEmits(emitter, emits);
      return res;
    },

    async fireTimers(timers, { workerId, batchSize = 50 }) {
      const results: FireTimersResult[] = new Array(timers.length);
      const byTenant = new Map<string, number[]>();
      timers.forEach((t, i) => {
        let list = byTenant.get(t.tenantId);
        if (!list) byTenant.set(t.tenantId, (list = []));
        list.push(i);
      });
      for (const [tenant, indexes] of byTenant) {
        const causes = new Map<number, unknown>();
        const out = await runBatches<TimerRecord, FireTimerResult & { ok: true }>({
          what: 'fireTimers',
          storage,
          tenantId: tenant,
          maxRetries: core.maxRetries,
          prefetch: (batch) => batch.map((t) => t.recordId),
          // (as claimed: completing them reads nothing; the store checks each lease at the flush)
          seed: (batch, claimed) => batch.knowTimers(claimed),
          runItem: async (tx, timer) => {
            const emits: PendingEmit[] = [];
            const result = await fireInTx(tx, timer, workerId, emits);
            return { result: { ok: true, ...result }, emits };
          },
          emit: (emits) => flushEmits(emitter, emits),
          onItemError: (i, e) => causes.set(i, e),
        }, indexes.map((i) => timers[i]!), { batchSize });
        out.forEach((r, k) => {
          const i = indexes[k]!;
          if ('error' in r) {
            results[i] = r.error.code === 'LEASE_LOST' ? { outcome: 'lease-lost' } : { outcome: 'failed', error: r.error, cause: causes.get(k) };
          } else {
            const { ok: _ok, index: _index, ...fired } = r;
            results[i] = fired;
          }
        });
      }
      return results;
    },

    async runDue(now) {
      const at = now === undefined ? clock.now() : typeof now === 'string' ? new Date(now) : now;
      const workerId = `runDue:${core.newId('w')}`;
      const summary: RunDueSummary = { fired: 0, noop: 0, rejected: 0, leaseLost: 0 };
      for (;;) {
        const due = await storage.claimDueTimers({ now: at.toISOString(), limit: 100, leaseMs: 60_000, workerId, tenantId });
        if (due.length === 0) break;
        for (const t of due) {
          const r = await engine.fireTimer(t, { workerId });
          if (r.outcome === 'fired') summary.fired++;
          else if (r.outcome === 'noop') summary.noop++;
          else if (r.outcome === 'rejected') summary.rejected++;
          else summary.leaseLost++;
        }
        if (due.length < 100) break;
      }
      return summary;
    },

    blueprint(typeOrId, version) {
      if (version !== undefined) return core.blueprintOf(core.blueprintFor(typeOrId).id, version);
      return core.blueprintFor(typeOrId);
    },
    on(name, handler) {
      emitter.on(name, handler as never);
      return engine;
    },
    off(name, handler) {
      emitter.off(name, handler as never);
      return engine;
    },
    once(name, handler) {
      emitter.once(name, handler as never);
      return engine;
    },
  };
  const withIdentity = guardIdentity(engine, identity, {
    tenantId,
    mayRead: async (recordId, actor, tenant) => (await engine.get(recordId, { tenantId: tenant, actor })) !== null,
  });
  const guarded = guardEngineInputs(withIdentity, inputLimits);
  registerInternals(guarded, { core });
  return guarded;
}
