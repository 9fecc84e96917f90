import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/**
 * A factory of fresh database file paths, each in its own temporary directory, all removed after
 * every test of the file that calls it.
 *
 * @example
 * ```ts
 * const file = tempDatabaseFiles('group')
 * test('…', () => { const s = createSqliteStorage({ filename: file() }) })
 * ```
 */
export function tempDatabaseFiles(name: string): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), `dealflow-sqlite-${name}-`));
    dirs.push(dir);
    return join(dir, `${name}.db`);
  };
}
