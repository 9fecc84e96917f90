import { readFile } from 'node:fs/promises';
import { resolve, extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inputError } from './errors.js';
import { parseJsonText } from './json-locate.js';
import { loadOptional } from './optional.js';

/** A blueprint read from a file: its JSON form and, for JSON files, the text (for line numbers). */
export interface LoadedBlueprint {
  /** The file's absolute path. */
  file: string;
  /** The blueprint as read (JSON, or a `.ts` file's default export), not yet checked. */
  json: unknown;
  /** The JSON text (absent for `.ts` files). */
  text?: string;
}

/** A JSON file that does not parse: where and why. */
export interface JsonSyntaxProblem {
  /** The file, as given. */
  file: string;
  /** 1-based line of the error. */
  line: number;
  /** 1-based column of the error. */
  column: number;
  /** What the parser expected or found. */
  message: string;
}

/** What {@link loadBlueprintFile} read: the blueprint, or where its JSON does not parse. */
export type LoadBlueprintResult =
  | {
      /** The file was read and parsed. */
      ok: true;
      /** The blueprint read. */
      blueprint: LoadedBlueprint;
    }
  | {
      /** The file is not valid JSON. */
      ok: false;
      /** Where and why. */
      syntax: JsonSyntaxProblem;
    };

/** Reads a text file; a missing or unreadable file is one clear `INPUT_INVALID` line. */
export async function readText(file: string, what = 'file', shown: string = file): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw inputError(`cannot read ${what} '${shown}': ${why}`, { file: shown }, e);
  }
}

function isBlueprintObject(v: unknown): v is { spec: unknown; machine: unknown } {
  return typeof v === 'object' && v !== null && 'spec' in v && 'machine' in v;
}

/**
 * Loads a blueprint file: `.json` (parsed, with line/column on a syntax error) or `.ts`/`.mts`/`.js`
 * (imported with tsx; the default export, or the only export, may be blueprint JSON or a
 * `defineBlueprint` result).
 */
export async function loadBlueprintFile(path: string, cwd: string): Promise<LoadBlueprintResult> {
  const file = resolve(cwd, path);
  const ext = extname(file).toLowerCase();
  if (ext === '.ts' || ext === '.mts' || ext === '.cts' || ext === '.js' || ext === '.mjs') {
    await readText(file, 'blueprint', path);
    let mod: Record<string, unknown>;
    try {
      const { tsImport } = await loadOptional('tsx/esm/api', () => import('tsx/esm/api'));
      mod = (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
    } catch (e) {
      throw inputError(`cannot load blueprint module '${path}': ${(e as Error).message.split('\n')[0]}`, { file }, e);
    }
    const candidates = 'default' in mod && mod.default !== undefined ? [mod.default] : Object.values(mod);
    const found = candidates.filter((v) => typeof v === 'object' && v !== null);
    if (found.length !== 1) {
      throw inputError(`blueprint module '${path}' must have a default export (or exactly one exported object); found ${found.length}`, { file });
    }
    const value = found[0]!;
    return { ok: true, blueprint: { file: path, json: isBlueprintObject(value) ? value.spec : value } };
  }
  const text = await readText(file, 'blueprint', path);
  const parsed = parseJsonText(text);
  if (!parsed.ok) return { ok: false, syntax: { file: path, line: parsed.line, column: parsed.column, message: parsed.message } };
  return { ok: true, blueprint: { file: path, json: parsed.value, text } };
}

/** Like {@link loadBlueprintFile}, but a syntax error throws one clear line. */
export async function requireBlueprintFile(path: string, cwd: string): Promise<LoadedBlueprint> {
  const r = await loadBlueprintFile(path, cwd);
  if (!r.ok) throw inputError(`${r.syntax.file}:${r.syntax.line}:${r.syntax.column}: invalid JSON: ${r.syntax.message}`, { ...r.syntax });
  return r.blueprint;
}
