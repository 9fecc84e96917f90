/**
 * The engine's batch runner: many items per store transaction, each item run against a
 * {@link BatchTx} so a refused item writes nothing and the accepted ones go to the store in a few
 * batched calls. `createMany`, `sendMany` and the worker's batched firing all run through it: the
 * same batch sizes ('auto' or fixed), the same all-or-nothing mode, the same retry on version
 * conflicts and the same split of a batch the store refused (halves find the item, the others
 * still commit).
 */
import { DealflowError, isDealflowError } from '@dealflow/logic';
import { BatchTx } from '../storage/batch-tx.js';
import { MAX_BATCH_IDS } from '../storage/types.js';
import type { Storage, StorageTx } from '../storage/types.js';
import type { Actor } from './context.js';
import type { PendingEmit } from './events.js';

/** Why an item was refused: the `DealflowError`'s code, message and details. */
export interface ItemError {
  /** The `DealflowError` code (`INPUT_INVALID`, `NOT_FOUND`, `DUPLICATE`…). */
  code: string;
  /** The error message, naming the record, field or rule path. */
  message: string;
  /** The error's details, when it has any. */
  details?: unknown;
}

/** The result of one item of a batch call, or why it was refused (`index` is its position in the input). */
export type BatchItemResult<R> = ({ index: number } & R) | { ok: false; index: number; error: ItemError };

/** The options every batch call takes (`createMany`, `sendMany`). */
export interface BatchOptions<R> {
  /** All items in one transaction, and the first refused item fails the call whole (nothing written). Default false. */
  allOrNothing?: boolean;
  /**
   * Items per transaction: a number (1…{@link MAX_BATCH_IDS}), `'auto'` (default): starts at 100
   * and adapts after each batch so a transaction takes about `targetMs`, up to 1 000; or a
   * {@link BatchSizer} from {@link createBatchSizer}, which carries what it learned from one call
   * into the next.
   */
  batchSize?: number | 'auto' | BatchSizer;
  /** Target duration of one batch transaction for `'auto'` (default 200 ms; a {@link BatchSizer} has its own). */
  targetMs?: number;
  /** Runs inside each batch's transaction after its items were written (a checkpoint commits with them or not at all). */
  withinBatch?: (tx: StorageTx, batch: { from: number; to: number; results: readonly BatchItemResult<R>[] }) => Promise<void>;
}

/** What one item run inside a batch answers: its result and the typed events to emit once committed. */
export interface BatchItemOutcome<R> {
  result: R;
  emits: readonly PendingEmit[];
  /** True when the result is a stored one (idempotency replay): nothing is emitted. */
  replayed?: boolean;
}

/**
 * What an engine batch call (`createMany`, `sendMany`) needs from the engine: its store, its retry
 * count, the single call's body run inside a batch's transaction, and the emitter.
 */
export interface BatchEngineDeps<I, R> {
  storage: Storage;
  maxRetries: number;
  /** Runs one item inside `tx` exactly as the single call (`engine.create`, `engine.send`) does. */
  runItem(tx: StorageTx, item: I, actor: Actor): Promise<BatchItemOutcome<R>>;
  /** Fires the typed events of committed items. */
  emit(emits: readonly PendingEmit[]): void;
}

/** What {@link runBatches} needs from its caller. */
export interface BatchRun<I, R> {
  /** The call, for messages (`createMany 'lead'`, `sendMany`). */
  what: string;
  storage: Storage;
  tenantId: string;
  maxRetries: number;
  /** Record ids the items of `[from, to)` will change: read (and locked) once per batch. */
  prefetch(items: readonly I[]): string[];
  /** Record ids whose timers the items of `[from, to)` will read: read once per batch where the store can (`listTimersOf`). */
  prefetchTimers?(items: readonly I[]): string[];
  /** Tells the batch's transaction what the caller knows of the items before they run (a worker's claimed timers). */
  seed?(batch: BatchTx, items: readonly I[]): void;
  /** Runs one item in the batch's transaction exactly as the single call would. */
  runItem(tx: StorageTx, item: I, index: number): Promise<BatchItemOutcome<R>>;
  /** With `allOrNothing`: the error that fails the call when an accepted item's result is still a refusal (a rejected send), or null. */
  refusalOf?(result: R, index: number): DealflowError | null;
  /** Whether an accepted result counts as done for `onBatch` (default: all). */
  succeeded?(result: R): boolean;
  /** Fires the typed events of committed items. */
  emit(emits: readonly PendingEmit[]): void;
  /** Called with the error as thrown when an item is refused (its result carries the code and message). */
  onItemError?(index: number, error: unknown): void;
  /** Called after each batch committed. */
  onBatch?(info: { from: number; to: number; ms: number; ok: number; refused: number }): void | Promise<void>;
}

const AUTO_START = 100;
const AUTO_MAX = 1000;
const DEFAULT_TARGET_MS = 200;

/**
 * The transaction size of `'auto'` batches, learned from the batches that ran. Batch calls
 * (`createMany`, `sendMany`, `handover`, the pool waves) make one per call; pass your own as
 * `batchSize` to several calls and the size one call learned carries into the next (an import
 * that hands `createMany` one window of rows at a time starts each window at the size the last
 * one reached, not at 100 again).
 */
export interface BatchSizer {
  /** Items of the next batch (1…1 000). */
  readonly size: number;
  /**
   * One batch committed: its item count and how long its transaction took. A batch of fewer than
   * half of `size` items (a remainder, a page with little to do) teaches nothing; otherwise the
   * size becomes what that batch's rate gives for `targetMs`, at most twice and at least half its
   * item count.
   */
  observe(items: number, ms: number): void;
}

/** Options of {@link createBatchSizer}. */
export interface BatchSizerOptions {
  /** The target duration of one batch transaction (default 200 ms, at least 1). */
  targetMs?: number;
  /** The first batch's size (default 100, 1…1 000). */
  start?: number;
}

/**
 * A {@link BatchSizer}: starts at `start` items and adapts after each batch so a transaction
 * takes about `targetMs`, within 1…1 000 items. This is what `batchSize: 'auto'` uses inside one call.
 *
 * @example
 * ```ts
 * const sizer = createBatchSizer({ targetMs: 200 })
 * for (const window of windows) await engine.createMany('lead', window, { batchSize: sizer })
 * sizer.size // what the last full batch taught, e.g. 800
 * ```
 */
export function createBatchSizer(options: BatchSizerOptions = {}): BatchSizer {
  const targetMs = options.targetMs ?? DEFAULT_TARGET_MS;
  const start = options.start ?? AUTO_START;
  if (typeof targetMs !== 'number' || !Number.isFinite(targetMs) || targetMs < 1) {
    throw new DealflowError('INPUT_INVALID', `createBatchSizer: targetMs must be a number of milliseconds ≥ 1, got ${String(targetMs)}`);
  }
  if (!Number.isInteger(start) || start < 1 || start > AUTO_MAX) {
    throw new DealflowError('INPUT_INVALID', `createBatchSizer: start must be an integer 1…${AUTO_MAX}, got ${String(start)}`);
  }
  let size = start;
  return {
    get size() {
      return size;
    },
    observe(items, ms) {
      if (items <= 0 || items < size / 2) return;
      const factor = Math.min(2, Math.max(0.5, targetMs / Math.max(ms, 1)));
      size = Math.max(1, Math.min(AUTO_MAX, Math.round(items * factor)));
    },
  };
}

function isSizer(value: unknown): value is BatchSizer {
  return typeof value === 'object' && value !== null && typeof (value as BatchSizer).observe === 'function'
    && typeof (value as BatchSizer).size === 'number';
}

/**
 * The code, message and details of an error, as an item's result carries them.
 *
 * @example
 * ```ts
 * errorOf(new DealflowError('NOT_FOUND', "Record 'x' does not exist")) // { code: 'NOT_FOUND', message: "Record 'x' does not exist", details: {} }
 * ```
 */
export function errorOf(e: unknown): ItemError {
  const err = e as { code?: string; message?: string; details?: unknown };
  return { code: err.code ?? 'INTERNAL', message: err.message ?? String(e), ...(err.details !== undefined ? { details: err.details } : {}) };
}

/**
 * Whether an item's error is the item's own (refuse the item) rather than the store's or a bug
 * (fail the batch): a `DealflowError` other than `STORAGE`, `CONFLICT`, `CLOSED` and `MIGRATION`.
 *
 * @example
 * ```ts
 * itemError(new DealflowError('DATA_INVALID', "record 'x' …")) // true
 * itemError(new DealflowError('CONFLICT', "record 'x' is at version 3, expected 2")) // false
 * ```
 */
export function itemError(e: unknown): boolean {
  return isDealflowError(e) && e.code !== 'STORAGE' && e.code !== 'CONFLICT' && e.code !== 'CLOSED' && e.code !== 'MIGRATION';
}

/**
 * Checks a batch call's `batchSize` and answers the fixed size, or null for `'auto'`.
 *
 * @example
 * ```ts
 * batchSizeOf('sendMany', 500) // 500
 * ```
 */
export function batchSizeOf(what: string, batchSize: unknown): number | null {
  if (batchSize === undefined || batchSize === 'auto' || isSizer(batchSize)) return null;
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_IDS) {
    throw new DealflowError('INPUT_INVALID', `${what}: batchSize must be 'auto', a batch sizer (createBatchSizer) or an integer 1…${MAX_BATCH_IDS}, got ${String(batchSize)}`);
  }
  return batchSize;
}

/**
 * The sizer of a batch call: the caller's own, a new one for `'auto'` (with the call's `targetMs`),
 * or null for a fixed size.
 */
function sizerOf(what: string, options: BatchOptions<unknown>): BatchSizer | null {
  if (batchSizeOf(what, options.batchSize) !== null) return null;
  if (isSizer(options.batchSize)) {
    if (options.targetMs !== undefined) {
      throw new DealflowError('INPUT_INVALID', `${what}: targetMs goes to createBatchSizer when batchSize is a batch sizer`);
    }
    return options.batchSize;
  }
  return createBatchSizer(options.targetMs !== undefined ? { targetMs: options.targetMs } : {});
}

/**
 * Runs `items` in batches (see the module comment): each batch one store transaction of
 * `run.tenantId`, each item through `run.runItem` on a {@link BatchTx}. A refused item (its own
 * `DealflowError`) gets `{ ok: false, index, error }` and writes nothing; with `allOrNothing` it
 * fails the call whole. A version conflict retries the batch (up to `maxRetries`), then the batch
 * is split in halves until the failing item stands alone and is refused.
 *
 * @example
 * ```ts
 * const results = await runBatches(run, items, { batchSize: 'auto' })
 * ```
 */
export async function runBatches<I, R>(run: BatchRun<I, R>, items: readonly I[], options: BatchOptions<R> = {}): Promise<BatchItemResult<R>[]> {
  if (!Array.isArray(items)) throw new DealflowError('INPUT_INVALID', `${run.what}: items must be an array`);
  const fixed = batchSizeOf(run.what, options.batchSize);
  const sizer = sizerOf(run.what, options as BatchOptions<unknown>);
  const results: BatchItemResult<R>[] = new Array(items.length);

  /** One batch in one transaction; store failures retry (CONFLICT), then split the batch in halves. */
  const runBatch = async (from: number, to: number, attempt = 0): Promise<void> => {
    let emits: PendingEmit[] = [];
    try {
      await run.storage.transaction(run.tenantId, async (tx) => {
        emits = [];
        const batch = new BatchTx(tx);
        run.seed?.(batch, items.slice(from, to));
        await batch.prefetch(run.prefetch(items.slice(from, to)));
        if (run.prefetchTimers) await batch.prefetchTimers(run.prefetchTimers(items.slice(from, to)));
        for (let i = from; i < to; i++) {
          batch.begin();
          try {
            const made = await run.runItem(batch, items[i]!, i);
            batch.accept();
            if (options.allOrNothing) {
              const refused = run.refusalOf?.(made.result, i);
              if (refused) throw refused;
            }
            results[i] = { index: i, ...made.result };
            if (!made.replayed) emits.push(...made.emits);
          } catch (e) {
            if (batch.isOpen) batch.reject();
            if (!itemError(e) || options.allOrNothing) throw e;
            results[i] = { ok: false, index: i, error: errorOf(e) };
            run.onItemError?.(i, e);
          }
        }
        await batch.flush();
        await options.withinBatch?.(tx, { from, to, results: results.slice(from, to) });
      });
    } catch (e) {
      if (options.allOrNothing) throw e;
      if (isDealflowError(e, 'CONFLICT') && attempt < run.maxRetries) return runBatch(from, to, attempt + 1);
      if (to - from === 1) {
        results[from] = { ok: false, index: from, error: errorOf(e) };
        run.onItemError?.(from, e);
        return;
      }
      // a store failure names no item: halves find it, and the others still commit
      const mid = from + Math.floor((to - from) / 2);
      await runBatch(from, mid);
      await runBatch(mid, to);
      return;
    }
    run.emit(emits);
  };

  const counts = (from: number, to: number): { ok: number; refused: number } => {
    let ok = 0;
    for (let i = from; i < to; i++) {
      const r = results[i]!;
      if (!('error' in r) && (run.succeeded === undefined || run.succeeded(r as unknown as R))) ok++;
    }
    return { ok, refused: to - from - ok };
  };

  if (options.allOrNothing) {
    if (items.length > MAX_BATCH_IDS) throw new DealflowError('INPUT_INVALID', `${run.what}: allOrNothing takes at most ${MAX_BATCH_IDS} items, got ${items.length}`);
    const started = performance.now();
    await runBatch(0, items.length);
    await run.onBatch?.({ from: 0, to: items.length, ms: performance.now() - started, ...counts(0, items.length) });
    return results;
  }
  for (let from = 0; from < items.length;) {
    const to = Math.min(items.length, from + (sizer ? sizer.size : fixed!));
    const started = performance.now();
    await runBatch(from, to);
    const ms = performance.now() - started;
    sizer?.observe(to - from, ms);
    await run.onBatch?.({ from, to, ms, ...counts(from, to) });
    from = to;
  }
  return results;
}
