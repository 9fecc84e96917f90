import { DealflowError } from '@dealflow/logic';
import type { StorageTx, StoredRecord } from '../storage/types.js';
import { cloneJson } from '../storage/clone.js';

/** Id of the engine-made escalation that returns idle records to the pool. */
export const POOL_RETURN_ESCALATION = 'pool.return';

/** The record, locked for the transaction, or `NOT_FOUND`. */
export async function loadRecord(tx: StorageTx, id: string): Promise<StoredRecord> {
  const r = await tx.getRecord(id, { forUpdate: true });
  if (!r) throw new DealflowError('NOT_FOUND', `Record '${id}' does not exist`, { details: { recordId: id } });
  return r;
}

/** A deep copy of a record to change. */
export function cloneRecord(r: StoredRecord): StoredRecord {
  return cloneJson(r);
}
