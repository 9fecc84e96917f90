/**
 * The report of refused rows: one entry per refused source row with its line number, a code and
 * the reason (and the column when one is to blame). CSV (`.csv`) or JSON Lines (anything else).
 * Entries of a batch are written before the batch commits; a resumed import first drops the entries
 * of lines the ledger does not hold as done, so the report ends up with each refused row exactly
 * once. Windows committing at once add their entries as they go; `finish` puts them in line order.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

/** One refused row. */
export interface RefusedRow {
  /** The source line the row ends on (the CSV header is line 1). */
  line: number;
  /** Why, as a code: a row code (`invalid_number`, `unknown_owner`, …) or the engine's (`DUPLICATE`, `INPUT_INVALID`, …). */
  code: string;
  /** Why, in words, naming the column and the value. */
  reason: string;
  /** The source column at fault, when one is. */
  column?: string;
}

const HEADER = ['line', 'code', 'column', 'reason'];

/** Where refused rows go: a file, a callback, or both. */
export interface RefusedRowsSink {
  /** Adds entries (called before their batch commits; `importRecords` adds each source line at most once per run). */
  add(rows: readonly RefusedRow[]): void;
  /** Called once when the import has ended well (a report file sorts its entries by line). */
  finish?(): void;
}

/** Which entries of an earlier run's report a resumed import keeps. */
export interface OpenReportOptions {
  /** Keep the entries up to this line (the ledger's checkpoint of a one-window-at-a-time import). */
  resumeAfter?: number;
  /** Keep the entries of the lines this says are done (what `importRecords` passes: the ledger's view). */
  keep?: (line: number) => boolean;
}

/**
 * A report file. Without options it starts empty; `resumeAfter` or `keep` keep an earlier run's
 * entries of the lines already done and drop the rest.
 *
 * @example
 * ```ts
 * const report = openReport('refused.csv', { resumeAfter: ledger.line })
 * ```
 */
export function openReport(path: string, options: OpenReportOptions = {}): RefusedRowsSink {
  const csv = /\.csv$/i.test(path);
  const upTo = options.resumeAfter ?? 0;
  const keep = (line: number) => line <= upTo || (options.keep?.(line) ?? false);
  const read = (): RefusedRow[] => {
    if (!existsSync(path)) return [];
    const text = readFileSync(path, 'utf8');
    return csv
      ? (parse(text, { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>).map((r) => ({ line: Number(r.line), code: r.code!, reason: r.reason!, ...(r.column ? { column: r.column } : {}) }))
      : text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as RefusedRow);
  };
  const render = (rows: readonly RefusedRow[]) =>
    csv ? stringify(rows.map((r) => [r.line, r.code, r.column ?? '', r.reason])) : rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  const rewrite = (rows: readonly RefusedRow[]) => writeFileSync(path, (csv ? stringify([HEADER]) : '') + render(rows));
  rewrite(upTo > 0 || options.keep ? read().filter((r) => keep(r.line)) : []);
  return {
    add(rows) {
      if (rows.length > 0) appendFileSync(path, render(rows));
    },
    finish() {
      const rows = read();
      if (rows.some((r, i) => i > 0 && r.line < rows[i - 1]!.line)) rewrite(rows.sort((a, b) => a.line - b.line));
    },
  };
}
