import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { renderMermaid, renderSvg, toStatelyConfig } from '@dealflow/core';
import { inputError } from '../errors.js';
import type { CliIO } from '../io.js';
import { pickBlueprint, processFromFile } from './process.js';

/** Diagram formats of `dealflow diagram`. */
export const DIAGRAM_FORMATS = ['mermaid', 'svg', 'stately'] as const;

/**
 * `dealflow diagram [file] --format mermaid|svg|stately [--blueprint id] [--out file]`: a process
 * file's blueprint with its sales rules (approvals on the arrows, escalations as notes), or a
 * lone blueprint file.
 */
export async function diagramCommand(file: string | undefined, opts: { format: string; out?: string; blueprint?: string }, io: CliIO): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  if (!(DIAGRAM_FORMATS as readonly string[]).includes(opts.format)) {
    throw inputError(`unknown diagram format '${opts.format}'; use one of: ${DIAGRAM_FORMATS.join(', ')}`);
  }
  const proc = await processFromFile(file, cwd);
  const bp = pickBlueprint(proc, opts.blueprint);
  const text =
    opts.format === 'mermaid' ? renderMermaid(bp, { rules: proc.rules }) : opts.format === 'svg' ? renderSvg(bp, { rules: proc.rules }) : `${JSON.stringify(toStatelyConfig(bp), null, 2)}\n`;
  if (opts.out) {
    await writeFile(resolve(cwd, opts.out), text);
    io.stderr.write(`wrote ${opts.out}\n`);
  } else io.stdout.write(text);
  return 0;
}
