/**
 * The size of the next batch for a caller that reads its own pages and hands each one to
 * {@link runBatches} as one batch (`migrateRecords`): a fixed size stays that size; `'auto'` starts
 * where the runner's `'auto'` starts and learns from each committed batch, with the runner's target
 * (a transaction of about `targetMs`) and bounds (1…{@link AUTO_MAX} items), so the size carries
 * from one page to the next instead of starting again at every call of the runner.
 */
import { AUTO_MAX, AUTO_START } from './batches.js';

/** The size to ask for next, learned from the batches that committed. */
export interface PageSizer {
  /** Items for the next page (and its batch). */
  size(): number;
  /** One committed batch: its item count and how long its transaction took. */
  observe(items: number, ms: number): void;
}

/**
 * A sizer for a `batchSize` option already checked (a number, or null for `'auto'`). With
 * `'auto'`, a batch's rate sets the next size for `targetMs` (at most twice and at least half the
 * batch it saw, 1…1 000); a batch smaller than half the current size (a page mostly of records
 * that need nothing) teaches nothing.
 *
 * @example
 * ```ts
 * const sizer = createPageSizer(null)
 * sizer.size() // 100
 * sizer.observe(100, 50)
 * sizer.size() // 200
 * ```
 */
export function createPageSizer(fixed: number | null, targetMs = 200): PageSizer {
  if (fixed !== null) return { size: () => fixed, observe: () => {} };
  let current = AUTO_START;
  return {
    size: () => current,
    observe(items, ms) {
      if (items <= 0 || items < current / 2) return;
      const factor = Math.min(2, Math.max(0.5, targetMs / Math.max(ms, 1)));
      current = Math.max(1, Math.min(AUTO_MAX, Math.round(items * factor)));
    },
  };
}
