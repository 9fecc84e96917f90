/**
 * Reading an import source as rows with their line numbers: CSV (parsed by `csv-parse`, quoted
 * fields over several lines included) or JSON Lines (one object a line). Streamed: memory does not
 * grow with the file.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { DealflowError } from '@dealflow/core';
import type { SourceRow } from './rows.js';

/** Source formats. */
export type SourceFormat = 'csv' | 'jsonl';

/** One row of a source: the line it starts on (1-based; the CSV header is line 1), the row, bytes read so far. */
export interface SourceItem {
  /** The source line the row ends on (a CSV row may span lines; the header is line 1). */
  line: number;
  /** The row, or null when the line could not be read as one. */
  row: SourceRow | null;
  /** Why the line could not be read as a row (bad JSON), when `row` is null. */
  error?: string;
  /** Bytes of the source read up to this row (for progress). */
  bytes: number;
}

/** Limits on one row, so a broken file cannot exhaust memory. */
export const MAX_ROW_BYTES = 1_000_000;

/** The format of a file by its extension (`.csv`, `.jsonl`, `.ndjson`), or undefined. */
export function formatOf(path: string): SourceFormat | undefined {
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  return undefined;
}

async function* csvRows(input: Readable, delimiter: string | undefined): AsyncGenerator<SourceItem> {
  const parser = input.pipe(parse({
    columns: (header: string[]) => header.map((h) => h.trim()),
    info: true,
    bom: true,
    skip_empty_lines: true,
    relax_column_count: false,
    max_record_size: MAX_ROW_BYTES,
    ...(delimiter ? { delimiter } : {}),
  }));
  input.on('error', (e) => parser.destroy(e));
  try {
    for await (const rec of parser as AsyncIterable<{ record: SourceRow; info: { lines: number; bytes: number; records: number } }>) {
      // info.lines is the line the record ends on; a record with quoted line breaks starts earlier
      yield { line: rec.info.lines, row: rec.record, bytes: rec.info.bytes };
    }
  } catch (e) {
    const err = e as { code?: string; message?: string; lines?: number };
    throw new DealflowError('DATA_INVALID', `CSV${err.lines ? ` line ${err.lines}` : ''}: ${err.message ?? String(e)}`, { cause: e });
  }
}

async function* jsonlRows(input: Readable): AsyncGenerator<SourceItem> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  let bytes = 0;
  for await (const text of lines) {
    line++;
    bytes += Buffer.byteLength(text) + 1;
    if (text.trim() === '') continue;
    if (text.length > MAX_ROW_BYTES) {
      yield { line, row: null, error: `line longer than ${MAX_ROW_BYTES} bytes`, bytes };
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      yield { line, row: null, error: `not JSON: ${(e as Error).message}`, bytes };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) yield { line, row: null, error: 'not a JSON object', bytes };
    else yield { line, row: value as SourceRow, bytes };
  }
}

/**
 * The rows of a file or stream.
 *
 * @example
 * ```ts
 * for await (const { line, row } of readSource('leads.csv', 'csv')) console.log(line, row)
 * ```
 */
export function readSource(source: string | Readable, format: SourceFormat, options: { delimiter?: string } = {}): AsyncGenerator<SourceItem> {
  const input = typeof source === 'string' ? createReadStream(source) : source;
  return format === 'csv' ? csvRows(input, options.delimiter) : jsonlRows(input);
}
