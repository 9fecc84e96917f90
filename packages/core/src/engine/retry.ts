import { DealflowError, isDealflowError } from '@dealflow/logic';
import type { Storage, StorageTx } from '../storage/types.js';

/** How {@link withRetry} runs a call. */
export interface RetryOptions {
  /** How often a version conflict is retried before failing (the engine's `maxRetries`). */
  maxRetries: number;
  /** What the call is, for the final `CONFLICT` message (`send 'win' to record 'd1'`). */
  what: () => string;
  /** False: a conflict fails at once (a caller that pinned `expectedVersion`). Default true. */
  retry?: boolean;
  /**
   * False: the last conflict is rethrown as it came (operations whose own refusals are `CONFLICT`,
   * as claiming an owned record, keep their message). Default true: it is wrapped, naming the call.
   */
  wrap?: boolean;
}

/**
 * The engine's one retry: runs `fn` in a transaction of `tenant`; on a version conflict runs it
 * again against the fresh state, up to `maxRetries` more times, then fails with `CONFLICT` naming
 * the call. Every engine path (send, create, update, timers, sales operations, links) retries
 * through it.
 *
 * @example
 * ```ts
 * await withRetry(storage, tenant, { maxRetries: 3, what: () => `link '${id}'` }, (tx) => linkInTx(tx, id))
 * ```
 */
export function withRetry<T>(storage: Storage, tenant: string, options: RetryOptions, fn: (tx: StorageTx) => Promise<T>, attempt = 0): Promise<T> {
  const run = storage.transaction(tenant, fn);
  if (options.retry === false) return run;
  return run.catch((e: unknown) => {
    if (!isDealflowError(e, 'CONFLICT')) throw e;
    if (attempt >= options.maxRetries) {
      if (options.wrap === false) throw e;
      throw new DealflowError('CONFLICT', `${options.what()}: still conflicting after ${attempt + 1} attempt(s): ${e.message}`, { cause: e, details: e.details });
    }
    return withRetry(storage, tenant, options, fn, attempt + 1);
  });
}
