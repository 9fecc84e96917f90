import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { createEngine, isDealflowError } from '@dealflow/core';
import type { RecordQuery, SalesRulesInput, Storage } from '@dealflow/core';
import { DEFAULT_IMPORT_CONCURRENCY, exportRecords, importRecords, MAX_IMPORT_CONCURRENCY, restoreRecords } from '@dealflow/bulk';
import type { ExportWhat, ImportProgress, MappingInput } from '@dealflow/bulk';
import { inputError } from '../errors.js';
import type { CliIO, CliStream } from '../io.js';
import { line } from '../io.js';
import { readText } from '../load.js';
import { parseJsonText } from '../json-locate.js';
import { blueprintFromFile } from './blueprint.js';
import { connectionError, openStore } from './db.js';

/** Options of `dealflow import`. */
export interface ImportCommandOptions {
  db: string;
  schema?: string;
  blueprint?: string[];
  mapping?: string;
  rules?: string;
  importId?: string;
  tenant?: string;
  report?: string;
  format?: 'csv' | 'jsonl';
  delimiter?: string;
  /** Windows committing at once (1…8), as given on the command line. */
  concurrency?: string;
  restore?: boolean;
  progress?: boolean;
  json?: boolean;
}

async function readJsonFile<T>(path: string, cwd: string, what: string): Promise<T> {
  const text = await readText(resolve(cwd, path), what);
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw inputError(`${path}:${parsed.line}:${parsed.column}: invalid JSON: ${parsed.message}`, { file: path });
  return parsed.value as T;
}

function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * A progress display: a bar with rate and ETA on a terminal, else one line every `everyMs`
 * (logs of a job runner stay readable).
 */
export function progressDisplay(stream: CliStream, enabled: boolean, everyMs = 5000): { update(p: ImportProgress): void; stop(): void } {
  if (!enabled) return { update() {}, stop() {} };
  if (stream.isTTY === true) {
    const bar = new SingleBar({
      format: 'import [{bar}] {percentage}% | line {line} | {created} created, {refused} refused | {rate} rows/s | ETA {etaText}',
      stream: stream as NodeJS.WritableStream, hideCursor: true, etaBuffer: 20,
    }, Presets.shades_classic);
    let started = false;
    return {
      update(p) {
        const values = { line: p.line, created: p.created, refused: p.refused, rate: Math.round(p.rate), etaText: duration(p.etaSeconds) };
        if (!started) {
          bar.start(Math.max(p.totalBytes, 1), p.bytes, values);
          started = true;
        } else bar.update(p.bytes, values);
      },
      stop() { if (started) bar.stop(); },
    };
  }
  let last = 0;
  return {
    update(p) {
      const now = performance.now();
      if (now - last < everyMs) return;
      last = now;
      const pct = p.totalBytes > 0 ? ` ${((p.bytes / p.totalBytes) * 100).toFixed(1)}%` : '';
      line(stream, `import:${pct} line ${p.line}, ${p.created} created, ${p.refused} refused, ${p.skipped} skipped, ${Math.round(p.rate)} rows/s, ETA ${duration(p.etaSeconds)}`);
    },
    stop() {},
  };
}

/** `dealflow import <file> --db <url> --blueprint <file> --mapping <file>` (or `--restore` for a dealflow export). */
export async function importCommand(file: string, opts: ImportCommandOptions, io: CliIO): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const source = resolve(cwd, file);
  const importId = opts.importId ?? (file.replace(/^.*[\\/]/, '').replace(/[^\w.:-]/g, '_').slice(0, 100) || 'import');
  const tenantId = opts.tenant ?? 'default';
  if (!opts.restore && (!opts.mapping || !opts.blueprint || opts.blueprint.length === 0)) {
    throw inputError('import: give --mapping <file> and --blueprint <file> (or --restore for a dealflow export)');
  }
  const blueprints = opts.restore ? [] : await Promise.all(opts.blueprint!.map((b) => blueprintFromFile(b, cwd)));
  const mapping = opts.restore ? undefined : await readJsonFile<MappingInput>(opts.mapping!, cwd, 'mapping file');
  const rules = opts.rules ? await readJsonFile<SalesRulesInput>(opts.rules, cwd, 'rules file') : undefined;
  const report = opts.report ? resolve(cwd, opts.report) : undefined;
  const concurrency = opts.concurrency === undefined ? DEFAULT_IMPORT_CONCURRENCY : Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_IMPORT_CONCURRENCY) {
    throw inputError(`import: --concurrency must be an integer 1…${MAX_IMPORT_CONCURRENCY}, got '${opts.concurrency}'`);
  }
  let storage: Storage | undefined;
  const display = progressDisplay(io.stderr, opts.progress !== false && !opts.json);
  try {
    try {
      storage = await openStore(opts.db, cwd, { create: true, ...(opts.schema ? { schema: opts.schema } : {}), max: concurrency + 2 });
    } catch (e) {
      throw isDealflowError(e, 'INPUT_INVALID') ? e : connectionError(e, opts.db);
    }
    if (opts.restore) {
      const res = await restoreRecords({ storage, tenantId, source, importId, ...(report ? { report } : {}) as object, onProgress: (p) => display.update({ line: p.line, rows: p.line, created: p.restored, refused: p.refused, skipped: 0, merged: 0, bytes: 0, totalBytes: 0, elapsedMs: 0, rate: 0, etaSeconds: null }) });
      display.stop();
      if (opts.json) line(io.stdout, JSON.stringify({ importId, ...res }));
      else line(io.stdout, `restored ${res.restored} record(s), refused ${res.refused} line(s)${res.resumed ? ' (resumed)' : ''}`);
      return res.refused > 0 ? 1 : 0;
    }
    const engine = createEngine({ storage, blueprints, tenantId, ...(rules ? { rules } : {}) });
    const res = await importRecords({
      engine, source, mapping: mapping!, importId, tenantId,
      ...(report ? { report } : {}),
      ...(opts.format ? { format: opts.format } : {}),
      ...(opts.delimiter ? { delimiter: opts.delimiter } : {}),
      concurrency,
      onProgress: (p) => display.update(p),
    });
    display.stop();
    if (opts.json) line(io.stdout, JSON.stringify(res));
    else {
      line(io.stdout, `import '${importId}': ${res.created} created, ${res.refused} refused, ${res.skipped} skipped, ${res.merged} merged (to line ${res.line}${res.resumed ? ', resumed' : ''}) in ${(res.elapsedMs / 1000).toFixed(1)} s`);
      if (res.refused > 0 && report) line(io.stdout, `refused rows: ${opts.report}`);
    }
    return 0;
  } finally {
    display.stop();
    await storage?.close().catch(() => undefined);
  }
}

/** Options of `dealflow export`. */
export interface ExportCommandOptions {
  db: string;
  schema?: string;
  tenant?: string;
  what?: ExportWhat;
  format?: 'csv' | 'jsonl';
  out?: string;
  type?: string;
  stage?: string[];
  owner?: string;
  updatedFrom?: string;
  updatedTo?: string;
  field?: string[];
}

/** `dealflow export --db <url> [--what records|history|activities|dealflow] [--format csv|jsonl] [filters] [-o file]`. */
export async function exportCommand(opts: ExportCommandOptions, io: CliIO): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const query: Omit<RecordQuery, 'limit' | 'offset' | 'after' | 'order'> = {};
  if (opts.type) query.type = opts.type;
  if (opts.stage && opts.stage.length > 0) query.stage = opts.stage.length === 1 ? opts.stage[0]! : opts.stage;
  if (opts.owner !== undefined) query.ownerId = opts.owner === 'none' ? null : opts.owner;
  if (opts.updatedFrom) query.updatedFrom = new Date(opts.updatedFrom).toISOString();
  if (opts.updatedTo) query.updatedTo = new Date(opts.updatedTo).toISOString();
  for (const f of opts.field ?? []) {
    const eq = f.indexOf('=');
    if (eq < 1) throw inputError(`--field must be name=value, got '${f}'`);
    (query.fields ??= {})[f.slice(0, eq)] = f.slice(eq + 1);
  }
  let storage: Storage | undefined;
  try {
    try {
      storage = await openStore(opts.db, cwd, opts.schema ? { schema: opts.schema } : {});
    } catch (e) {
      throw isDealflowError(e, 'INPUT_INVALID') ? e : connectionError(e, opts.db);
    }
    const out = opts.out ? createWriteStream(resolve(cwd, opts.out)) : (io.stdout as unknown as NodeJS.WritableStream);
    const res = await exportRecords({ storage, tenantId: opts.tenant ?? 'default', out: out as never, query, what: opts.what ?? 'records', format: opts.format ?? 'jsonl' });
    if (opts.out) {
      await new Promise<void>((ok) => { (out as NodeJS.WritableStream).end(() => ok()); });
      line(io.stderr, `exported ${res.records} record(s), ${res.lines} line(s) to ${opts.out}`);
    }
    return 0;
  } finally {
    await storage?.close().catch(() => undefined);
  }
}
