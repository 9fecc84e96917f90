import { DealflowError, isDealflowError } from '@dealflow/core';

/** Maps a driver error to a DealflowError: serialization failures and deadlocks are CONFLICTs (retryable). */
export function pgError(error: unknown, what: string): unknown {
  if (isDealflowError(error)) return error;
  const code = (error as { code?: unknown })?.code;
  if (code === '40001' || code === '40P01') {
    return new DealflowError('CONFLICT', `PostgreSQL ${what}: ${(error as Error).message}`, { cause: error, details: { pgCode: code } });
  }
  if (code === '23505') {
    return new DealflowError('CONFLICT', `PostgreSQL ${what}: ${(error as Error).message}`, { cause: error, details: { pgCode: code } });
  }
  if (error instanceof Error) {
    return new DealflowError('STORAGE', `PostgreSQL ${what} failed: ${error.message}`, { cause: error, details: { pgCode: code ?? null } });
  }
  return error;
}
