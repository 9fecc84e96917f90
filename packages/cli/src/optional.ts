import { DealflowError } from '@dealflow/core';

/** The optional packages the CLI loads only when a command needs them. */
const INSTALL: Record<string, { install: string; for: string }> = {
  '@dealflow/storage-sqlite': { install: '@dealflow/storage-sqlite better-sqlite3', for: 'SQLite databases (forecast --db file.db)' },
  '@dealflow/storage-postgres': { install: '@dealflow/storage-postgres pg', for: 'PostgreSQL databases (forecast --db postgres://…, migrate)' },
  'tsx/esm/api': { install: 'tsx', for: 'TypeScript process and blueprint files (.ts)' },
};

/** A module that cannot be resolved (the package itself, or a driver it imports, is missing). */
function isMissingModule(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/**
 * Imports an optional dependency of the CLI. When it is not installed the error is one line that
 * says what to install and what for (`DEPENDENCY_MISSING`), instead of a module-resolution stack.
 */
export async function loadOptional<T>(name: keyof typeof INSTALL, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (e) {
    if (!isMissingModule(e)) throw e;
    const info = INSTALL[name]!;
    const missing = /['"]([^'"]+)['"]/.exec((e as Error).message)?.[1] ?? name;
    throw new DealflowError(
      'INPUT_INVALID',
      `the '${missing}' package is needed for ${info.for} but is not installed; run: npm install ${info.install}`,
      { details: { dependency: name }, cause: e },
    );
  }
}
