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
  /** `insertRecord(s)` with an id the tenant already has. */
  insertExistingId: 'CONFLICT',
  /** `insertRecords` naming one id twice. */
  insertRepeatedId: 'CONFLICT',
  /** A new record whose `version` is not 1. */
  insertVersionNotOne: 'INPUT_INVALID',
  /** A record, history event, timer or outbox message of another tenant than the transaction's. */
  foreignTenant: 'INPUT_INVALID',
  /** `updateRecord` whose `expectedVersion` is not the stored one (a concurrent write won). */
  updateStaleVersion: 'CONFLICT',
  /** `updateRecord` of a record that does not exist. */
  updateMissingRecord: 'CONFLICT',
  /** `updateRecord` whose new `version` is not `expectedVersion + 1`. */
  updateVersionNotNext: 'CONFLICT',
  /** `appendHistory` whose `seq` is not the record's next. */
  historySeqGap: 'CONFLICT',
  /** `scheduleTimers` with an id the tenant already has. */
  timerIdTaken: 'CONFLICT',
  /** `putIdempotency` with a key already stored. */
  idempotencyKeyTaken: 'CONFLICT',
  /** `getRecords` / `insertRecords` over `MAX_BATCH_IDS` items. */
  batchTooLarge: 'INPUT_INVALID',
  /** `replaceTasks` given a row of another record or tenant. */
  taskRowOfOtherRecord: 'INPUT_INVALID',
  /** Any call after `close()`. */
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
