/**
 * The batch path of `engine.createMany`: many records per store transaction, each item through the
 * same per-record code as `engine.create` (rules, required fields, plugins such as the duplicate
 * guard and assignment, history, deadline timers, outbox, idempotency), run against a
 * {@link BatchTx} so a rejected item writes nothing and the accepted ones go to the store in a few
 * batched calls.
 */
import { DealflowError, isDealflowError } from '@dealflow/logic';
import { BatchTx } from '../storage/batch-tx.js';
import { MAX_BATCH_IDS } from '../storage/types.js';
import type { Storage, StorageTx } from '../storage/types.js';
import type { Actor, CreateInput, CreateResult } from './context.js';
import type { PendingEmit } from './events.js';

/** One item of `engine.createMany`: what `engine.create` takes, plus per-item options. */
export interface CreateManyItem extends CreateInput {
  /** Repeating an item with the same key returns the first result and writes nothing (as `create`'s key). */
  idempotencyKey?: string;
  /**
   * When the record was created, for records that existed before (imports). ISO time, not after
   * now; default now. The `created` event, `createdAt` and the first stage's entry carry it.
   */
  createdAt?: string;
  /**
   * Stages the record entered after its creation, in order, with when (imports from a system that
   * kept them). Written as `transition` history events of event `$import` (facts of the past: no
   * guards run), so reports, forecasts and `getAt` see the past; the last one's deadlines are scheduled.
   */
  stages?: Array<{
    /** The stage entered. */
    stage: string;
    /** When it was entered (ISO time, in order, not after now). */
    at: string;
  }>;
}

/** Options of `engine.createMany`. */
export interface CreateManyOptions {
  /** Who creates the records (default: the system actor). */
  actor?: Actor;
  /** The tenant to create the records in (default: the engine's). */
  tenantId?: string;
  /** All items in one transaction, and the first rejected item fails the call whole (nothing written). Default false. */
  allOrNothing?: boolean;
  /**
   * Items per transaction: a number (1…{@link MAX_BATCH_IDS}), or `'auto'` (default): starts at 100
   * and adapts after each batch so a transaction takes about `targetMs`, up to 1 000.
   */
  batchSize?: number | 'auto';
  /** Target duration of one batch transaction for `'auto'` (default 200 ms). */
  targetMs?: number;
  /**
   * Runs inside each batch's transaction after its records were written (an import writes its
   * resume checkpoint here, so the checkpoint commits with the records or not at all).
   */
  withinBatch?: (tx: StorageTx, batch: { from: number; to: number; results: readonly CreateManyResult[] }) => Promise<void>;
  /** Called after each batch committed. */
  onBatch?: (info: { from: number; to: number; ms: number; created: number; refused: number }) => void | Promise<void>;
}

/** The result of one item: its record, or why it was refused (`index` is its position in the input). */
export type CreateManyResult =
  | ({
    /** The item was created (or its idempotency key answered with the earlier result). */
    ok: true;
    /** The item's position in the input. */
    index: number;
  } & CreateResult)
  | {
    /** The item was refused; nothing of it was written. */
    ok: false;
    /** The item's position in the input. */
    index: number;
    /** Why it was refused. */
    error: {
      /** The `DealflowError` code (`INPUT_INVALID`, `DUPLICATE`…). */
      code: string;
      /** The error message, naming the record, field or rule path. */
      message: string;
      /** The error's details, when it has any. */
      details?: unknown;
    };
  };

/** What creating one item in a transaction answers (the engine's per-record create). */
export interface CreatedItem {
  result: CreateResult;
  emits: readonly PendingEmit[];
}

/** What the batch path needs from the engine. */
export interface CreateManyDeps {
  storage: Storage;
  maxRetries: number;
  /** Creates one record inside `tx` exactly as `engine.create` does. */
  createItem(tx: StorageTx, item: CreateManyItem, actor: Actor): Promise<CreatedItem>;
  /** Fires the typed events of committed items. */
  emit(emits: readonly PendingEmit[]): void;
}

const AUTO_START = 100;
const AUTO_MAX = 1000;

function refusal(index: number, e: unknown): CreateManyResult {
  const err = e as { code?: string; message?: string; details?: unknown };
  return { ok: false, index, error: { code: err.code ?? 'INTERNAL', message: err.message ?? String(e), ...(err.details !== undefined ? { details: err.details } : {}) } };
}

/** Whether an item's error is the item's own (refuse it) rather than the store's (fail the batch). */
function itemError(e: unknown): boolean {
  return isDealflowError(e) && e.code !== 'STORAGE' && e.code !== 'CONFLICT' && e.code !== 'CLOSED' && e.code !== 'MIGRATION';
}

/**
 * Runs `engine.createMany` (see there).
 *
 * @example
 * ```ts
 * const results = await runCreateMany(deps, items, { batchSize: 'auto' })
 * ```
 */
export async function runCreateMany(deps: CreateManyDeps, tenantId: string, actor: Actor, items: readonly CreateManyItem[], options: CreateManyOptions = {}): Promise<CreateManyResult[]> {
  if (!Array.isArray(items)) throw new DealflowError('INPUT_INVALID', 'createMany: items must be an array');
  const fixed = options.batchSize === undefined || options.batchSize === 'auto' ? null : options.batchSize;
  if (fixed !== null && (!Number.isInteger(fixed) || fixed < 1 || fixed > MAX_BATCH_IDS)) {
    throw new DealflowError('INPUT_INVALID', `createMany: batchSize must be 'auto' or an integer 1…${MAX_BATCH_IDS}, got ${String(options.batchSize)}`);
  }
  const targetMs = options.targetMs ?? 200;
  const results: CreateManyResult[] = new Array(items.length);

  /** One batch in one transaction; store failures retry (CONFLICT), then split the batch in halves. */
  const runBatch = async (from: number, to: number, attempt = 0): Promise<void> => {
    let emits: PendingEmit[] = [];
    try {
      await deps.storage.transaction(tenantId, async (tx) => {
        emits = [];
        const batch = new BatchTx(tx);
        await batch.prefetch(items.slice(from, to).flatMap((it) => (typeof it?.id === 'string' ? [it.id] : [])));
        for (let i = from; i < to; i++) {
          batch.begin();
          try {
            const made = await deps.createItem(batch, items[i]!, actor);
            batch.accept();
            results[i] = { ok: true, index: i, ...made.result };
            if (!made.result.replayed) emits.push(...made.emits);
          } catch (e) {
            batch.reject();
            if (!itemError(e) || options.allOrNothing) throw e;
            results[i] = refusal(i, e);
          }
        }
        await batch.flush();
        await options.withinBatch?.(tx, { from, to, results: results.slice(from, to) });
      });
    } catch (e) {
      if (options.allOrNothing) throw e;
      if (isDealflowError(e, 'CONFLICT') && attempt < deps.maxRetries) return runBatch(from, to, attempt + 1);
      if (to - from === 1) {
        results[from] = refusal(from, e);
        return;
      }
      // a store failure names no item: halves find it, and the others still commit
      const mid = from + Math.floor((to - from) / 2);
      await runBatch(from, mid);
      await runBatch(mid, to);
      return;
    }
    deps.emit(emits);
  };

  if (options.allOrNothing) {
    if (items.length > MAX_BATCH_IDS) throw new DealflowError('INPUT_INVALID', `createMany: allOrNothing takes at most ${MAX_BATCH_IDS} items, got ${items.length}`);
    await runBatch(0, items.length);
    await options.onBatch?.({ from: 0, to: items.length, ms: 0, created: items.length, refused: 0 });
    return results;
  }
  let size = fixed ?? AUTO_START;
  for (let from = 0; from < items.length;) {
    const to = Math.min(items.length, from + size);
    const started = performance.now();
    await runBatch(from, to);
    const ms = performance.now() - started;
    let created = 0;
    for (let i = from; i < to; i++) if (results[i]!.ok) created++;
    await options.onBatch?.({ from, to, ms, created, refused: to - from - created });
    if (fixed === null && to - from === size) {
      const factor = Math.min(2, Math.max(0.5, targetMs / Math.max(ms, 1)));
      size = Math.max(1, Math.min(AUTO_MAX, Math.round(size * factor)));
    }
    from = to;
  }
  return results;
}
