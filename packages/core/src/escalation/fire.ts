/**
 * Sales rules operations (fire); each runs inside the caller's store transaction.
 */
import type { StorageTx, TimerRecord } from '../storage/types.js';
import type { AssignmentDecision } from '../assignment/assigner.js';
import { TASK_TIMER } from '../activities/activities.js';
import type { TaskEntry } from '../activities/activities.js';
import type { PoolState } from '../pool/schema.js';
import type { SalesKit } from '../sales/kit.js';
import { cloneRecord, POOL_RETURN_ESCALATION } from '../sales/records.js';
import type { SalesTimerOutcome } from '../sales/types.js';
import { ESCALATION_TIMER } from './escalator.js';
import type { EscalationState } from './escalator.js';
import type { EscalationAction } from './schema.js';
import { writeOwnerChange } from '../assignment/owner-change.js';

/** Fires an escalation or task-reminder timer (null for other kinds). */
export async function fireSalesTimer(kit: SalesKit, tx: StorageTx, timer: TimerRecord, now: string): Promise<SalesTimerOutcome | null> {
  if (timer.kind === TASK_TIMER) {
    const record = await tx.getRecord(timer.recordId, { forUpdate: true });
    if (!record) return { outcome: 'noop:record_gone', record: null, events: [], transitions: [] };
    const task = ((record.meta.tasks as TaskEntry[] | undefined) ?? []).find((t) => t.id === timer.payload.taskId);
    if (!task || task.status !== 'open') return { outcome: 'noop:task_closed', record, events: [], transitions: [] };
    const next = cloneRecord(record);
    const { record: saved, event } = await kit.write(tx, record, next, { kind: 'task_reminder', actorId: 'system', data: { taskId: task.id, title: task.title, dueAt: task.dueAt } }, now, (e, r) => ({
      outbox: kit.notification(tx, r, task.ownerId ? [task.ownerId] : [], `Task due: ${task.title} (record '${record.id}')`, { at: now, taskId: task.id, dueAt: task.dueAt }, e.id),
    }));
    return { outcome: 'fired', record: saved, events: [event], transitions: [] };
  }
  if (timer.kind !== ESCALATION_TIMER) return null;
  const record = await tx.getRecord(timer.recordId, { forUpdate: true });
  if (!record) return { outcome: 'noop:record_gone', record: null, events: [], transitions: [] };
  const checked = kit.escalator.check(record, timer, now);
  if (typeof checked === 'string') return { outcome: checked, record, events: [], transitions: [] };
  const { rule, level, levelIndex } = checked;
  const owner = record.ownerId;
  const next = cloneRecord(record);
  const done: Array<Record<string, unknown>> = [];
  const notes: Array<{ to: string[]; message: string }> = [];
  const transitions: string[] = [];
  for (const action of level.actions as EscalationAction[]) {
    if ('reassign' in action) {
      let decision: AssignmentDecision;
      if (action.reassign === 'nextInTeam') {
        if (!next.teamId) { done.push({ reassign: null, reason: 'record has no team' }); continue; }
        decision = await kit.anyAssigner().nextInTeam(tx, next.teamId, owner, now);
      } else {
        decision = await kit.decideFor(tx, next, now, action.reassign, owner ? [owner] : []);
      }
      if (decision.ownerId || decision.poolId) kit.applyDecision(next, decision, now, 'escalation');
      done.push({ reassign: decision.ownerId, poolId: decision.poolId, reason: decision.reason });
    } else if ('notify' in action) {
      const targets = Array.isArray(action.notify) ? action.notify : [action.notify];
      const to = [...new Set((await Promise.all(targets.map((t) => kit.resolveTargets(t, record, owner)))).flat())];
      notes.push({ to, message: action.message ?? `Escalation '${rule.id}' (level ${levelIndex + 1}) on ${record.type} '${record.id}'${owner ? ` owned by '${owner}'` : ''}` });
      done.push({ notify: to });
    } else if ('priority' in action) {
      next.meta = { ...next.meta, priority: action.priority };
      done.push({ priority: action.priority });
    } else if ('addFollower' in action) {
      const ids = await kit.resolveTargets(action.addFollower, record, owner);
      const followers = [...new Set([...((next.meta.followers as string[] | undefined) ?? []), ...ids])];
      next.meta = { ...next.meta, followers };
      done.push({ addFollower: ids });
    } else if ('returnToPool' in action) {
      if (next.ownerId) {
        const poolId = kit.poolOf(next, action.returnToPool === true ? undefined : action.returnToPool);
        kit.intoPool(next, poolId, rule.id === POOL_RETURN_ESCALATION ? 'no_follow_up' : 'escalation', now);
        done.push({ returnToPool: poolId });
      }
    } else if ('transition' in action) {
      transitions.push(action.transition);
      done.push({ transition: action.transition });
    }
  }
  const basis = (timer.payload as { basis: string }).basis;
  // The chain goes on from this firing: when another level follows, it counts from now on the
  // record's new basis (a reassignment changes it); after the last level a new basis restarts at 0.
  const newBasis = kit.escalator.basisOf(rule, next);
  const more = levelIndex + 1 < rule.levels.length && newBasis !== null;
  const state: EscalationState = { basis: more ? newBasis! : basis, level: levelIndex, at: now };
  next.meta = { ...next.meta, escalations: { ...((next.meta.escalations as Record<string, EscalationState> | undefined) ?? {}), [rule.id]: state } };
  const kind = rule.id === POOL_RETURN_ESCALATION ? 'returned' : 'escalated';
  // the change (an owner change when a level reassigned or returned the record), its notifications, then the chain re-planned
  const { record: saved, event } = await writeOwnerChange(kit, tx, {
    before: record,
    after: next,
    event: {
      kind,
      actorId: 'system',
      data: { escalationId: rule.id, level: levelIndex, from: owner, to: next.ownerId, actions: done, ...(kind === 'returned' ? { poolId: (next.meta.pool as PoolState | undefined)?.poolId ?? null, reason: 'no_follow_up' } : {}) },
    },
    reason: rule.id === POOL_RETURN_ESCALATION ? 'pool' : 'escalation',
    now,
    firingTimerId: timer.id,
    effects: (e) => ({
      outbox: notes.filter((note) => note.to.length > 0).map((note, n) => ({
        tenantId: tx.tenantId, id: `${e.id}:${n}`, recordId: record.id, type: 'dealflow.notify',
        payload: { recordId: record.id, to: note.to, message: note.message, escalationId: rule.id, level: levelIndex, at: now }, createdAt: now,
      })),
    }),
  });
  return { outcome: 'fired', record: saved, events: [event], transitions };
}
