import { DealflowError } from '@dealflow/logic';
import { MAX_BATCH_IDS } from './types.js';

/**
 * The `CONFLICT` a store raises when `updateRecord` finds another stored version (or no record).
 * Every store raises the same message, naming the record and both versions.
 *
 * @example
 * ```ts
 * if (changedRows === 0) throw versionConflict(record.id, expectedVersion, current?.version ?? null)
 * ```
 */
export function versionConflict(recordId: string, expectedVersion: number, actualVersion: number | null): DealflowError {
  return new DealflowError(
    'CONFLICT',
    actualVersion === null
      ? `record '${recordId}' does not exist (expected version ${expectedVersion})`
      : `record '${recordId}' is at version ${actualVersion}, expected version ${expectedVersion}`,
    { details: { recordId, expectedVersion, actualVersion } },
  );
}

/**
 * The `CONFLICT` a store raises when `updateRecord` is given a record whose version is not
 * `expectedVersion + 1`.
 *
 * @example
 * ```ts
 * if (record.version !== expectedVersion + 1) throw nextVersionMismatch(record.id, expectedVersion, record.version)
 * ```
 */
export function nextVersionMismatch(recordId: string, expectedVersion: number, version: number): DealflowError {
  return new DealflowError('CONFLICT', `record '${recordId}': new version ${version} must be expected version ${expectedVersion} + 1`, {
    details: { recordId, expectedVersion, version },
  });
}

/**
 * Refuses a batched store call over {@link MAX_BATCH_IDS} items (`INPUT_INVALID` naming the call).
 *
 * @example
 * ```ts
 * checkBatchSize('insertRecords', records.length)
 * ```
 */
export function checkBatchSize(call: string, n: number): void {
  if (n > MAX_BATCH_IDS) {
    throw new DealflowError('INPUT_INVALID', `${call}: at most ${MAX_BATCH_IDS} items per call, got ${n}`, { details: { call, count: n, max: MAX_BATCH_IDS } });
  }
}

/**
 * The `INPUT_INVALID` a store raises when a transaction is given a record, history event, timer or
 * outbox message of another tenant (stores never rewrite the tenant).
 *
 * @example
 * ```ts
 * if (record.tenantId !== this.tenantId) throw foreignTenant('record', record.id, record.tenantId, this.tenantId)
 * ```
 */
export function foreignTenant(kind: string, id: string, tenantId: string, txTenantId: string): DealflowError {
  return new DealflowError('INPUT_INVALID', `${kind} '${id}' belongs to tenant '${tenantId}', not to this transaction's tenant '${txTenantId}'`, {
    details: { id, tenantId, txTenantId },
  });
}
