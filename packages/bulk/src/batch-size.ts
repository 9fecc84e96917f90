/**
 * The transaction size an import asks of each `createMany` call. `createMany`'s `'auto'` starts
 * every call at 100 items and grows from there, so an import that hands it one window of rows at
 * a time would start small again in every window; this carries what the last batches showed into
 * the next window instead, with the same target (a transaction of about `targetMs`) and the same
 * bounds (1…1 000 items). A fixed size is passed through unchanged. Internal to the package.
 */

/** Bounds and target of the carried size: the same as `createMany`'s `'auto'`. */
const MAX_SIZE = 1000;
const DEFAULT_TARGET_MS = 200;

/** The size to ask for next, learned from the batches that committed. */
export interface BatchSizer {
  /** What to pass as `createMany`'s `batchSize` for the next window. */
  next(): number | 'auto';
  /** One committed batch: its item count and how long its transaction took. */
  observe(items: number, ms: number): void;
}

/**
 * A sizer for an import's `batchSize` option: a number stays that number; `'auto'` is `'auto'`
 * until a batch committed, then the size that batch's rate gives for `targetMs` (at most twice
 * and at least half the batch it saw, 1…1 000). Batches smaller than half the carried size
 * (a window's remainder) teach nothing.
 *
 * @example
 * ```ts
 * const sizer = createBatchSizer('auto')
 * sizer.next() // 'auto'
 * sizer.observe(400, 100)
 * sizer.next() // 800
 * ```
 */
export function createBatchSizer(option: number | 'auto' | undefined, targetMs = DEFAULT_TARGET_MS): BatchSizer {
  if (typeof option === 'number') return { next: () => option, observe: () => {} };
  let carried: number | null = null;
  return {
    next: () => carried ?? 'auto',
    observe(items, ms) {
      if (items <= 0 || (carried !== null && items < carried / 2)) return;
      const factor = Math.min(2, Math.max(0.5, targetMs / Math.max(ms, 1)));
      carried = Math.max(1, Math.min(MAX_SIZE, Math.round(items * factor)));
    },
  };
}
