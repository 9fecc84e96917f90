import { DealflowError, isDealflowError } from '@dealflow/core';

/**
 * Maps a driver error to a DealflowError: serialization failures and deadlocks are CONFLICTs
 * (retryable); a missing table, column or function is MIGRATION (the schema needs `migrate()`).
 */
export function pgError(error: unknown, what: string): unknown {
  if (isDealflowError(error)) return error;
  const code = (error as { code?: unknown })?.code;
  if (code === '40001' || code === '40P01') {
    return new DealflowError('CONFLICT', `PostgreSQL ${what}: ${(error as Error).message}`, { cause: error, details: { pgCode: code } });
  }
  // a table, column or function of the schema is missing: the schema was never migrated, or not to this version
  if (code === '42P01' || code === '42703' || code === '42883') {
    return new DealflowError(
      'MIGRATION',
      `PostgreSQL ${what}: the schema lacks what this version of the store needs (${(error as Error).message}); run migrate() (or \`dealflow migrate\`) to apply its migrations`,
      { cause: error, details: { pgCode: code } },
    );
  }
  if (code === '23505') {
    return new DealflowError('CONFLICT', `PostgreSQL ${what}: ${(error as Error).message}`, { cause: error, details: { pgCode: code } });
  }
  if (error instanceof Error) {
    return new DealflowError('STORAGE', `PostgreSQL ${what} failed: ${error.message}`, { cause: error, details: { pgCode: code ?? null } });
  }
  return error;
}
