import { DealflowError, isDealflowError } from '@dealflow/core';

/**
 * One clear line for an error: the DealflowError message (its first problem when there are
 * several), or the message of any other error. Stack traces only with `--verbose`.
 */
export function describeError(error: unknown, verbose: boolean): string {
  if (verbose && error instanceof Error && error.stack) {
    const cause = (error as { cause?: unknown }).cause;
    return `${error.stack}${cause instanceof Error && cause.stack ? `\ncaused by: ${cause.stack}` : ''}`;
  }
  if (isDealflowError(error)) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A bad-input error (missing file, invalid JSON, unreadable CSV): one line, exit code 1. */
export function inputError(message: string, details: Record<string, unknown> = {}, cause?: unknown): DealflowError {
  return new DealflowError('INPUT_INVALID', message, { details, ...(cause !== undefined ? { cause } : {}) });
}
