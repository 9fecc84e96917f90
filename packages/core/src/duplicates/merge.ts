/**
 * Sales rules operations (merge); each runs inside the caller's store transaction.
 */
import type { StorageTx } from '../storage/types.js';
import type { ActorLike } from '../permissions/evaluator.js';
import type { SalesKit } from '../sales/kit.js';
import { cloneRecord, loadRecord } from '../sales/records.js';
import type { SalesResult } from '../sales/types.js';

/** Merges a duplicate's values into the existing record: empty fields filled, set ones kept. */
export async function mergeDuplicate(kit: SalesKit, tx: StorageTx, recordId: string, fields: Record<string, unknown>, now: string, actor?: ActorLike): Promise<SalesResult & { filled: string[]; kept: string[] }> {
  const before = await loadRecord(tx, recordId);
  const who = kit.actorOf(actor);
  if (actor) await kit.permissions.assert('edit', who, before, now);
  const next = cloneRecord(before);
  const filled: string[] = [];
  const kept: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === null || v === '') continue;
    const cur = before.fields[k];
    if (cur === undefined || cur === null || cur === '') { next.fields[k] = structuredClone(v); filled.push(k); }
    else if (JSON.stringify(cur) !== JSON.stringify(v)) kept.push(k);
  }
  if (kit.duplicates?.guards(next.type)) await kit.duplicates.enforce(tx, before, next);
  const res = await kit.commit(tx, before, next, { kind: 'merged', actorId: who.id, data: { filled, kept, values: Object.fromEntries(filled.map((k) => [k, next.fields[k]])) } }, now);
  return { ...res, filled, kept };
}
