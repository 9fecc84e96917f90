/**
 * The batch path of `engine.createMany`: many records per store transaction, each item through the
 * same per-record code as `engine.create` (rules, required fields, plugins such as the duplicate
 * guard and assignment, history, deadline timers, outbox, idempotency), run by the engine's batch
 * runner (engine/batches.ts) so a rejected item writes nothing and the accepted ones go to the
 * store in a few batched calls.
 */
import { MAX_BATCH_IDS } from '../storage/types.js';
import type { StorageTx } from '../storage/types.js';
import { runBatches } from './batches.js';
import type { BatchEngineDeps, BatchItemOutcome, BatchSizer, ItemError } from './batches.js';
import type { Actor, CreateInput, CreateResult } from './context.js';

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
   * Items per transaction: a number (1…{@link MAX_BATCH_IDS}), `'auto'` (default): starts at 100
   * and adapts after each batch so a transaction takes about `targetMs`, up to 1 000; or a
   * `BatchSizer` (`createBatchSizer`) that carries what it learned into the next call.
   */
  batchSize?: number | 'auto' | BatchSizer;
  /** Target duration of one batch transaction for `'auto'` (default 200 ms; a `BatchSizer` has its own). */
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
    error: ItemError;
  };

/** What creating one item in a transaction answers (the engine's per-record create). */
export type CreatedItem = BatchItemOutcome<CreateResult>;

/** What the batch path needs from the engine (`runItem`: `engine.create`'s body in the batch's transaction). */
export type CreateManyDeps = BatchEngineDeps<CreateManyItem, CreateResult>;

/**
 * Runs `engine.createMany` (see there).
 *
 * @example
 * ```ts
 * const results = await runCreateMany(deps, 'default', actor, items, { batchSize: 'auto' })
 * ```
 */
export async function runCreateMany(deps: CreateManyDeps, tenantId: string, actor: Actor, items: readonly CreateManyItem[], options: CreateManyOptions = {}): Promise<CreateManyResult[]> {
  const { onBatch, withinBatch, ...rest } = options;
  return runBatches<CreateManyItem, { ok: true } & CreateResult>({
    what: 'createMany',
    storage: deps.storage,
    tenantId,
    maxRetries: deps.maxRetries,
    prefetch: (batch) => batch.flatMap((it) => (typeof it?.id === 'string' ? [it.id] : [])),
    runItem: async (tx, item) => {
      const made = await deps.runItem(tx, item, actor);
      return { result: { ok: true, ...made.result }, emits: made.emits, replayed: made.result.replayed === true };
    },
    emit: deps.emit,
    ...(onBatch ? { onBatch: (b) => onBatch({ from: b.from, to: b.to, ms: b.ms, created: b.ok, refused: b.refused }) } : {}),
  }, items, { ...rest, ...(withinBatch ? { withinBatch: (tx, b) => withinBatch(tx, b as { from: number; to: number; results: readonly CreateManyResult[] }) } : {}) });
}
