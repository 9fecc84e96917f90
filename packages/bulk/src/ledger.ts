/**
 * The resume ledger of an import: store counters, written in the same transaction as each batch of
 * records, so after a crash the import knows exactly which source lines are in the store (the
 * checkpoint never runs ahead of the records, nor behind them).
 */
import type { Storage, StorageTx } from '@dealflow/core';

/** Totals an import keeps in its ledger. */
export interface LedgerTotals {
  /** The last source line whose outcome is committed. */
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

/**
 * Reads an import's ledger (all zero for a new import).
 *
 * @example
 * ```ts
 * const { line } = await readLedger(storage, 'default', 'crm-2026-03')
 * ```
 */
export async function readLedger(storage: Storage, tenantId: string, importId: string): Promise<LedgerTotals> {
  return storage.transaction(tenantId, async (tx) => {
    const out = { line: 0, created: 0, refused: 0, skipped: 0, merged: 0 };
    for (const p of PARTS) out[p] = await tx.getCounter(ledgerKey(importId, p));
    return out;
  });
}

/** Writes the ledger inside a batch's transaction: the checkpoint line and the batch's counts added. */
export async function writeLedger(tx: StorageTx, importId: string, line: number, add: Omit<LedgerTotals, 'line'>): Promise<void> {
  await tx.setCounter(ledgerKey(importId, 'line'), line);
  for (const p of ['created', 'refused', 'skipped', 'merged'] as const) {
    if (add[p] !== 0) await tx.incrementCounter(ledgerKey(importId, p), add[p]);
  }
}
