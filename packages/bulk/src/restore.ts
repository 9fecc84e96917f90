/**
 * `restoreRecords`: reads a `dealflow` export (JSON Lines of `{ record, history }`) back into a
 * store exactly: the same records and the same history events, many records per transaction
 * (`insertRecords` and one history append per batch), resumable through the same ledger as
 * imports. Timers and the outbox are not part of an export (see docs/bulk.md).
 */
import type { Readable } from 'node:stream';
import { applyHistoryEvent, DealflowError, replay } from '@dealflow/core';
import type { HistoryEvent, Storage, StoredRecord } from '@dealflow/core';
import { readSource } from './source.js';
import { readLedger, writeLedger } from './ledger.js';
import { refreshStatisticsAfter } from './statistics.js';
import type { RefusedRow, RefusedRowsSink } from './report.js';

/** Options of {@link restoreRecords}. */
export interface RestoreRecordsOptions {
  /** The store to write into (straight, not through an engine: records are restored as they were). */
  storage: Storage;
  /** The tenant to restore into (records and events are rewritten to it). */
  tenantId: string;
  /** A `dealflow` export (`exportRecords({ what: 'dealflow' })`): a file path or a readable stream. */
  source: string | Readable;
  /** Names this restore in the ledger (resume after a crash). */
  importId: string;
  /** Lines with a record that does not replay from its history, or whose id exists, are refused here. */
  report?: RefusedRowsSink;
  /** Records per transaction (default 500, at most 10 000). */
  batchSize?: number;
  /** Called after each batch commits. */
  onProgress?: (p: { line: number; restored: number; refused: number }) => void;
}

/** Outcome of {@link restoreRecords} (totals over every run of this id). */
export interface RestoreSummary {
  /** The last source line whose outcome is committed. */
  line: number;
  /** Records restored with their history. */
  restored: number;
  /** Lines refused (listed in the report). */
  refused: number;
  /** Whether this run resumed an earlier one. */
  resumed: boolean;
}

interface Entry {
  line: number;
  record: StoredRecord;
  history: HistoryEvent[];
}

/**
 * Restores a `dealflow` export.
 *
 * @example
 * ```ts
 * await exportRecords({ storage: from, tenantId: 'default', what: 'dealflow', out: createWriteStream('all.jsonl') })
 * await restoreRecords({ storage: to, tenantId: 'default', source: 'all.jsonl', importId: 'move-1' })
 * ```
 */
export async function restoreRecords(options: RestoreRecordsOptions): Promise<RestoreSummary> {
  const { storage, tenantId } = options;
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new DealflowError('INPUT_INVALID', `restoreRecords: batchSize must be 1…10000, got ${batchSize}`);
  const start = await readLedger(storage, tenantId, options.importId);
  let line = start.line;
  let restored = start.created;
  let refused = start.refused;
  let batch: Entry[] = [];
  let bad: RefusedRow[] = [];

  const commit = async (upTo: number) => {
    const entries = batch;
    const refusals = bad;
    batch = [];
    bad = [];
    await storage.transaction(tenantId, async (tx) => {
      const existing = new Set((await tx.getRecords(entries.map((e) => e.record.id))).map((r) => r.id));
      const fresh = entries.filter((e) => !existing.has(e.record.id));
      for (const e of entries) if (existing.has(e.record.id)) refusals.push({ line: e.line, code: 'DUPLICATE', reason: `record '${e.record.id}' already exists in tenant '${tenantId}'` });
      // a record goes in as its first version; each later event then writes the version it made
      if (fresh.length > 0) {
        await tx.insertRecords(fresh.map((e) => applyHistoryEvent(null, e.history[0]!)));
        for (const e of fresh) {
          let r = applyHistoryEvent(null, e.history[0]!);
          for (const ev of e.history.slice(1)) {
            r = applyHistoryEvent(r, ev);
            await tx.updateRecord(r, r.version - 1);
          }
        }
        await tx.appendHistory(fresh.flatMap((e) => e.history));
      }
      options.report?.add(refusals);
      await writeLedger(tx, options.importId, upTo, { created: fresh.length, refused: refusals.length, skipped: 0, merged: 0 });
      restored += fresh.length;
      refused += refusals.length;
    });
    line = upTo;
    options.onProgress?.({ line, restored, refused });
  };

  let last = start.line;
  for await (const src of readSource(options.source, 'jsonl')) {
    if (src.line <= start.line) continue;
    last = src.line;
    const value = src.row as { record?: StoredRecord; history?: HistoryEvent[] } | null;
    if (!value || typeof value.record !== 'object' || value.record === null || !Array.isArray(value.history) || value.history.length === 0) {
      bad.push({ line: src.line, code: 'DATA_INVALID', reason: src.error ?? 'not a { record, history } line of a dealflow export' });
    } else {
      const record = { ...value.record, tenantId };
      const history = value.history.map((e) => ({ ...e, tenantId }));
      try {
        const rebuilt = replay(history);
        if (JSON.stringify(rebuilt) !== JSON.stringify(record) && !sameRecord(rebuilt, record)) throw new DealflowError('DATA_INVALID', `record '${record.id}' does not replay from its history`);
        batch.push({ line: src.line, record, history });
      } catch (e) {
        bad.push({ line: src.line, code: (e as { code?: string }).code ?? 'DATA_INVALID', reason: (e as Error).message });
      }
    }
    if (batch.length + bad.length >= batchSize) await commit(last);
  }
  if (batch.length + bad.length > 0 || last > line) await commit(last);
  await refreshStatisticsAfter(options.storage, restored - start.created);
  return { line, restored, refused, resumed: start.line > 0 };
}

/** Deep equality of two records regardless of key order. */
function sameRecord(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameRecord((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
