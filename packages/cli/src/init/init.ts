import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { inputError } from '../errors.js';
import { parseJsonText } from '../json-locate.js';
import { blueprintTemplate, processTemplate, scenarioTemplate, testTemplate } from './templates.js';

/** What {@link initProcess} wrote (paths relative to the project). */
export interface InitResult {
  /** The project folder (the nearest folder with a package.json, else the working directory). */
  project: string;
  /** Files created (or overwritten with `force`), relative to the project folder. */
  written: string[];
  /** Files left as they were (already there; `force` overwrites them). */
  skipped: string[];
}

const exists = (p: string) => stat(p).then(() => true, () => false);

async function projectRoot(from: string): Promise<string> {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (await exists(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return resolve(from);
  }
}

/** A `$schema` path from `folder` to a file of `@dealflow/core` in the project's node_modules. */
function schemaPath(folder: string, project: string, file: string): string {
  const rel = relative(folder, join(project, 'node_modules', '@dealflow', 'core', file)).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** Adds the JSON Schema mappings to `.vscode/settings.json`, keeping what is there. */
async function editorSettings(project: string, folder: string): Promise<{ file: string; changed: boolean }> {
  const file = join(project, '.vscode', 'settings.json');
  let settings: Record<string, unknown> = {};
  if (await exists(file)) {
    const parsed = parseJsonText(await readFile(file, 'utf8'));
    // a settings file with comments is not touched: say what to add instead
    if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) return { file, changed: false };
    settings = parsed.value as Record<string, unknown>;
  }
  const rel = relative(project, folder).split(sep).join('/') || '.';
  const mappings = [
    { fileMatch: [`${rel}/*.blueprint.json`], url: './node_modules/@dealflow/core/blueprint.schema.json' },
    { fileMatch: [`${rel}/dealflow.config.json`], url: './node_modules/@dealflow/core/process.schema.json' },
  ];
  const current = Array.isArray(settings['json.schemas']) ? (settings['json.schemas'] as Array<{ fileMatch?: string[] }>) : [];
  const missing = mappings.filter((m) => !current.some((c) => JSON.stringify(c.fileMatch) === JSON.stringify(m.fileMatch)));
  if (missing.length === 0) return { file, changed: false };
  settings['json.schemas'] = [...current, ...missing];
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(settings, null, 2)}\n`);
  return { file, changed: true };
}

/**
 * Creates a process folder: `dealflow.config.json` (blueprints, calendars, sales rules), a
 * starter blueprint whose `$schema` resolves from this project's node_modules, a simulation
 * scenario, a vitest test using `testBlueprint`, and the editor setting that gives completion
 * in both files (`.vscode/settings.json` → `json.schemas`). Existing files are kept unless
 * `force`.
 *
 * @example
 * ```ts
 * import { initProcess } from '@dealflow/cli';
 * const { written } = await initProcess('dealflow', { cwd: process.cwd() });
 * console.log(written); // ['dealflow/dealflow.config.json', 'dealflow/deal.blueprint.json', …]
 * ```
 */
export async function initProcess(dir: string, options: { cwd?: string; force?: boolean } = {}): Promise<InitResult> {
  const cwd = options.cwd ?? process.cwd();
  const folder = resolve(cwd, dir);
  if ((await exists(folder)) && !(await stat(folder)).isDirectory()) throw inputError(`init: '${dir}' exists and is not a folder`);
  const project = await projectRoot(cwd);
  await mkdir(folder, { recursive: true });
  const files: Array<[string, string]> = [
    ['dealflow.config.json', processTemplate(schemaPath(folder, project, 'process.schema.json'))],
    ['deal.blueprint.json', blueprintTemplate(schemaPath(folder, project, 'blueprint.schema.json'))],
    ['scenario.json', scenarioTemplate()],
    ['deal.test.ts', testTemplate()],
  ];
  const written: string[] = [];
  const skipped: string[] = [];
  const shown = (p: string) => relative(cwd, p).split(sep).join('/') || '.';
  for (const [name, text] of files) {
    const path = join(folder, name);
    if (!options.force && (await exists(path))) {
      skipped.push(shown(path));
      continue;
    }
    await writeFile(path, text);
    written.push(shown(path));
  }
  const editor = await editorSettings(project, folder);
  if (editor.changed) written.push(shown(editor.file));
  return { project, written, skipped };
}
