import type { DealflowErrorCode } from '@dealflow/logic';

/**
 * The error code every store answers for each fault (what `@dealflow/storage-testkit` checks), so
 * the memory, SQLite and PostgreSQL stores — and third-party ones — fail alike:
 *
 * - `insertExistingId`: `insertRecord(s)` with an id the tenant already has;
 * - `insertRepeatedId`: `insertRecords` naming one id twice;
 * - `insertVersionNotOne`: a new record whose `version` is not 1;
 * - `foreignTenant`: a record, history event, timer or outbox message of another tenant than the
 *   transaction's (stores never rewrite the tenant);
 * - `updateStaleVersion`: `updateRecord` whose `expectedVersion` is not the stored one;
 * - `updateMissingRecord`: `updateRecord` of a record that does not exist;
 * - `updateVersionNotNext`: `updateRecord` whose new `version` is not `expectedVersion + 1`;
 * - `historySeqGap`: `appendHistory` whose `seq` is not the record's next;
 * - `timerIdTaken`: `scheduleTimers` with an id the tenant already has;
 * - `idempotencyKeyTaken`: `putIdempotency` with a key already stored;
 * - `batchTooLarge`: `getRecords` / `insertRecords` over `MAX_BATCH_IDS` items;
 * - `taskRowOfOtherRecord`: `replaceTasks` given a row of another record or tenant;
 * - `closed`: any call after `close()`.
 *
 * @example
 * ```ts
 * import { STORAGE_FAULTS } from '@dealflow/core/storage'
 * if (record.version !== 1) throw new DealflowError(STORAGE_FAULTS.insertVersionNotOne, `record '${record.id}': a new record must have version 1`)
 * ```
 */
export const STORAGE_FAULTS = {
  insertExistingId: 'CONFLICT',
  insertRepeatedId: 'CONFLICT',
  insertVersionNotOne: 'INPUT_INVALID',
  foreignTenant: 'INPUT_INVALID',
  updateStaleVersion: 'CONFLICT',
  updateMissingRecord: 'CONFLICT',
  updateVersionNotNext: 'CONFLICT',
  historySeqGap: 'CONFLICT',
  timerIdTaken: 'CONFLICT',
  idempotencyKeyTaken: 'CONFLICT',
  batchTooLarge: 'INPUT_INVALID',
  taskRowOfOtherRecord: 'INPUT_INVALID',
  closed: 'CLOSED',
} as const satisfies Record<string, DealflowErrorCode>;

/** A fault a store must answer with a fixed code (see {@link STORAGE_FAULTS}). */
export type StorageFault = keyof typeof STORAGE_FAULTS;

/**
 * What a store can do beyond the contract's core, made explicit. The conformance suite switches
 * off the tests of a capability set to `false`; every capability defaults to `true`.
 *
 * @example
 * ```ts
 * runStorageSuite({ name: 'my-store', create: () => createMyStorage(), supports: { concurrency: false } })
 * ```
 */
export interface StorageCapabilities {
  /** Transactions may run concurrently from one process (the store serializes them correctly). */
  concurrency?: boolean;
  /** `close()` releases the store and later calls throw `DealflowError('CLOSED')`. */
  close?: boolean;
}
