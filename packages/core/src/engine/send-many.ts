/**
 * The batch path of `engine.sendMany`: many sends per store transaction, each item through the same
 * per-send code as `engine.send` (identity and permissions, guards, required fields, approval
 * holds, plugins such as assignment, escalation timers and the duplicate guard, history, timers,
 * outbox, idempotency), run by the engine's batch runner (engine/batches.ts): a refused item writes
 * nothing, the accepted ones go to the store in a few batched calls.
 */
import { DealflowError } from '@dealflow/logic';
import { runBatches } from './batches.js';
import type { BatchEngineDeps, BatchItemOutcome, BatchOptions, ItemError } from './batches.js';
import type { Actor, SendInput, SendResult } from './context.js';

/** One item of `engine.sendMany`: what `engine.send` takes, plus per-item options. */
export interface SendManyItem {
  /** The record to send the event to. */
  recordId: string;
  /** The event (its name, or `{ type, fields, data, supplied }` as `engine.send` takes it). */
  event: SendInput;
  /** Repeating an item with the same key returns the first result and writes nothing (as `send`'s key; the keys are shared). */
  idempotencyKey?: string;
  /** Refuse the item (`CONFLICT`) unless the record is at this version (as `send`'s `expectedVersion`). */
  expectedVersion?: number;
}

/** Options of `engine.sendMany`. */
export interface SendManyOptions extends BatchOptions<SendResult> {
  /** Who sends the events (default: the anonymous actor, as `send`). */
  actor?: Actor;
  /** The tenant of the records (default: the engine's). */
  tenantId?: string;
  /** Called after each batch committed: `sent` items took their transition, `refused` were rejected or failed. */
  onBatch?: (info: { from: number; to: number; ms: number; sent: number; refused: number }) => void | Promise<void>;
}

/**
 * The result of one item. What `engine.send` answers, with the item's position: `ok: true` (the
 * transition was taken), or `ok: false` with a `rejection` (guard, required fields, permission,
 * approval hold: as `send` returns it; it is remembered under the item's idempotency key) — or
 * `ok: false` with an `error` where `send` would have thrown (`NOT_FOUND`, `INPUT_INVALID`,
 * `IDEMPOTENCY_MISMATCH`, `CONFLICT` for `expectedVersion`…): nothing of that item was written.
 */
export type SendManyResult =
  | ({
    /** The item's position in the input. */
    index: number;
  } & SendResult)
  | {
    /** The item failed; nothing of it was written. */
    ok: false;
    /** The item's position in the input. */
    index: number;
    /** Why it failed. */
    error: ItemError;
  };

/** What sending one item in a transaction answers (the engine's per-send body). */
export type SentItem = BatchItemOutcome<SendResult>;

/** What the batch path needs from the engine (`runItem`: `engine.send`'s body in the batch's transaction). */
export type SendManyDeps = BatchEngineDeps<SendManyItem, SendResult>;

function checkItem(item: unknown, index: number): SendManyItem {
  if (typeof item !== 'object' || item === null) throw new DealflowError('INPUT_INVALID', `sendMany: items[${index}] must be an object`);
  const it = item as Partial<SendManyItem>;
  if (typeof it.recordId !== 'string' || it.recordId.length === 0) throw new DealflowError('INPUT_INVALID', `sendMany: items[${index}].recordId must be a non-empty string`);
  if (typeof it.event !== 'string' && (typeof it.event !== 'object' || it.event === null)) {
    throw new DealflowError('INPUT_INVALID', `sendMany: items[${index}].event must be an event name or { type }`, { details: { recordId: it.recordId } });
  }
  return it as SendManyItem;
}

/**
 * Runs `engine.sendMany` (see there).
 *
 * @example
 * ```ts
 * const results = await runSendMany(deps, 'default', actor, [{ recordId: 'l1', event: 'contact' }], { batchSize: 'auto' })
 * ```
 */
export async function runSendMany(deps: SendManyDeps, tenantId: string, actor: Actor, items: readonly SendManyItem[], options: SendManyOptions = {}): Promise<SendManyResult[]> {
  const { onBatch, actor: _actor, tenantId: _tenant, ...rest } = options;
  return runBatches<SendManyItem, SendResult>({
    what: 'sendMany',
    storage: deps.storage,
    tenantId,
    maxRetries: deps.maxRetries,
    prefetch: (batch) => batch.flatMap((it) => (typeof it?.recordId === 'string' ? [it.recordId] : [])),
    runItem: async (tx, item, index) => {
      const made = await deps.runItem(tx, checkItem(item, index), actor);
      return { result: made.result, emits: made.emits, replayed: made.result.replayed === true };
    },
    refusalOf: (result, index) => (result.ok
      ? null
      : new DealflowError('REJECTED', `sendMany: items[${index}] (record '${result.rejection.recordId}', event '${result.rejection.event}') was rejected: ${result.rejection.message}`, {
        details: { index, rejection: result.rejection },
      })),
    succeeded: (result) => result.ok,
    emit: deps.emit,
    ...(onBatch ? { onBatch: (b) => onBatch({ from: b.from, to: b.to, ms: b.ms, sent: b.ok, refused: b.refused }) } : {}),
  }, items, rest);
}
