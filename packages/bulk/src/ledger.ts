/**
 * The resume ledger of an import: store counters, written in the same transaction as each batch of
 * records, so after a crash the import knows exactly which source lines are in the store (the
 * checkpoint never runs ahead of the records, nor behind them).
 *
 * An import cuts its source into windows of `window` lines (window k holds lines k·W+1 … (k+1)·W)
 * and may commit several windows at once, so a window can be in the store while one before it is
 * not. The ledger therefore keeps, besides the totals:
 * - `line`: the checkpoint, every source line up to it is done (advanced as windows finish in order);
 * - `w<k>`: the last line of window k whose outcome is committed (written by each batch of it);
 * - `ahead`: one more than the highest window started (written before it starts), which bounds the
 *   windows a resume must look at;
 * - `window`: the window size of the first run (a resume keeps it, so the windows line up).
 */
import type { Storage, StorageTx } from '@dealflow/core';

/** Totals an import keeps in its ledger. */
export interface LedgerTotals {
  /** The checkpoint: every source line up to this one has its outcome committed. */
  line: number;
  /** Records created. */
  created: number;
  /** Rows refused (each listed once in the report). */
  refused: number;
  /** Duplicate rows skipped. */
  skipped: number;
  /** Rows merged into existing records. */
  merged: number;
}

const PARTS = ['line', 'created', 'refused', 'skipped', 'merged'] as const;

/** The counter key of one part of an import's ledger. */
export function ledgerKey(importId: string, part: (typeof PARTS)[number]): string {
  return `dealflow.import:${importId}:${part}`;
}

const windowKey = (importId: string, k: number) => `dealflow.import:${importId}:w${k}`;
const aheadKey = (importId: string) => `dealflow.import:${importId}:ahead`;
const sizeKey = (importId: string) => `dealflow.import:${importId}:window`;

/**
 * Reads an import's ledger (all zero for a new import).
 *
 * @example
 * ```ts
 * const { line } = await readLedger(storage, 'default', 'crm-2026-03')
 * ```
 */
export async function readLedger(storage: Storage, tenantId: string, importId: string): Promise<LedgerTotals> {
  return storage.transaction(tenantId, (tx) => totalsIn(tx, importId));
}

async function totalsIn(tx: StorageTx, importId: string): Promise<LedgerTotals> {
  const out = { line: 0, created: 0, refused: 0, skipped: 0, merged: 0 };
  for (const p of PARTS) out[p] = await tx.getCounter(ledgerKey(importId, p));
  return out;
}

/** Sets a counter to `value` unless it already holds as much (the ledger's marks only move forward). */
async function raise(tx: StorageTx, key: string, value: number): Promise<void> {
  if ((await tx.getCounter(key)) < value) await tx.setCounter(key, value);
}

/** Where an import stands: its totals, its window size and which source lines are done. */
export interface ImportPosition extends LedgerTotals {
  /** Lines per window (the first run's). */
  window: number;
  /** Whether an earlier run of this import had begun (even one that committed nothing). */
  begun: boolean;
  /** Whether a source line's outcome is committed (at or before the checkpoint, or within a window's committed part). */
  done(line: number): boolean;
}

/**
 * Reads where an import stands: the totals, the checkpoint and the committed part of every window
 * started past it. `window` is the size to use when the ledger has none yet (a new import, or one
 * written before windows were kept), and is then recorded.
 */
export async function readPosition(storage: Storage, tenantId: string, importId: string, window: number): Promise<ImportPosition> {
  return storage.transaction(tenantId, async (tx) => {
    const totals = await totalsIn(tx, importId);
    let size = await tx.getCounter(sizeKey(importId));
    const begun = size > 0 || totals.line > 0;
    if (size === 0) {
      size = window;
      await tx.setCounter(sizeKey(importId), size);
    }
    const ahead = await tx.getCounter(aheadKey(importId));
    const reached = new Map<number, number>();
    for (let k = Math.floor(totals.line / size); k < ahead; k++) {
      const line = await tx.getCounter(windowKey(importId, k));
      if (line > 0) reached.set(k, line);
    }
    const done = (line: number) => line <= totals.line || line <= (reached.get(windowOf(line, size)) ?? 0);
    return { ...totals, window: size, begun, done };
  });
}

/** The window a source line falls in (lines are 1-based). */
export function windowOf(line: number, window: number): number {
  return Math.floor((line - 1) / window);
}

/** Records that window `k` is about to start (before any of its batches commit). */
export async function markAhead(storage: Storage, tenantId: string, importId: string, k: number): Promise<void> {
  await storage.transaction(tenantId, (tx) => raise(tx, aheadKey(importId), k + 1));
}

/** Moves the checkpoint forward (the windows up to `line` are all done). */
export async function writeCheckpoint(storage: Storage, tenantId: string, importId: string, line: number): Promise<void> {
  await storage.transaction(tenantId, (tx) => raise(tx, ledgerKey(importId, 'line'), line));
}

/** Writes, inside a batch's transaction of window `k`, how far the window is done and the batch's counts. */
export async function writeWindow(tx: StorageTx, importId: string, k: number, line: number, add: Omit<LedgerTotals, 'line'>): Promise<void> {
  await tx.setCounter(windowKey(importId, k), line);
  await addTotals(tx, importId, add);
}

/** Writes the ledger inside a batch's transaction: the checkpoint line and the batch's counts added (one stream, in order). */
export async function writeLedger(tx: StorageTx, importId: string, line: number, add: Omit<LedgerTotals, 'line'>): Promise<void> {
  await tx.setCounter(ledgerKey(importId, 'line'), line);
  await addTotals(tx, importId, add);
}

async function addTotals(tx: StorageTx, importId: string, add: Omit<LedgerTotals, 'line'>): Promise<void> {
  // always in this order, so windows committing at once wait on each other's counters, never deadlock
  for (const p of ['created', 'refused', 'skipped', 'merged'] as const) {
    if (add[p] !== 0) await tx.incrementCounter(ledgerKey(importId, p), add[p]);
  }
}
