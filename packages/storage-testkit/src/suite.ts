import { describe } from 'vitest';
import { makeContext, type RunStorageSuiteOptions } from './context.js';
import { batchCases } from './cases/batch.js';
import { dailyLifeCases } from './cases/daily-life.js';
import { faultCases } from './cases/faults.js';
import { historyCases } from './cases/history.js';
import { keyCases } from './cases/keys.js';
import { lifecycleCases } from './cases/lifecycle.js';
import { outboxCases } from './cases/outbox.js';
import { recordCases } from './cases/records.js';
import { tenantCases } from './cases/tenants.js';
import { taskCases } from './cases/tasks.js';
import { timerCases } from './cases/timers.js';
import { transactionCases } from './cases/transactions.js';

/**
 * Registers the Dealflow storage conformance suite (vitest) for one store. Call it at the top level
 * of a test file. Every test calls `create()` for a fresh, empty store and `teardown()` afterwards
 * (also after a failure, and possibly on a store the test already closed).
 *
 * @example
 * ```ts
 * // my-store.test.ts
 * import { runStorageSuite } from '@dealflow/storage-testkit'
 * import { createMyStorage } from '../src/index.js'
 *
 * runStorageSuite({
 *   name: 'my-store',
 *   create: () => createMyStorage({ url: ':memory:' }),
 *   teardown: (storage) => storage.close().catch(() => {}),
 *   supports: { concurrency: true },
 * })
 * ```
 */
export function runStorageSuite(options: RunStorageSuiteOptions): void {
  const ctx = makeContext(options);
  describe(`storage conformance: ${options.name}`, () => {
    recordCases(ctx);
    batchCases(ctx);
    historyCases(ctx);
    timerCases(ctx);
    taskCases(ctx);
    keyCases(ctx);
    outboxCases(ctx);
    transactionCases(ctx);
    tenantCases(ctx);
    lifecycleCases(ctx);
    faultCases(ctx);
    dailyLifeCases(ctx);
  });
}
