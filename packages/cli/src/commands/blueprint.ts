import { defineBlueprint, isDealflowError } from '@dealflow/core';
import type { Blueprint } from '@dealflow/core';
import { inputError } from '../errors.js';
import { requireBlueprintFile } from '../load.js';

/** Loads and defines a blueprint file; an invalid blueprint is one line pointing at `dealflow validate`. */
export async function blueprintFromFile(path: string, cwd: string): Promise<Blueprint> {
  const { json } = await requireBlueprintFile(path, cwd);
  try {
    return defineBlueprint(json);
  } catch (e) {
    if (isDealflowError(e, 'BLUEPRINT_INVALID')) {
      const first = e.problems[0];
      throw inputError(`${path}: blueprint is invalid (${e.problems.length} problem(s); first: ${first?.path} ${first?.message}); run 'dealflow validate ${path}' for all of them`, { file: path }, e);
    }
    throw e;
  }
}
