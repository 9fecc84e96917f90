import { stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { defineProcess } from '@dealflow/core';
import type { ProcessDefinition } from '@dealflow/core';
import { inputError } from './errors.js';
import { loadBlueprintFile } from './load.js';
import type { JsonSyntaxProblem, LoadedBlueprint } from './load.js';

/** The process file names the CLI looks for when no file is given, in this order. */
export const PROCESS_FILE_NAMES = ['dealflow.config.json', 'dealflow.config.ts', 'dealflow.config.mjs', 'dealflow.config.js'] as const;

/** What {@link readProcessFile} read: the process, or where a file's JSON does not parse. */
export type ReadProcessResult =
  | {
      /** Every file was read and parsed. */
      ok: true;
      /** The process read (not yet checked: {@link loadProcessFile} checks it). */
      process: LoadedProcess;
    }
  | {
      /** A file is not valid JSON. */
      ok: false;
      /** Where and why. */
      syntax: JsonSyntaxProblem;
    };

/** A process file read from disk, blueprint files resolved. */
export interface LoadedProcess {
  /** The file as given (a process file, or a lone blueprint file read as a one-blueprint process). */
  file: string;
  /** `process` for a process file, `blueprint` for a lone blueprint file. */
  kind: 'process' | 'blueprint';
  /** The process JSON with every blueprint entry inline (what `defineProcess` takes). */
  json: {
    /** The blueprints, each inline (file references resolved). */
    blueprints: unknown[];
    /** Business calendars the blueprints and rules name. */
    calendars?: unknown[];
    /** Sales rules: assignment, escalations, pool, duplicates, approvals, permissions. */
    rules?: Record<string, unknown>;
  };
  /** Where each blueprint entry came from (its file and, for JSON, its text), in entry order. */
  sources: LoadedBlueprint[];
  /** The process file's JSON text (absent for a `.ts` file or a lone blueprint). */
  text?: string;
}

function isProcessJson(v: unknown): v is { blueprints: unknown[] } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Array.isArray((v as { blueprints?: unknown }).blueprints);
}

function specOf(v: unknown): unknown {
  return typeof v === 'object' && v !== null && 'spec' in v && 'machine' in v ? (v as { spec: unknown }).spec : v;
}

/** The process file of `dir` (the first of {@link PROCESS_FILE_NAMES} that exists), or undefined. */
export async function findProcessFile(dir: string): Promise<string | undefined> {
  for (const name of PROCESS_FILE_NAMES) {
    if (await stat(join(dir, name)).then((s) => s.isFile(), () => false)) return name;
  }
  return undefined;
}

/** The file a command reads: the one given, or the process file of `cwd`. */
export async function processFileArgument(path: string | undefined, cwd: string): Promise<string> {
  if (path) return path;
  const found = await findProcessFile(cwd);
  if (!found) throw inputError(`no file given and no ${PROCESS_FILE_NAMES.slice(0, 2).join(' or ')} in ${cwd}; run 'dealflow init' to create one`);
  return found;
}

/**
 * Reads a process file (`dealflow.config.json` or `.ts`) or a lone blueprint file, resolving
 * blueprint entries that are paths (relative to the process file). The result's `json` is what
 * `defineProcess` checks; `sources` say where each blueprint came from, for line numbers.
 * A JSON syntax error is returned, not thrown, so `validate` can report it with its position.
 */
export async function readProcessFile(path: string, cwd: string): Promise<ReadProcessResult> {
  const top = await loadBlueprintFile(path, cwd);
  if (!top.ok) return top;
  const loaded = top.blueprint;
  if (!isProcessJson(loaded.json)) {
    return { ok: true, process: { file: path, kind: 'blueprint', json: { blueprints: [loaded.json] }, sources: [loaded] } };
  }
  const base = dirname(resolve(cwd, path));
  const sources: LoadedBlueprint[] = [];
  const blueprints: unknown[] = [];
  for (const entry of loaded.json.blueprints) {
    if (typeof entry === 'string') {
      const shown = relative(cwd, resolve(base, entry)) || entry;
      const r = await loadBlueprintFile(resolve(base, entry), cwd);
      if (!r.ok) return { ok: false, syntax: { ...r.syntax, file: shown } };
      sources.push({ ...r.blueprint, file: shown });
      blueprints.push(specOf(r.blueprint.json));
    } else {
      sources.push({ file: path, json: specOf(entry) });
      blueprints.push(specOf(entry));
    }
  }
  const json = { ...(loaded.json as Record<string, unknown>), blueprints } as LoadedProcess['json'];
  return { ok: true, process: { file: path, kind: 'process', json, sources, ...(loaded.text !== undefined ? { text: loaded.text } : {}) } };
}

/** Like {@link readProcessFile}, but a syntax error throws one clear line. */
export async function requireProcessFile(path: string, cwd: string): Promise<LoadedProcess> {
  const r = await readProcessFile(path, cwd);
  if (!r.ok) {
    throw inputError(`${r.syntax.file}:${r.syntax.line}:${r.syntax.column}: invalid JSON: ${r.syntax.message}`, { ...r.syntax });
  }
  return r.process;
}

/**
 * Loads a process file for an app: blueprints, calendars and sales rules, checked by
 * `defineProcess` (the same checks `createEngine` runs), ready to spread into `createEngine`.
 *
 * @example
 * ```ts
 * import { createEngine, createMemoryStorage } from '@dealflow/core';
 * import { loadProcessFile } from '@dealflow/cli';
 * const engine = createEngine({ storage: createMemoryStorage(), ...(await loadProcessFile('dealflow/dealflow.config.json')) });
 * ```
 */
export async function loadProcessFile(path: string, options: { cwd?: string } = {}): Promise<ProcessDefinition> {
  const loaded = await requireProcessFile(path, options.cwd ?? process.cwd());
  return defineProcess(loaded.json);
}
