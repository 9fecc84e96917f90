import type { AnyMachineSnapshot } from 'xstate';
import type { Blueprint } from '../blueprint/define.js';
import type { StoredRecord } from '../storage/types.js';
import { recordView } from '../blueprint/record-view.js';

/**
 * The XState snapshot of a stored record on its blueprint's machine, for XState tools
 * (`transition(bp.machine, snapshot, event)`, inspection).
 *
 * @example
 * ```ts
 * const snap = toMachineSnapshot(deal, record)
 * const [next] = transition(deal.machine, snap, { type: 'qualify' })
 * next.value // 'qualified'
 * ```
 */
export function toMachineSnapshot(bp: Blueprint, record: StoredRecord): AnyMachineSnapshot {
  return bp.machine.resolveState({ value: record.stage, context: { fields: record.fields, record: recordView(record) } });
}
