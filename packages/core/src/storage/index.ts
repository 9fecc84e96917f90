/**
 * `@dealflow/core/storage`: the API for store authors — the `Storage` contract, the error codes the
 * conformance suite (`@dealflow/storage-testkit`) pins for each fault, the capabilities a store
 * declares, the shared error builders and task-index helpers, and the in-memory reference store.
 *
 * App developers need none of this: `@dealflow/core` exports the record types and
 * `createMemoryStorage` too.
 *
 * @packageDocumentation
 */
export type {
  Storage,
  StorageTx,
  StoredRecord,
  HistoryEvent,
  TimerRecord,
  TimerStatus,
  OutboxMessage,
  RecordQuery,
  ClaimTimersOptions,
  UniqueKeyConflict,
  TaskRow,
  TaskQuery,
  DeadlineQuery,
  DeadlineRow,
} from './types.js';
export { MAX_BATCH_IDS, TASK_QUERY_MAX } from './types.js';
export { STORAGE_FAULTS } from './faults.js';
export type { StorageFault, StorageCapabilities } from './faults.js';
export { checkBatchSize, foreignTenant, nextVersionMismatch, versionConflict } from './errors.js';
export { checkTaskRows, compareTaskRows, matchesTaskQuery, taskQueryLimit, taskQuerySql, deadlineQuerySql } from './tasks.js';
export type { SqlListOptions } from './tasks.js';
export { createMemoryStorage, matchesQuery } from './memory.js';
export { DealflowError, isDealflowError } from '@dealflow/logic';
export type { DealflowErrorCode } from '@dealflow/logic';
