/**
 * `importRecords`: a CSV or JSON Lines source into records of a blueprint, through
 * `engine.createMany` (so every rule, the duplicate guard, assignment, history, timers and outbox
 * apply), many rows per transaction, resumable after a crash without duplicates.
 */
import { statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { createBatchSizer, DealflowError, isDealflowError } from '@dealflow/core';
import type { Actor, CreateManyItem, CreateManyResult, Directory, Engine, StorageTx } from '@dealflow/core';
import { parseMapping } from './mapping.js';
import type { Mapping, MappingInput } from './mapping.js';
import { mapRow, RowRefusal } from './rows.js';
import { formatOf, readSource } from './source.js';
import type { SourceFormat } from './source.js';
import { readLedger, writeLedger } from './ledger.js';
import { refreshStatisticsAfter } from './statistics.js';
import type { LedgerTotals } from './ledger.js';
import { openReport } from './report.js';
import type { RefusedRow, RefusedRowsSink } from './report.js';

/** Progress of an import, after each committed batch. */
export interface ImportProgress {
  /** The last source line committed. */
  line: number;
  /** Rows read in this run. */
  rows: number;
  /** Records created so far (every run of this import id). */
  created: number;
  /** Rows refused so far (listed in the report). */
  refused: number;
  /** Duplicate rows skipped so far (`duplicates: 'skip'`). */
  skipped: number;
  /** Rows merged into existing records so far (`duplicates: 'merge'`). */
  merged: number;
  /** Bytes of the source read, and its size (0 when unknown: a stream). */
  bytes: number;
  /** The source's size in bytes (0 when unknown: a stream). */
  totalBytes: number;
  /** Time since this run started. */
  elapsedMs: number;
  /** Rows per second in this run. */
  rate: number;
  /** Seconds left, from bytes and rate (null when unknown). */
  etaSeconds: number | null;
}

/** Options of {@link importRecords}. */
export interface ImportRecordsOptions {
  /** The engine the rows go through (`createMany`: the same rules, duplicate guard and assignment as `create`). */
  engine: Engine;
  /** A file path or a readable stream. */
  source: string | Readable;
  /** `csv` or `jsonl` (default: from the file's extension). */
  format?: SourceFormat;
  /** The column mapping (see `docs/bulk.md`). */
  mapping: MappingInput;
  /**
   * Names this import in the store's ledger: running again with the same id resumes after the
   * last committed line (a finished import does nothing). Records without an id column get
   * `<importId>-L<line>` as id.
   */
  importId: string;
  /** The tenant to import into (default: the engine's). */
  tenantId?: string;
  /**
   * Who imports (history `actorId`; default `{ id: 'import:<importId>' }`, which an engine with
   * permissions refuses: pass a rep of the directory, or `engine.system` for a trusted job).
   */
  actor?: Actor;
  /** Reps whose `attributes.email` resolves owner e-mails (beside the mapping's `owners`). */
  directory?: Pick<Directory, 'listReps'>;
  /**
   * Refused rows go here: a file path (CSV for `.csv`, else JSON Lines; a resumed import keeps the
   * entries up to its checkpoint and drops the rest, so each refused row is listed once), or a sink.
   */
  report?: string | RefusedRowsSink;
  /** Source rows per `createMany` call (memory bound; default 2 000). Transactions are sized by `createMany`. */
  window?: number;
  /**
   * Items per transaction, as `createMany` takes it (default `'auto'`: sized to about 200 ms per
   * transaction, up to 1 000; the size learned in one window carries into the next).
   */
  batchSize?: number | 'auto';
  /** CSV delimiter (default `,`). */
  delimiter?: string;
  /** Called after each batch commits. */
  onProgress?: (p: ImportProgress) => void;
  /** Stop after this many source lines (tests and dry looks); the ledger records where it stopped. */
  maxLines?: number;
}

/** Outcome of {@link importRecords}: totals over every run of this import id. */
export interface ImportSummary extends LedgerTotals {
  /** The import id given. */
  importId: string;
  /** Whether this run resumed an earlier one. */
  resumed: boolean;
  /** Rows read in this run, and how long it took. */
  rows: number;
  /** How long this run took. */
  elapsedMs: number;
}

interface Pending {
  line: number;
  item: CreateManyItem;
}

const DUPLICATE = 'DUPLICATE';

/**
 * Imports a CSV or JSON Lines source into records of a blueprint.
 *
 * @example
 * ```ts
 * import { importRecords, openReport } from '@dealflow/bulk'
 * const summary = await importRecords({
 *   engine, source: 'leads.csv', importId: 'crm-2026-03',
 *   mapping: { blueprint: 'lead', timeZone: 'Europe/Berlin', fields: { name: 'Name', email: 'E-mail' }, owner: { column: 'Owner' } },
 *   report: openReport('refused.csv'),
 *   onProgress: (p) => console.log(p.line, p.rate),
 * })
 * console.log(summary.created, summary.refused)
 * ```
 */
export async function importRecords(options: ImportRecordsOptions): Promise<ImportSummary> {
  const { engine } = options;
  const tenantId = options.tenantId ?? engine.tenantId;
  if (typeof options.importId !== 'string' || !/^[\w.:-]{1,100}$/.test(options.importId)) {
    throw new DealflowError('INPUT_INVALID', `importRecords: importId must be 1–100 letters, digits, '.', ':', '_' or '-', got ${JSON.stringify(options.importId)}`);
  }
  const format = options.format ?? (typeof options.source === 'string' ? formatOf(options.source) : undefined);
  if (!format) throw new DealflowError('INPUT_INVALID', 'importRecords: give format (csv or jsonl); it cannot be told from the source');
  const blueprint = engine.blueprint(typeof options.mapping?.blueprint === 'string' ? options.mapping.blueprint : '');
  const mapping: Mapping = parseMapping(options.mapping, blueprint);
  const owners = new Map<string, string>();
  for (const [email, rep] of Object.entries(mapping.owners ?? {})) owners.set(email.toLowerCase(), rep);
  if (options.directory) {
    for (const rep of await options.directory.listReps()) {
      const email = rep.attributes?.email;
      if (typeof email === 'string' && !owners.has(email.toLowerCase())) owners.set(email.toLowerCase(), rep.id);
    }
  }
  const actor: Actor = options.actor ?? { id: `import:${options.importId}` };
  const window = options.window ?? 2000;
  if (options.batchSize !== undefined && options.batchSize !== 'auto' && typeof options.batchSize !== 'number') {
    throw new DealflowError('INPUT_INVALID', `importRecords: batchSize must be 'auto' or an integer 1…1000, got ${JSON.stringify(options.batchSize)}`);
  }
  // 'auto': one sizer for the whole import, so each window starts at the size the last one reached
  const batchSize = typeof options.batchSize === 'number' ? options.batchSize : createBatchSizer();
  const start = await readLedger(engine.storage, tenantId, options.importId);
  const report: RefusedRowsSink | undefined = typeof options.report === 'string' ? openReport(options.report, { resumeAfter: start.line }) : options.report;
  const totals: LedgerTotals = { ...start };
  const totalBytes = typeof options.source === 'string' ? statSync(options.source).size : 0;
  const started = performance.now();
  let rows = 0;
  let bytes = 0;

  /** Reports the windows committed so far: the rows and bytes read up to the end of the last one. */
  const progress = (doneRows: number, doneBytes: number) => {
    if (!options.onProgress) return;
    const elapsedMs = performance.now() - started;
    const rate = doneRows / Math.max(elapsedMs / 1000, 1e-3);
    const bps = doneBytes / Math.max(elapsedMs / 1000, 1e-3);
    options.onProgress({
      line: totals.line, rows: doneRows, created: totals.created, refused: totals.refused, skipped: totals.skipped, merged: totals.merged,
      bytes: doneBytes, totalBytes, elapsedMs, rate, etaSeconds: totalBytes > 0 && bps > 0 ? Math.max(0, (totalBytes - doneBytes) / bps) : null,
    });
  };

  /**
   * Commits one window of source lines (firstLine, lastLine]: its items through createMany, its
   * refusals, the ledger. A batch's transaction may run more than once (a version conflict retries
   * it, a store failure splits it in halves) and only its last run commits, so what `withinBatch`
   * learns is kept by source line (a rerun replaces, never adds), the report gets each line once,
   * and the totals are read back from the ledger, which only committed runs wrote.
   */
  const commitWindow = async (firstLine: number, lastLine: number, items: Pending[], mapRefusals: RefusedRow[]) => {
    const byLine = (lo: number, hi: number) => mapRefusals.filter((r) => r.line > lo && r.line <= hi);
    const bound = (k: number) => (k === items.length ? lastLine : items[k]!.line - 1);
    const lower = (k: number) => (k === 0 ? firstLine : items[k]!.line - 1);
    /** Rows to merge once the window's batches are in, by line. */
    const merges = new Map<number, Pending>();
    /** Refusals after the window's first merge row: reported and counted with the merges, by line. */
    const afterMerge = new Map<number, RefusedRow>();
    /** Lines of this window already in the report (by a run of a batch that may have rolled back). */
    const reported = new Set<number>();
    const toReport = (rows: readonly RefusedRow[]) => {
      const fresh = rows.filter((r) => !reported.has(r.line));
      for (const r of fresh) reported.add(r.line);
      if (fresh.length > 0) report?.add(fresh);
    };
    if (items.length === 0) {
      await engine.storage.transaction(tenantId, async (tx) => {
        toReport(mapRefusals);
        await writeLedger(tx, options.importId, lastLine, { created: 0, refused: mapRefusals.length, skipped: 0, merged: 0 });
      });
      Object.assign(totals, await readLedger(engine.storage, tenantId, options.importId));
      return;
    }
    await engine.createMany(mapping.blueprint, items.map((p) => p.item), {
      actor, tenantId, batchSize,
      withinBatch: async (tx: StorageTx, b: { from: number; to: number; results: readonly CreateManyResult[] }) => {
        // a rerun of this batch replaces what an earlier run of it found
        for (let i = b.from; i < b.to; i++) {
          merges.delete(items[i]!.line);
          afterMerge.delete(items[i]!.line);
        }
        const refused: RefusedRow[] = byLine(lower(b.from), bound(b.to));
        let created = 0;
        let skipped = 0;
        for (const r of b.results) {
          const p = items[r.index]!;
          if (r.ok) {
            created++;
            continue;
          }
          const dup = r.error.code === DUPLICATE ? ((r.error.details ?? {}) as { recordId?: string; existingRecordId?: string }) : undefined;
          if (dup && mapping.id === undefined && dup.existingRecordId === undefined && dup.recordId === p.item.id) {
            // this import's own id is taken (not the duplicate guard, which names an existing record): an earlier run committed the row
            skipped++;
            continue;
          }
          if (dup && mapping.duplicates === 'skip') skipped++;
          else if (dup?.existingRecordId && mapping.duplicates === 'merge') {
            merges.set(p.line, p);
          } else refused.push({ line: p.line, code: r.error.code, reason: r.error.message });
        }
        // the checkpoint stops before the window's first row still to merge (merged after the batches)
        const firstMerge = merges.size > 0 ? Math.min(...merges.keys()) : Infinity;
        const checkpoint = Math.min(bound(b.to), firstMerge - 1);
        const kept = refused.filter((x) => x.line <= checkpoint);
        toReport(kept);
        await writeLedger(tx, options.importId, checkpoint, { created, refused: kept.length, skipped, merged: 0 });
        // rows after the first merge wait for the merges: they are reported with them
        for (const x of refused) if (x.line > checkpoint) afterMerge.set(x.line, x);
      },
    });
    if (merges.size > 0) {
      let merged = 0;
      for (const p of [...merges.values()].sort((x, y) => x.line - y.line)) {
        const input = { fields: p.item.fields ?? {}, ...(p.item.ownerId !== undefined ? { ownerId: p.item.ownerId } : {}) };
        try {
          const res = await engine.createOrMerge(mapping.blueprint, input, { actor, tenantId });
          if (res.merged) merged++;
        } catch (e) {
          if (!isDealflowError(e)) throw e;
          afterMerge.set(p.line, { line: p.line, code: e.code, reason: e.message });
        }
      }
      const late = [...afterMerge.values()].sort((x, y) => x.line - y.line);
      await engine.storage.transaction(tenantId, async (tx) => {
        toReport(late);
        await writeLedger(tx, options.importId, lastLine, { created: 0, refused: late.length, skipped: 0, merged });
      });
    }
    Object.assign(totals, await readLedger(engine.storage, tenantId, options.importId));
  };

  let items: Pending[] = [];
  let refusals: RefusedRow[] = [];
  let windowStart = start.line;
  let last = start.line;
  const context = { blueprint, owners };
  // The next window is read and mapped while the one before it commits (the store's round trips
  // leave the process idle); windows still commit one after another, in source order.
  let committing: Promise<void> | null = null;
  let commitError: { error: unknown } | null = null;
  const settle = async () => {
    if (committing) await committing;
    committing = null;
    if (commitError) throw commitError.error;
  };
  const startCommit = async (firstLine: number, lastLine: number, windowItems: Pending[], windowRefusals: RefusedRow[]) => {
    await settle();
    const [rowsDone, bytesDone] = [rows, bytes];
    committing = commitWindow(firstLine, lastLine, windowItems, windowRefusals)
      .then(() => progress(rowsDone, bytesDone))
      .catch((error: unknown) => {
        // the reader stops at its next row; the error is thrown once the import settles
        commitError = { error };
      });
  };
  /** Reads and maps the source, handing each full window to a commit. */
  const readWindows = async (): Promise<void> => {
    for await (const src of readSource(options.source, format, options.delimiter ? { delimiter: options.delimiter } : {})) {
      if (commitError) break;
      if (options.maxLines !== undefined && src.line > options.maxLines) break;
      bytes = src.bytes;
      if (src.line <= start.line) continue;
      rows++;
      last = src.line;
      if (src.row === null) refusals.push({ line: src.line, code: 'unreadable', reason: src.error ?? 'unreadable line' });
      else {
        try {
          const { item } = mapRow(src.row, mapping, context);
          item.id ??= `${options.importId}-L${src.line}`;
          items.push({ line: src.line, item });
        } catch (e) {
          if (!(e instanceof RowRefusal)) throw e;
          refusals.push({ line: src.line, code: e.code, reason: e.message, ...(e.column ? { column: e.column } : {}) });
        }
      }
      if (items.length + refusals.length >= window) {
        await startCommit(windowStart, last, items, refusals);
        windowStart = last;
        items = [];
        refusals = [];
      }
    }
    if (!commitError && items.length + refusals.length > 0) await startCommit(windowStart, last, items, refusals);
  };
  try {
    await readWindows();
  } finally {
    // a read that failed still lets the window in flight commit (its ledger entry stays true)
    if (committing) await committing;
  }
  await settle();
  await refreshStatisticsAfter(engine.storage, totals.created - start.created);
  return { importId: options.importId, ...totals, resumed: start.line > 0, rows, elapsedMs: performance.now() - started };
}
