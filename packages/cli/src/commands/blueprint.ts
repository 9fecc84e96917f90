import type { Blueprint } from '@dealflow/core';
import { processFromFile } from './process.js';

/** Loads and defines a blueprint file (or the first blueprint of a process file); an invalid one is one line pointing at `dealflow validate`. */
export async function blueprintFromFile(path: string, cwd: string): Promise<Blueprint> {
  return (await processFromFile(path, cwd)).blueprints[0]!;
}
