import { DealflowError } from '@dealflow/logic';
import type { RecordQuery } from '../storage/types.js';
import { type InputLimits, checkCallInput, checkId, checkValue } from './limits.js';

/** The call options every public engine method may carry. */
interface CallOptions {
  actor?: { id?: unknown } | null;
  tenantId?: unknown;
  idempotencyKey?: unknown;
  expectedVersion?: unknown;
}

/** Checks the ids and numbers of a call's options (actor id, tenant, idempotency key, version). */
export function checkCallOptions(ctx: unknown, limits: InputLimits): void {
  if (ctx === undefined || ctx === null) return;
  if (typeof ctx !== 'object') throw new DealflowError('INPUT_INVALID', '$.options: must be an object');
  const c = ctx as CallOptions;
  if (c.actor !== undefined && c.actor !== null) {
    if (typeof c.actor !== 'object') throw new DealflowError('INPUT_INVALID', '$.actor: must be an object with an id');
    checkId(c.actor.id, '$.actor.id', limits);
  }
  if (c.tenantId !== undefined) checkId(c.tenantId, '$.tenantId', limits);
  if (c.idempotencyKey !== undefined) checkId(c.idempotencyKey, '$.idempotencyKey', limits);
  if (c.expectedVersion !== undefined && (typeof c.expectedVersion !== 'number' || !Number.isSafeInteger(c.expectedVersion) || c.expectedVersion < 0)) {
    throw new DealflowError('INPUT_INVALID', '$.expectedVersion: must be a non-negative integer');
  }
}

const QUERY_KEYS = new Set(['type', 'blueprintId', 'stage', 'ownerId', 'teamId', 'fields', 'updatedFrom', 'updatedTo', 'order', 'limit', 'offset', 'after']);

/**
 * Checks a record query the same way for every store: known keys only, ids well-formed, field
 * filters scalars (no operator objects such as `{ $ne: 1 }`), `limit` 0 … `maxQueryLimit`,
 * `offset` a non-negative integer. `INPUT_INVALID` / `INPUT_LIMIT`.
 *
 * @example
 * ```ts
 * checkRecordQuery({ fields: { name: { $ne: 1 } } }, DEFAULT_INPUT_LIMITS) // throws INPUT_INVALID
 * ```
 */
export function checkRecordQuery(query: unknown, limits: InputLimits): void {
  if (query === undefined) return;
  if (typeof query !== 'object' || query === null || Array.isArray(query)) throw new DealflowError('INPUT_INVALID', '$.query: must be an object');
  const q = query as Record<string, unknown>;
  for (const key of Object.keys(q)) {
    if (!QUERY_KEYS.has(key)) throw new DealflowError('INPUT_INVALID', `$.query.${key}: unknown query key`, { details: { key } });
  }
  for (const key of ['type', 'blueprintId', 'updatedFrom', 'updatedTo'] as const) if (q[key] !== undefined) checkId(q[key], `$.query.${key}`, limits);
  for (const key of ['ownerId', 'teamId'] as const) if (q[key] !== undefined && q[key] !== null) checkId(q[key], `$.query.${key}`, limits);
  if (q.stage !== undefined) {
    const stages = Array.isArray(q.stage) ? q.stage : [q.stage];
    if (stages.length > limits.maxFields) throw new DealflowError('INPUT_LIMIT', `$.query.stage: more than ${limits.maxFields} stages`);
    stages.forEach((s, i) => checkId(s, `$.query.stage[${i}]`, limits));
  }
  if (q.order !== undefined && q.order !== 'asc' && q.order !== 'desc') throw new DealflowError('INPUT_INVALID', "$.query.order: must be 'asc' or 'desc'");
  for (const key of ['limit', 'offset'] as const) {
    const v = q[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new DealflowError('INPUT_INVALID', `$.query.${key}: must be a non-negative integer`, { details: { [key]: v } });
  }
  if (typeof q.limit === 'number' && q.limit > limits.maxQueryLimit) {
    throw new DealflowError('INPUT_LIMIT', `$.query.limit: ${q.limit} is more than ${limits.maxQueryLimit} (limits.maxQueryLimit)`);
  }
  if (q.fields !== undefined) {
    if (typeof q.fields !== 'object' || q.fields === null || Array.isArray(q.fields)) throw new DealflowError('INPUT_INVALID', '$.query.fields: must be an object');
    const names = Object.keys(q.fields);
    if (names.length > limits.maxFields) throw new DealflowError('INPUT_LIMIT', `$.query.fields: more than ${limits.maxFields} fields`);
    for (const name of names) {
      checkId(name, `$.query.fields key`, limits);
      const v = (q.fields as Record<string, unknown>)[name];
      if (!(v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))) {
        throw new DealflowError('INPUT_INVALID', `$.query.fields.${name}: a field filter is a string, finite number, boolean or null (exact match)`, { details: { field: name } });
      }
      if (typeof v === 'string') checkValue(v, `$.query.fields.${name}`, limits, limits.maxValueSize);
    }
  }
}

/** Methods that take a record id: where it is, and where their call options are. */
const BY_RECORD_ID: Readonly<Record<string, { id: number; options: number }>> = {
  send: { id: 0, options: 2 },
  get: { id: 0, options: 1 },
  history: { id: 0, options: 1 },
  getAt: { id: 0, options: 2 },
  timers: { id: 0, options: 1 },
  assign: { id: 0, options: 2 },
  logActivity: { id: 0, options: 2 },
  addTask: { id: 0, options: 2 },
  completeTask: { id: 0, options: 2 },
  claim: { id: 0, options: 1 },
  distribute: { id: 0, options: 2 },
  returnToPool: { id: 0, options: 2 },
  approve: { id: 0, options: 1 },
  reject: { id: 0, options: 1 },
  getFor: { id: 0, options: 1 },
  can: { id: 1, options: 2 },
};

/**
 * Puts the input limits in front of an engine's public methods: ids, call options, field values,
 * event and activity data and queries are checked before anything is read or written, so a bad
 * input fails whole with `INPUT_INVALID` / `INPUT_LIMIT` and writes nothing.
 */
export function guardEngineInputs<E extends object>(engine: E, limits: InputLimits): E {
  const guarded = Object.create(engine) as Record<string, unknown>;
  const inner = engine as unknown as Record<string, (...args: unknown[]) => unknown>;
  const wrap = (name: string, check: (args: unknown[]) => void): void => {
    const fn = inner[name];
    if (typeof fn !== 'function') return;
    guarded[name] = (...args: unknown[]): unknown => {
      try {
        check(args);
      } catch (e) {
        // the engine's async methods answer bad input with a rejected promise, as before
        return Promise.reject(e);
      }
      return fn.apply(engine, args);
    };
  };
  for (const [name, at] of Object.entries(BY_RECORD_ID)) {
    wrap(name, (args) => {
      checkId(args[at.id], '$.recordId', limits);
      if (name === 'send') {
        const event = args[1];
        if (typeof event === 'string') checkId(event, '$.event', limits);
        else if (typeof event === 'object' && event !== null) {
          checkId((event as { type?: unknown }).type, '$.event.type', limits);
          checkCallInput(event as { fields?: unknown; data?: unknown }, limits);
        }
      }
      if (name === 'logActivity' && typeof args[1] === 'object' && args[1] !== null) checkCallInput({ data: (args[1] as { data?: unknown }).data }, limits);
      checkCallOptions(args[at.options], limits);
    });
  }
  for (const name of ['create', 'createOrMerge'] as const) {
    wrap(name, (args) => {
      checkId(args[0], '$.type', limits);
      const input = args[1] as { id?: unknown; fields?: unknown; ownerId?: unknown; teamId?: unknown } | undefined;
      if (input !== undefined) {
        if (typeof input !== 'object' || input === null) throw new DealflowError('INPUT_INVALID', '$.input: must be an object');
        if (input.id !== undefined) checkId(input.id, '$.input.id', limits);
        if (input.ownerId !== undefined && input.ownerId !== null) checkId(input.ownerId, '$.input.ownerId', limits);
        if (input.teamId !== undefined && input.teamId !== null) checkId(input.teamId, '$.input.teamId', limits);
        checkCallInput({ fields: input.fields }, limits);
      }
      checkCallOptions(args[2], limits);
    });
  }
  wrap('createMany', (args) => {
    checkId(args[0], '$.type', limits);
    if (!Array.isArray(args[1])) throw new DealflowError('INPUT_INVALID', '$.items: must be an array');
    (args[1] as unknown[]).forEach((item, i) => {
      if (typeof item !== 'object' || item === null) throw new DealflowError('INPUT_INVALID', `$.items[${i}]: must be an object`);
      const it = item as { id?: unknown; fields?: unknown; ownerId?: unknown; teamId?: unknown; idempotencyKey?: unknown };
      if (it.id !== undefined) checkId(it.id, `$.items[${i}].id`, limits);
      if (it.idempotencyKey !== undefined) checkId(it.idempotencyKey, `$.items[${i}].idempotencyKey`, limits);
      if (it.ownerId !== undefined && it.ownerId !== null) checkId(it.ownerId, `$.items[${i}].ownerId`, limits);
      if (it.teamId !== undefined && it.teamId !== null) checkId(it.teamId, `$.items[${i}].teamId`, limits);
      checkCallInput({ fields: it.fields }, limits);
    });
    checkCallOptions(args[2], limits);
  });
  wrap('sendMany', (args) => {
    if (!Array.isArray(args[0])) throw new DealflowError('INPUT_INVALID', '$.items: must be an array');
    (args[0] as unknown[]).forEach((item, i) => {
      if (typeof item !== 'object' || item === null) throw new DealflowError('INPUT_INVALID', `$.items[${i}]: must be an object`);
      const it = item as { recordId?: unknown; event?: unknown; idempotencyKey?: unknown; expectedVersion?: unknown };
      checkId(it.recordId, `$.items[${i}].recordId`, limits);
      if (typeof it.event === 'string') checkId(it.event, `$.items[${i}].event`, limits);
      else if (typeof it.event === 'object' && it.event !== null) {
        checkId((it.event as { type?: unknown }).type, `$.items[${i}].event.type`, limits);
        checkCallInput(it.event as { fields?: unknown; data?: unknown }, limits);
      } else throw new DealflowError('INPUT_INVALID', `$.items[${i}].event: must be an event name or { type }`);
      if (it.idempotencyKey !== undefined) checkId(it.idempotencyKey, `$.items[${i}].idempotencyKey`, limits);
      if (it.expectedVersion !== undefined && (typeof it.expectedVersion !== 'number' || !Number.isSafeInteger(it.expectedVersion) || it.expectedVersion < 0)) {
        throw new DealflowError('INPUT_INVALID', `$.items[${i}].expectedVersion: must be a non-negative integer`);
      }
    });
    checkCallOptions(args[1], limits);
  });
  wrap('returnManyToPool', (args) => {
    if (!Array.isArray(args[0])) throw new DealflowError('INPUT_INVALID', '$.recordIds: must be an array');
    (args[0] as unknown[]).forEach((id, i) => checkId(id, `$.recordIds[${i}]`, limits));
    const opts = args[1] as { poolId?: unknown; reason?: unknown } | undefined;
    if (opts !== undefined && opts !== null) {
      if (typeof opts !== 'object') throw new DealflowError('INPUT_INVALID', '$.options: must be an object');
      if (opts.poolId !== undefined) checkId(opts.poolId, '$.options.poolId', limits);
      if (opts.reason !== undefined) checkValue(opts.reason, '$.options.reason', limits, limits.maxValueSize);
    }
    checkCallOptions(args[2], limits);
  });
  wrap('distributeMany', (args) => {
    if (!Array.isArray(args[0])) throw new DealflowError('INPUT_INVALID', '$.items: must be an array');
    (args[0] as unknown[]).forEach((item, i) => {
      if (typeof item !== 'object' || item === null) throw new DealflowError('INPUT_INVALID', `$.items[${i}]: must be an object`);
      const it = item as { recordId?: unknown; to?: unknown };
      checkId(it.recordId, `$.items[${i}].recordId`, limits);
      checkId(it.to, `$.items[${i}].to`, limits);
    });
    checkCallOptions(args[1], limits);
  });
  for (const name of ['query', 'queryFor'] as const) {
    wrap(name, (args) => {
      checkRecordQuery(args[0], limits);
      checkCallOptions(args[1], limits);
    });
  }
  // the event methods chain: keep chaining on the guarded engine
  for (const name of ['on', 'off', 'once'] as const) {
    const fn = inner[name];
    if (typeof fn === 'function') {
      guarded[name] = (...args: unknown[]): unknown => {
        fn.apply(engine, args);
        return guarded;
      };
    }
  }
  return guarded as E;
}
