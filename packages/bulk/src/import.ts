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
import { markAhead, readLedger, readPosition, windowOf, writeCheckpoint, writeWindow } from './ledger.js';
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
  /**
   * Source lines per window, one `createMany` call each (memory bound; default 2 000, at most
   * 100 000). Transactions are sized by `createMany`. A resumed import keeps its first run's window.
   */
  window?: number;
  /**
   * Windows committing at once, each on its own store transactions (default 4, at most 8): on
   * PostgreSQL one window's rows are computed while others are written and committed. Windows may then
   * finish out of order; the ledger keeps each one's progress, so a resume neither skips nor repeats
   * a row, and a report file is put back in line order when the import ends. 1 commits one window
   * after another.
   */
  concurrency?: number;
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

/** Most windows an import commits at once. */
export const MAX_IMPORT_CONCURRENCY = 8;
/** Windows an import commits at once unless told otherwise. */
export const DEFAULT_IMPORT_CONCURRENCY = 4;

/** Outcome of {@link importRecords}: totals over every run of this import id. */
export interface ImportSummary extends LedgerTotals {
  /** The import id given. */
  importId: string;
  /** Whether this run resumed an earlier one (one that had begun, whatever it committed). */
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
  const wanted = options.window ?? 2000;
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > 100_000) {
    throw new DealflowError('INPUT_INVALID', `importRecords: window must be an integer 1…100000, got ${JSON.stringify(options.window)}`);
  }
  const concurrency = options.concurrency ?? DEFAULT_IMPORT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_IMPORT_CONCURRENCY) {
    throw new DealflowError('INPUT_INVALID', `importRecords: concurrency must be an integer 1…${MAX_IMPORT_CONCURRENCY}, got ${JSON.stringify(options.concurrency)}`);
  }
  if (options.batchSize !== undefined && options.batchSize !== 'auto' && typeof options.batchSize !== 'number') {
    throw new DealflowError('INPUT_INVALID', `importRecords: batchSize must be 'auto' or an integer 1…1000, got ${JSON.stringify(options.batchSize)}`);
  }
  // 'auto': one sizer for the whole import, so each window starts at the size the last one reached
  const batchSize = typeof options.batchSize === 'number' ? options.batchSize : createBatchSizer();
  const start = await readPosition(engine.storage, tenantId, options.importId, wanted);
  const window = start.window;
  const report: RefusedRowsSink | undefined = typeof options.report === 'string' ? openReport(options.report, { keep: start.done }) : options.report;
  const totals: LedgerTotals = { line: start.line, created: start.created, refused: start.refused, skipped: start.skipped, merged: start.merged };
  const totalBytes = typeof options.source === 'string' ? statSync(options.source).size : 0;
  const started = performance.now();
  let rows = 0;
  let bytes = 0;

  /** Reports the windows committed so far: the rows they hold and the bytes read up to the checkpoint. */
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
  const readTotals = async () => {
    const t = await readLedger(engine.storage, tenantId, options.importId);
    Object.assign(totals, { created: t.created, refused: t.refused, skipped: t.skipped, merged: t.merged });
  };

  /**
   * Commits window `k` of source lines: its items through createMany, its refusals, its ledger
   * entry. A batch's transaction may run more than once (a version conflict retries it, a store
   * failure splits it in halves) and only its last run commits, so what `withinBatch` learns is
   * kept by source line (a rerun replaces, never adds), the report gets each line once, and the
   * totals are read back from the ledger, which only committed runs wrote.
   */
  const commitWindow = async (k: number, lastLine: number, items: Pending[], mapRefusals: RefusedRow[]) => {
    const firstLine = k * window;
    const byLine = (lo: number, hi: number) => mapRefusals.filter((r) => r.line > lo && r.line <= hi);
    const bound = (i: number) => (i === items.length ? lastLine : items[i]!.line - 1);
    const lower = (i: number) => (i === 0 ? firstLine : items[i]!.line - 1);
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
        await writeWindow(tx, options.importId, k, lastLine, { created: 0, refused: mapRefusals.length, skipped: 0, merged: 0 });
      });
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
        // the window's mark stops before its first row still to merge (merged after the batches)
        const firstMerge = merges.size > 0 ? Math.min(...merges.keys()) : Infinity;
        const reached = Math.min(bound(b.to), firstMerge - 1);
        const kept = refused.filter((x) => x.line <= reached);
        toReport(kept);
        await writeWindow(tx, options.importId, k, reached, { created, refused: kept.length, skipped, merged: 0 });
        // rows after the first merge wait for the merges: they are reported with them
        for (const x of refused) if (x.line > reached) afterMerge.set(x.line, x);
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
        await writeWindow(tx, options.importId, k, lastLine, { created: 0, refused: late.length, skipped: 0, merged });
      });
    }
  };

  // Windows in the order they started; the head ones that are done move the checkpoint.
  interface Started { k: number; lastLine: number; rows: number; bytes: number; done: boolean }
  const order: Started[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  let checkpointing: Promise<void> = Promise.resolve();
  let rowsDone = 0;
  let bytesDone = 0;
  /** A window is in: the checkpoint moves over the finished windows at the head, then progress is told. */
  const finished = async (w: Started) => {
    w.done = true;
    rowsDone += w.rows;
    let line = 0;
    while (order.length > 0 && order[0]!.done) {
      const head = order.shift()!;
      line = head.lastLine;
      bytesDone = head.bytes;
    }
    if (line > 0) {
      checkpointing = checkpointing.then(() => writeCheckpoint(engine.storage, tenantId, options.importId, line)).then(() => {
        totals.line = Math.max(totals.line, line);
      });
      await checkpointing;
    }
    await readTotals();
    progress(rowsDone, bytesDone);
  };
  /** Starts window `k` once fewer than `concurrency` windows commit (and the head is not too far behind). */
  const startWindow = async (k: number, lastLine: number, windowItems: Pending[], windowRefusals: RefusedRow[]) => {
    while (!failure && (inFlight.size >= concurrency || order.length >= 4 * concurrency)) await Promise.race(inFlight);
    if (failure) return;
    // the ledger learns of the window before any of its batches commit, so a resume looks at it
    await markAhead(engine.storage, tenantId, options.importId, k);
    const w: Started = { k, lastLine, rows: windowItems.length + windowRefusals.length, bytes, done: false };
    order.push(w);
    const run: Promise<void> = commitWindow(k, lastLine, windowItems, windowRefusals)
      .then(() => finished(w))
      .catch((error: unknown) => {
        // the reader stops at its next row; the error is thrown once every window in flight is in
        failure ??= { error };
      })
      .finally(() => inFlight.delete(run));
    inFlight.add(run);
  };

  let items: Pending[] = [];
  let refusals: RefusedRow[] = [];
  let current = -1;
  let last = start.line;
  /** The last source line read (done in an earlier run or not). */
  let seen = start.line;
  const context = { blueprint, owners };
  /** Reads and maps the source, handing each window to a commit once its last line is read. */
  const readWindows = async (): Promise<void> => {
    for await (const src of readSource(options.source, format, options.delimiter ? { delimiter: options.delimiter } : {})) {
      if (failure) break;
      if (options.maxLines !== undefined && src.line > options.maxLines) break;
      bytes = src.bytes;
      seen = src.line;
      if (start.done(src.line)) continue;
      const k = windowOf(src.line, window);
      if (k !== current) {
        if (items.length + refusals.length > 0) await startWindow(current, last, items, refusals);
        items = [];
        refusals = [];
        current = k;
      }
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
    }
    if (!failure && items.length + refusals.length > 0) await startWindow(current, last, items, refusals);
  };
  try {
    await readWindows();
  } finally {
    // a read that failed still lets the windows in flight commit (their ledger entries stay true)
    while (inFlight.size > 0) await Promise.race(inFlight);
    await checkpointing.catch(() => undefined);
  }
  const failed = failure as { error: unknown } | null;
  if (failed) throw failed.error;
  // every line read is in now, those an earlier run committed past its checkpoint too
  if (seen > totals.line) {
    await writeCheckpoint(engine.storage, tenantId, options.importId, seen);
    totals.line = seen;
  }
  await readTotals();
  report?.finish?.();
  await refreshStatisticsAfter(engine.storage, totals.created - start.created);
  return { importId: options.importId, ...totals, resumed: start.begun, rows, elapsedMs: performance.now() - started };
}
