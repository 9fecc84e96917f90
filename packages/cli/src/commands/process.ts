import { defineProcess, isDealflowError } from '@dealflow/core';
import type { Blueprint, ProcessDefinition } from '@dealflow/core';
import { inputError } from '../errors.js';
import { processFileArgument, requireProcessFile } from '../process.js';

/** A process (or lone blueprint) file, checked as createEngine checks it. */
export interface ProcessForCommand extends ProcessDefinition {
  file: string;
}

/**
 * Loads the file a command names (or the process file of the working directory) and checks it
 * with `defineProcess`; an invalid process is one line that points at `dealflow validate`.
 */
export async function processFromFile(path: string | undefined, cwd: string): Promise<ProcessForCommand> {
  const file = await processFileArgument(path, cwd);
  const loaded = await requireProcessFile(file, cwd);
  try {
    return { file, ...defineProcess(loaded.json) };
  } catch (e) {
    if (isDealflowError(e, 'BLUEPRINT_INVALID') || isDealflowError(e, 'RULE_INVALID')) {
      const first = e.problems[0];
      throw inputError(`${file}: ${loaded.kind} is invalid (${e.problems.length} problem(s); first: ${first?.path} ${first?.message}); run 'dealflow validate ${file}' for all of them`, { file }, e);
    }
    throw e;
  }
}

/** The blueprint a command works on: the one with this id (or record type), or the first. */
export function pickBlueprint(p: ProcessForCommand, id: string | undefined): Blueprint {
  if (id === undefined) return p.blueprints[0]!;
  const found = p.blueprints.find((b) => b.id === id) ?? p.blueprints.find((b) => b.recordType === id);
  if (!found) throw inputError(`${p.file}: no blueprint '${id}'; it has ${p.blueprints.map((b) => b.id).join(', ')}`);
  return found;
}
