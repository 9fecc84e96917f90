import type { HistoryEvent, StorageTx, StoredRecord, TimerRecord } from '../storage/types.js';
import type { AssignmentDecision, AssignmentExplanation } from '../assignment/assigner.js';
import type { Strategy } from '../assignment/schema.js';
import type { RecordLike } from '../assignment/context.js';
import { ESCALATION_TIMER } from '../escalation/escalator.js';
import type { ActorLike } from '../permissions/evaluator.js';
import type { PendingApproval } from '../approvals/schema.js';
import { TASK_TIMER } from '../activities/activities.js';
import type { Activity } from '../activities/activities.js';
import { addTask, completeTask, logActivity } from '../activities/operations.js';
import { claim, distribute, distributeItem, returnToPool, returnToPoolItem } from '../pool/operations.js';
import { decideApproval, requestApproval } from '../approvals/operations.js';
import { assignRecord, handover, handoverRecord, planHandover, writeHandoverAudit } from '../assignment/operations.js';
import type { HandoverOutcome, HandoverPlan } from '../assignment/operations.js';
import { mergeDuplicate } from '../duplicates/merge.js';
import { fireSalesTimer } from '../escalation/fire.js';
import { DealflowError } from '@dealflow/logic';
import { createSalesKit } from './kit.js';
import type { CreateSalesRulesOptions, SalesRuleParts } from './kit.js';
import { onCreate, onUpdate } from './hooks.js';
import type { AssignResult, HandoverResult, HandoverTarget, SalesResult, SalesTimerOutcome } from './types.js';

export { POOL_RETURN_ESCALATION } from './kit.js';
export type { CreateSalesRulesOptions, SalesRuleParts } from './kit.js';

/** The sales rules of one engine: every operation runs inside a store transaction given to it. */
export interface SalesRules extends SalesRuleParts {
  /** Create path (engine plugin): duplicate guard, automatic assignment, escalation timers. */
  onCreate(tx: StorageTx, after: StoredRecord, events: HistoryEvent[], actor: ActorLike | undefined, now: string): Promise<AssignmentDecision | null>;
  /** Update path (engine plugin): permissions, approvals gate, duplicate keys, escalation timers. */
  onUpdate(tx: StorageTx, before: StoredRecord, after: StoredRecord, events: HistoryEvent[], actor: ActorLike | undefined, now: string): Promise<void>;
  assign(tx: StorageTx, recordId: string, now: string, actor?: ActorLike, options?: { to?: string; strategy?: Strategy }): Promise<AssignResult>;
  explain(tx: StorageTx, input: RecordLike, now: string): Promise<AssignmentExplanation>;
  logActivity(tx: StorageTx, recordId: string, input: unknown, now: string, actor?: ActorLike): Promise<SalesResult & { activity: Activity }>;
  addTask(tx: StorageTx, recordId: string, input: unknown, now: string, actor?: ActorLike): Promise<SalesResult & { taskId: string }>;
  completeTask(tx: StorageTx, recordId: string, taskId: string, now: string, actor?: ActorLike): Promise<SalesResult>;
  /** Merges a duplicate's field values into the existing record: empty fields are filled, set ones kept. */
  merge(tx: StorageTx, recordId: string, fields: Record<string, unknown>, now: string, actor?: ActorLike): Promise<SalesResult & { filled: string[]; kept: string[] }>;
  claim(tx: StorageTx, recordId: string, now: string, actor: ActorLike): Promise<SalesResult>;
  distribute(tx: StorageTx, recordId: string, to: string, now: string, actor: ActorLike): Promise<SalesResult>;
  returnToPool(tx: StorageTx, recordId: string, now: string, actor?: ActorLike, options?: { poolId?: string; reason?: string }): Promise<SalesResult>;
  /** One item of `engine.distributeMany`: `distribute`, with a record that has an owner refused as `REJECTED`. */
  distributeItem(tx: StorageTx, recordId: string, to: string, now: string, actor: ActorLike): Promise<SalesResult>;
  /** One item of `engine.returnManyToPool`: `returnToPool`, with a record already in the pool refused as `REJECTED`. */
  returnToPoolItem(tx: StorageTx, recordId: string, now: string, actor?: ActorLike, options?: { poolId?: string; reason?: string }): Promise<SalesResult>;
  /** Moves every open record of a rep in the given transaction (`engine.handover` batches it with the three below). */
  handover(tx: StorageTx, fromRep: string, target: HandoverTarget, now: string, actor?: ActorLike): Promise<HandoverResult>;
  /** Checks a handover (permission, target) and lists the departing rep's open records. */
  planHandover(tx: StorageTx, fromRep: string, target: HandoverTarget, now: string, actor?: ActorLike): Promise<{ plan: HandoverPlan; recordIds: string[] }>;
  /** Moves one record of a planned handover (refused with `REJECTED` when it is no longer the rep's open record). */
  handoverRecord(tx: StorageTx, plan: HandoverPlan, recordId: string, now: string): Promise<HandoverOutcome>;
  /** Writes the `dealflow.handover` audit message of one transaction of a handover. */
  writeHandoverAudit(tx: StorageTx, plan: HandoverPlan, offset: number, result: Omit<HandoverResult, 'items'>, now: string): Promise<void>;
  requestApproval(tx: StorageTx, record: StoredRecord, event: { type: string; fields?: Record<string, unknown>; data?: Record<string, unknown> }, now: string, actor?: ActorLike): Promise<(SalesResult & { approval: PendingApproval }) | null>;
  decideApproval(tx: StorageTx, recordId: string, decision: 'approve' | 'reject', now: string, actor: ActorLike, note?: string): Promise<SalesResult & { approval: PendingApproval }>;
  fireTimer(tx: StorageTx, timer: TimerRecord, now: string): Promise<SalesTimerOutcome | null>;
  /** Timer kinds handled by {@link SalesRules.fireTimer}. */
  readonly timerKinds: readonly string[];
}

/**
 * Compiles every sales-rule section once (zod + `@dealflow/logic`); throws `RULE_INVALID` listing the
 * bad paths. The engine calls the returned operations inside its transactions.
 *
 * @example
 * ```ts
 * const sales = createSalesRules({ rules: { assignment: { rules: [{ id: 'default', assign: { strategy: 'pool', pool: 'general' } }] } }, directory, compiler });
 * ```
 */
export function createSalesRules(options: CreateSalesRulesOptions): SalesRules {
  const kit = createSalesKit(options);
  return {
    directory: kit.directory,
    assigner: kit.assigner,
    duplicates: kit.duplicates,
    escalator: kit.escalator,
    permissions: kit.permissions,
    approvals: kit.approvals,
    pool: kit.pool,
    timerKinds: [ESCALATION_TIMER, TASK_TIMER],
    onCreate: (tx, after, events, actor, now) => onCreate(kit, tx, after, events, actor, now),
    onUpdate: (tx, before, after, events, actor, now) => onUpdate(kit, tx, before, after, events, actor, now),
    assign: (tx, recordId, now, actor, opts) => assignRecord(kit, tx, recordId, now, actor, opts),
    async explain(tx, input, now) {
      if (!kit.assigner) throw new DealflowError('INPUT_INVALID', 'No assignment rules are configured (createEngine({ rules: { assignment } }))');
      const { trace, ...decision } = await kit.assigner.decide(tx, input, now, { dryRun: true, trace: true });
      return { decision, rules: trace };
    },
    logActivity: (tx, recordId, input, now, actor) => logActivity(kit, tx, recordId, input, now, actor),
    addTask: (tx, recordId, input, now, actor) => addTask(kit, tx, recordId, input, now, actor),
    completeTask: (tx, recordId, taskId, now, actor) => completeTask(kit, tx, recordId, taskId, now, actor),
    merge: (tx, recordId, fields, now, actor) => mergeDuplicate(kit, tx, recordId, fields, now, actor),
    claim: (tx, recordId, now, actor) => claim(kit, tx, recordId, now, actor),
    distribute: (tx, recordId, to, now, actor) => distribute(kit, tx, recordId, to, now, actor),
    returnToPool: (tx, recordId, now, actor, opts) => returnToPool(kit, tx, recordId, now, actor, opts),
    returnToPoolItem: (tx, recordId, now, actor, opts) => returnToPoolItem(kit, tx, recordId, now, actor, opts),
    distributeItem: (tx, recordId, to, now, actor) => distributeItem(kit, tx, recordId, to, now, actor),
    handover: (tx, fromRep, target, now, actor) => handover(kit, tx, fromRep, target, now, actor),
    planHandover: (tx, fromRep, target, now, actor) => planHandover(kit, tx, fromRep, target, now, actor),
    handoverRecord: (tx, plan, recordId, now) => handoverRecord(kit, tx, plan, recordId, now),
    writeHandoverAudit: (tx, plan, offset, result, now) => writeHandoverAudit(kit, tx, plan, offset, result, now),
    requestApproval: (tx, record, event, now, actor) => requestApproval(kit, tx, record, event, now, actor),
    decideApproval: (tx, recordId, decision, now, actor, note) => decideApproval(kit, tx, recordId, decision, now, actor, note),
    fireTimer: (tx, timer, now) => fireSalesTimer(kit, tx, timer, now),
  };
}
