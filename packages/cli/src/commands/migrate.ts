import { DealflowError } from '@dealflow/core';
import type { CliIO } from '../io.js';
import { connectionError } from './db.js';
import { loadOptional } from '../optional.js';

/** `dealflow migrate --db postgres://… [--schema dealflow]`: applies the PostgreSQL schema. */
export async function migrateCommand(opts: { db: string; schema?: string }, io: CliIO): Promise<number> {
  if (!/^postgres(ql)?:\/\//.test(opts.db)) {
    throw new DealflowError('INPUT_INVALID', `--db must be a PostgreSQL URL (postgres://user@host:5432/db), got '${opts.db}'`);
  }
  const { migrate } = await loadOptional('@dealflow/storage-postgres', () => import('@dealflow/storage-postgres'));
  try {
    const res = await migrate({ connectionString: opts.db, ...(opts.schema ? { schema: opts.schema } : {}) });
    io.stdout.write(
      res.applied.length > 0
        ? `applied migration(s) ${res.applied.join(', ')} to schema '${res.schema}'; now at version ${res.version}\n`
        : `schema '${res.schema}' is up to date (version ${res.version})\n`,
    );
    return 0;
  } catch (e) {
    throw connectionError(e, opts.db);
  }
}
