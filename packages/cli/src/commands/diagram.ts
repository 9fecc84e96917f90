import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { renderMermaid, renderSvg, toStatelyConfig } from '@dealflow/core';
import { inputError } from '../errors.js';
import type { CliIO } from '../io.js';
import { blueprintFromFile } from './blueprint.js';

/** Diagram formats of `dealflow diagram`. */
export const DIAGRAM_FORMATS = ['mermaid', 'svg', 'stately'] as const;

/** `dealflow diagram <blueprint> --format mermaid|svg|stately [--out file]`. */
export async function diagramCommand(file: string, opts: { format: string; out?: string }, io: CliIO): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  if (!(DIAGRAM_FORMATS as readonly string[]).includes(opts.format)) {
    throw inputError(`unknown diagram format '${opts.format}'; use one of: ${DIAGRAM_FORMATS.join(', ')}`);
  }
  const bp = await blueprintFromFile(file, cwd);
  const text = opts.format === 'mermaid' ? renderMermaid(bp) : opts.format === 'svg' ? renderSvg(bp) : `${JSON.stringify(toStatelyConfig(bp), null, 2)}\n`;
  if (opts.out) {
    await writeFile(resolve(cwd, opts.out), text);
    io.stderr.write(`wrote ${opts.out}\n`);
  } else io.stdout.write(text);
  return 0;
}
