import type { Storage, StorageCapabilities } from '@dealflow/core/storage';
import { isDealflowError } from '@dealflow/core';
import type { DealflowError, DealflowErrorCode } from '@dealflow/core';
import { expect } from 'vitest';

/**
 * Capability flags (`StorageCapabilities` from `@dealflow/core/storage`). A flag set to `false`
 * switches the tests that need it off (as abstract-level does); every flag defaults to `true`.
 */
export type StorageSuiteSupports = StorageCapabilities;

/** Options for {@link runStorageSuite}. */
export interface RunStorageSuiteOptions {
  /** Name shown in the test report, e.g. `sqlite`. */
  name: string;
  /** Builds a fresh, empty store. Called once per test; stores must not share data. */
  create: () => Storage | Promise<Storage>;
  /** Releases what `create` built (called after each test, also when it failed). */
  teardown?: (storage: Storage) => void | Promise<void>;
  /** Capability flags that switch tests off. */
  supports?: StorageSuiteSupports;
}

/** What each group of cases receives. */
export interface SuiteContext {
  supports: Required<StorageSuiteSupports>;
  /** Runs `fn` with a fresh store, tearing it down afterwards. */
  withStore<T>(fn: (storage: Storage) => Promise<T>): Promise<T>;
}

export function makeContext(options: RunStorageSuiteOptions): SuiteContext {
  const supports: Required<StorageSuiteSupports> = {
    concurrency: options.supports?.concurrency ?? true,
    close: options.supports?.close ?? true,
  };
  return {
    supports,
    async withStore(fn) {
      const storage = await options.create();
      let closed = false;
      try {
        return await fn(storage);
      } finally {
        if (!closed) {
          closed = true;
          await options.teardown?.(storage);
        }
      }
    },
  };
}

/**
 * Asserts that `promise` rejects with a `DealflowError` of one of the given codes; returns it.
 *
 * @example
 * ```ts
 * const err = await expectDealflowError(storage.transaction('t1', (tx) => tx.insertRecord(dup)), 'CONFLICT')
 * expect(err.message).toContain(dup.id)
 * ```
 */
export async function expectDealflowError(
  promise: Promise<unknown>,
  codes: DealflowErrorCode | DealflowErrorCode[],
): Promise<DealflowError> {
  const list = Array.isArray(codes) ? codes : [codes];
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a DealflowError ${list.join('|')}, but the call succeeded`).toBeDefined();
  expect(isDealflowError(caught), `expected a DealflowError, got ${String(caught)}`).toBe(true);
  const err = caught as DealflowError;
  expect(list, `unexpected code ${err.code}: ${err.message}`).toContain(err.code);
  return err;
}

/**
 * A marker error thrown inside transactions to check rollbacks.
 *
 * @example
 * ```ts
 * await expect(storage.transaction('t1', async (tx) => { await tx.incrementCounter('n'); throw new InjectedFault() }))
 *   .rejects.toBeInstanceOf(InjectedFault)
 * ```
 */
export class InjectedFault extends Error {
  /** Always `'InjectedFault'`, to tell it from the store's own errors. */
  override readonly name = 'InjectedFault';
  constructor(message = 'injected fault') {
    super(message);
  }
}
