export { DealflowError, isDealflowError } from '@dealflow/logic';
export type { DealflowErrorCode, DealflowErrorOptions, Problem } from '@dealflow/logic';
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
} from './storage/types.js';
