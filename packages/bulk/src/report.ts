/**
 * The report of refused rows: one entry per refused source row with its line number, a code and
 * the reason (and the column when one is to blame). CSV (`.csv`) or JSON Lines (anything else).
 * Entries of a batch are written before the batch commits; a resumed import first drops entries
 * past the ledger's checkpoint, so the report ends up with each refused row exactly once.
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
}

/**
 * A report file. `resumeAfter`: keep the entries up to that line from an earlier run, drop the rest.
 *
 * @example
 * ```ts
 * const report = openReport('refused.csv', { resumeAfter: ledger.line })
 * ```
 */
export function openReport(path: string, options: { resumeAfter?: number } = {}): RefusedRowsSink {
  const csv = /\.csv$/i.test(path);
  const keep = options.resumeAfter ?? 0;
  let kept: RefusedRow[] = [];
  if (keep > 0 && existsSync(path)) {
    const text = readFileSync(path, 'utf8');
    kept = csv
      ? (parse(text, { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>).map((r) => ({ line: Number(r.line), code: r.code!, reason: r.reason!, ...(r.column ? { column: r.column } : {}) }))
      : text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as RefusedRow);
    kept = kept.filter((r) => r.line <= keep);
  }
  const render = (rows: readonly RefusedRow[]) =>
    csv ? stringify(rows.map((r) => [r.line, r.code, r.column ?? '', r.reason])) : rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  writeFileSync(path, (csv ? stringify([HEADER]) : '') + render(kept));
  return {
    add(rows) {
      if (rows.length > 0) appendFileSync(path, render(rows));
    },
  };
}
