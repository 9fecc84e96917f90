import * as core from '@dealflow/core';
import { blueprintSchema, defineBlueprint, defineProcess, isDealflowError } from '@dealflow/core';
import type { Problem } from '@dealflow/core';
import { jsonPathOffsets, lineColumn, locate, valueAt } from './json-locate.js';
import { readProcessFile } from './process.js';

/** One problem of a blueprint file, located. */
export interface ValidationProblem {
  /** The file the problem is in (a process file, or the blueprint file it names). */
  file: string;
  /** 1-based line of the offending value (JSON files only). */
  line?: number;
  /** 1-based column of the offending value (JSON files only). */
  column?: number;
  /** JSON path, e.g. `$.transitions[2].to`. */
  path: string;
  /** `error` makes the file invalid; `warning` and `info` are lint findings. */
  severity: 'error' | 'warning' | 'info';
  /** A stable code (`unknown_stage`, `unreachable_stage`, `invalid_type`, …). */
  code: string;
  /** What is wrong, naming the stage, rule path or field. */
  message: string;
  /** The offending value, when there is one. */
  value?: unknown;
  /** How to fix it (a did-you-mean, the allowed values), when there is one. */
  hint?: string;
}

/** Result of {@link validateBlueprintFile}. */
export interface ValidationReport {
  /** The file validated, as given. */
  file: string;
  /** True when there is no error (warnings allowed). */
  valid: boolean;
  /** Whether static analysis (`lintBlueprint`) ran besides `defineBlueprint`'s checks. */
  linted: boolean;
  /** Problems of severity `error`. */
  errors: number;
  /** Problems of severity `warning`. */
  warnings: number;
  /** Every problem, root causes first. */
  problems: ValidationProblem[];
}

/**
 * A copy of `json` without the object properties the zod schema rejects (a missing required
 * property drops its parent object), or undefined when that does not lead to a document the
 * schema accepts (e.g. a bad array element, whose removal would shift later paths).
 */
function pruneSchemaErrors(json: unknown): unknown {
  let doc: unknown = structuredClone(json);
  for (let round = 0; round < 20; round++) {
    const r = blueprintSchema.safeParse(doc);
    if (r.success) return doc;
    for (const issue of r.error.issues) {
      let path = issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k));
      const missing = issue.code === 'invalid_type' && valueAt(doc, toJsonPath(path)) === undefined;
      if (missing) path = path.slice(0, -1);
      const last = path[path.length - 1];
      if (path.length === 0 || typeof last === 'number') return undefined;
      const parent = valueAt(doc, toJsonPath(path.slice(0, -1)));
      if (typeof parent !== 'object' || parent === null || Array.isArray(parent)) return undefined;
      if (issue.code === 'unrecognized_keys') {
        for (const k of (issue as { keys?: string[] }).keys ?? []) delete (valueAt(doc, toJsonPath(path)) as Record<string, unknown>)[k];
      } else delete (parent as Record<string, unknown>)[String(last)];
    }
  }
  doc = undefined;
  return doc;
}

function toJsonPath(path: ReadonlyArray<string | number>): string {
  let p = '$';
  for (const k of path) p += typeof k === 'number' ? `[${k}]` : `.${k}`;
  return p;
}

type Lint = (blueprint: unknown) => Array<{ severity: 'error' | 'warning' | 'info'; code: string; path: string; message: string; hint?: string }>;

/** `lintBlueprint` from @dealflow/core when this version has it. */
function lintFunction(): Lint | undefined {
  const fn = (core as Record<string, unknown>).lintBlueprint;
  return typeof fn === 'function' ? (fn as Lint) : undefined;
}

type Found = Problem & { severity: 'error' | 'warning' | 'info' };

/** Every problem of one blueprint's JSON: the schema, cross-references, rules, and lint findings. */
function blueprintProblems(json: unknown): { found: Found[]; linted: boolean } {
  const found: Found[] = [];
  try {
    defineBlueprint(json);
  } catch (e) {
    if (!isDealflowError(e, 'BLUEPRINT_INVALID')) throw e;
    found.push(...e.problems.map((p) => ({ ...p, severity: 'error' as const })));
    // Schema errors stop defineBlueprint before its cross-reference checks: drop the offending
    // parts and check the rest too, so one run reports every problem.
    const pruned = pruneSchemaErrors(json);
    if (pruned !== undefined) {
      try {
        defineBlueprint(pruned);
      } catch (e2) {
        if (isDealflowError(e2, 'BLUEPRINT_INVALID')) {
          const seen = new Set(found.map((p) => p.path));
          for (const p of e2.problems) if (!seen.has(p.path) && !found.some((f) => p.path.startsWith(`${f.path}.`) || p.path.startsWith(`${f.path}[`))) found.push({ ...p, severity: 'error' });
        }
      }
    }
  }
  const lint = lintFunction();
  if (lint) {
    const seen = new Set(found.map((p) => `${p.path}\u0000${p.message}`));
    for (const f of lint(json)) {
      const k = `${f.path}\u0000${f.message}`;
      if (seen.has(k)) continue;
      seen.add(k);
      found.push({ path: f.path, code: f.code, message: f.message, severity: f.severity, ...(f.hint ? { hint: f.hint } : {}) });
    }
  }
  return { found, linted: lint !== undefined };
}

/** Problems placed in their file: line and column from the JSON text, and the offending value. */
function located(found: Found[], file: string, json: unknown, text: string | undefined): ValidationProblem[] {
  const offsets = text !== undefined ? jsonPathOffsets(text) : undefined;
  return found.map((p) => {
    const at = offsets && p.path.startsWith('$') ? locate(offsets, p.path) : undefined;
    const lc = at !== undefined && text !== undefined ? lineColumn(text, at) : undefined;
    const value = p.value !== undefined ? p.value : p.path.startsWith('$') && p.path !== '$' ? valueAt(json, p.path) : undefined;
    return {
      file,
      ...(lc ? { line: lc.line, column: lc.column } : {}),
      path: p.path,
      severity: p.severity,
      code: p.code ?? 'invalid',
      message: p.message,
      ...(value !== undefined ? { value } : {}),
      ...(p.hint ? { hint: p.hint } : {}),
    };
  });
}

/**
 * Validates a process file (`dealflow.config.json` or `.ts`: blueprints, calendars, sales rules)
 * or a lone blueprint file (JSON or TS). Each blueprint gets the zod schema, cross-references and
 * rules (`defineBlueprint`) and static analysis (`lintBlueprint`); then the whole process gets
 * `defineProcess`, which runs every check `createEngine` runs (calendars, convert targets, sales
 * rules): a file that passes here starts an engine. Reports every problem at once, each with its
 * file, line, JSON path, offending value and hint.
 *
 * @example
 * ```ts
 * import { validateBlueprintFile } from '@dealflow/cli';
 * const report = await validateBlueprintFile('dealflow.config.json');
 * if (!report.valid) for (const p of report.problems) console.log(p.file, p.line, p.path, p.message, p.hint);
 * ```
 */
export async function validateBlueprintFile(path: string, options: { cwd?: string } = {}): Promise<ValidationReport> {
  const loaded = await readProcessFile(path, options.cwd ?? process.cwd());
  if (!loaded.ok) {
    const s = loaded.syntax;
    return {
      file: s.file,
      valid: false,
      linted: false,
      errors: 1,
      warnings: 0,
      problems: [{ file: s.file, line: s.line, column: s.column, path: '$', severity: 'error', code: 'invalid_json', message: `invalid JSON: ${s.message}` }],
    };
  }
  const proc = loaded.process;
  const problems: ValidationProblem[] = [];
  let linted = false;
  const perSource = proc.sources.map((src, i) => {
    const r = blueprintProblems(proc.json.blueprints[i]);
    linted ||= r.linted;
    return r.found;
  });
  // the process as createEngine sees it: calendars, convert targets, sales rules
  try {
    defineProcess(proc.json);
  } catch (e) {
    if (!isDealflowError(e) || e.problems.length === 0) throw e;
    for (const p of e.problems) {
      const m = /^\$\.blueprints\[(\d+)\](.*)$/.exec(p.path);
      if (m && proc.kind === 'process' && proc.sources[Number(m[1])]?.file !== proc.file) {
        // a problem inside a blueprint file: reported there, unless the blueprint's own check found it
        const i = Number(m[1]);
        const rest = `$${m[2]}`;
        if (!perSource[i]!.some((f) => f.path === rest)) perSource[i]!.push({ ...p, path: rest, severity: 'error' });
      } else if (m && proc.kind === 'blueprint') {
        const rest = `$${m[2]}`;
        if (!perSource[0]!.some((f) => f.path === rest)) perSource[0]!.push({ ...p, path: rest, severity: 'error' });
      } else if (m) {
        const i = Number(m[1]);
        const rest = `$${m[2]}`;
        if (!perSource[i]!.some((f) => f.path === rest)) problems.push(...located([{ ...p, severity: 'error' }], proc.file, proc.json, proc.text));
      } else problems.push(...located([{ ...p, severity: 'error' }], proc.file, proc.json, proc.text));
    }
  }
  proc.sources.forEach((src, i) => {
    const inline = proc.kind === 'process' && src.file === proc.file;
    // an inline blueprint's paths are under $.blueprints[i] of the process file
    const found = inline ? perSource[i]!.map((p) => ({ ...p, path: p.path.startsWith('$') ? `$.blueprints[${i}]${p.path.slice(1)}` : p.path })) : perSource[i]!;
    problems.push(...located(found, inline ? proc.file : src.file, inline ? proc.json : src.json, inline ? proc.text : src.text));
  });
  const rank = { error: 0, warning: 1, info: 2 } as const;
  // root causes first: a stage left unreachable by a wrong `to` comes after the wrong `to`
  const consequence = (p: ValidationProblem) => (p.code === 'unreachable_stage' && problems.some((q) => q.severity === 'error' && q.code !== 'unreachable_stage') ? 1 : 0);
  problems.sort((a, b) => rank[a.severity] - rank[b.severity] || consequence(a) - consequence(b) || a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
  const errors = problems.filter((p) => p.severity === 'error').length;
  return { file: proc.file, valid: errors === 0, linted, errors, warnings: problems.filter((p) => p.severity === 'warning').length, problems };
}

function short(value: unknown): string {
  const s = JSON.stringify(value);
  if (s === undefined) return String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Human-readable report: `file:line:col  error  path  message (value)` then `hint: …`. */
export function formatValidation(report: ValidationReport): string {
  const out: string[] = [];
  for (const p of report.problems) {
    const where = `${p.file}${p.line !== undefined ? `:${p.line}:${p.column}` : ''}`;
    out.push(`${where}  ${p.severity}  ${p.path}  ${p.message}${p.value !== undefined && typeof p.value !== 'object' ? ` (value: ${short(p.value)})` : ''}  [${p.code}]`);
    if (p.value !== undefined && typeof p.value === 'object') out.push(`    value: ${short(p.value)}`);
    if (p.hint) out.push(`    hint: ${p.hint}`);
  }
  const infos = report.problems.length - report.errors - report.warnings;
  const counts = `${report.errors} error(s), ${report.warnings} warning(s)${infos > 0 ? `, ${infos} note(s)` : ''}`;
  out.push(report.valid ? `✔ ${report.file} is valid${report.problems.length > 0 ? ` (${counts})` : ''}` : `✖ ${report.file}: ${counts}`);
  return `${out.join('\n')}\n`;
}
