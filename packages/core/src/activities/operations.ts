/**
 * Sales rules operations (activities); each runs inside the caller's store transaction.
 */
import type { z } from 'zod';
import { DealflowError } from '@dealflow/logic';
import type { HistoryEvent, OutboxMessage, StorageTx } from '../storage/types.js';
import { zodProblems } from '../assignment/rules.js';
import { subtractDuration } from '../time/durations.js';
import { newTimer } from '../assignment/write.js';
import type { ActorLike } from '../permissions/evaluator.js';
import type { SalesKit } from '../sales/kit.js';
import { cloneRecord, loadRecord } from '../sales/records.js';
import type { SalesResult } from '../sales/types.js';
import { activityInputSchema, taskInputSchema, TASK_EVENT, TASK_TIMER } from './activities.js';
import type { Activity, TaskEntry } from './activities.js';

/** Parses an activity or task input; `INPUT_INVALID` naming the record and every problem otherwise. */
function parseInput<T>(schema: z.ZodType<T>, input: unknown, what: 'activity' | 'task', recordId: string): { data: T } {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed;
  const problems = zodProblems(parsed.error, '$');
  throw new DealflowError('INPUT_INVALID', `Invalid ${what} for record '${recordId}': ${problems[0]!.message}`, { problems });
}

/** The outbox type of a logged activity. */
export const ACTIVITY_MESSAGE = 'dealflow.activity';
/** The outbox type of a task created or completed. */
export const TASK_MESSAGE = 'dealflow.task';

/** The `dealflow.activity` message of the change that logged `activity` (id: the event's id + `:activity`). */
function activityMessage(event: HistoryEvent, activity: Activity): OutboxMessage {
  return {
    tenantId: event.tenantId, id: `${event.id}:activity`, recordId: event.recordId, type: ACTIVITY_MESSAGE,
    payload: { recordId: event.recordId, activityId: activity.id, kind: activity.type, actorId: event.actorId ?? null, at: activity.at }, createdAt: event.at,
  };
}

/** The `dealflow.task` message of the change that created or completed task `taskId` (id: the event's id + `:task`). */
function taskMessage(event: HistoryEvent, taskId: string, status: TaskEntry['status']): OutboxMessage {
  return {
    tenantId: event.tenantId, id: `${event.id}:task`, recordId: event.recordId, type: TASK_MESSAGE,
    payload: { recordId: event.recordId, taskId, status, actorId: event.actorId ?? null, at: event.at }, createdAt: event.at,
  };
}

/** Logs an activity: history event, `meta.lastActivityAt`, inactivity timers pushed, a `dealflow.activity` message. */
export async function logActivity(kit: SalesKit, tx: StorageTx, recordId: string, input: unknown, now: string, actor?: ActorLike): Promise<SalesResult & { activity: Activity }> {
  const parsed = parseInput(activityInputSchema, input, 'activity', recordId);
  const before = await loadRecord(tx, recordId);
  const who = kit.actorOf(actor);
  await kit.permissions.assert('activity', who, before, now);
  const at = parsed.data.at ? new Date(parsed.data.at).toISOString() : now;
  if (at > now) throw new DealflowError('INPUT_INVALID', `Activity on record '${recordId}' is dated in the future (${at})`, { problems: [{ path: '$.at', message: 'must not be in the future', value: at }] });
  const activity: Activity = { ...parsed.data, id: kit.newId('act'), at, authorId: who.id };
  const next = cloneRecord(before);
  const last = typeof before.meta.lastActivityAt === 'string' && before.meta.lastActivityAt > at ? before.meta.lastActivityAt : at;
  next.meta = { ...next.meta, lastActivityAt: last, lastActivityType: last === at ? activity.type : before.meta.lastActivityType, activityCount: ((before.meta.activityCount as number | undefined) ?? 0) + 1 };
  const res = await kit.commit(tx, before, next, { kind: 'activity', actorId: who.id, data: { activity: { ...activity } } }, now, (event) => ({ outbox: [activityMessage(event, activity)] }));
  return { ...res, activity };
}

/** Adds a task to `meta.tasks`, schedules its reminder timer and writes a `dealflow.task` message (status `open`). */
export async function addTask(kit: SalesKit, tx: StorageTx, recordId: string, input: unknown, now: string, actor?: ActorLike): Promise<SalesResult & { taskId: string }> {
  const parsed = parseInput(taskInputSchema, input, 'task', recordId);
  const before = await loadRecord(tx, recordId);
  const who = kit.actorOf(actor);
  await kit.permissions.assert('activity', who, before, now);
  const dueAt = new Date(parsed.data.dueAt).toISOString();
  const task: TaskEntry = { id: kit.newId('task'), title: parsed.data.title, ownerId: parsed.data.ownerId ?? before.ownerId, dueAt, createdAt: now, status: 'open', event: 'addTask' };
  const next = cloneRecord(before);
  next.meta = { ...next.meta, tasks: [...((before.meta.tasks as TaskEntry[] | undefined) ?? []), task] };
  const due = parsed.data.remindBefore ? subtractDuration(dueAt, parsed.data.remindBefore) : dueAt;
  const res = await kit.commit(tx, before, next, { kind: 'task', actorId: who.id, data: { task: { ...task } } }, now, (event, record) => ({
    scheduleTimers: [newTimer(tx.tenantId, record, { kind: TASK_TIMER, key: `task:${task.id}`, dueAt: due, event: TASK_EVENT, payload: { taskId: task.id }, stage: null }, now, kit.newId)],
    outbox: [taskMessage(event, task.id, 'open')],
  }));
  return { ...res, taskId: task.id };
}

/** Marks a task done, cancels its reminder and writes a `dealflow.task` message (status `done`). */
export async function completeTask(kit: SalesKit, tx: StorageTx, recordId: string, taskId: string, now: string, actor?: ActorLike): Promise<SalesResult> {
  const before = await loadRecord(tx, recordId);
  const who = kit.actorOf(actor);
  await kit.permissions.assert('activity', who, before, now);
  const tasks = ((before.meta.tasks as TaskEntry[] | undefined) ?? []).map((t) => ({ ...t }));
  const task = tasks.find((t) => t.id === taskId);
  if (!task) throw new DealflowError('NOT_FOUND', `Record '${recordId}' has no task '${taskId}'`, { details: { recordId, taskId } });
  if (task.status === 'done') throw new DealflowError('CONFLICT', `Task '${taskId}' of record '${recordId}' is already done`, { details: { recordId, taskId } });
  task.status = 'done';
  task.completedAt = now;
  task.completedBy = who.id;
  const next = cloneRecord(before);
  next.meta = { ...next.meta, tasks };
  return kit.commit(tx, before, next, { kind: 'task_done', actorId: who.id, data: { taskId } }, now, (event) => ({
    cancelTimers: [{ recordId, keys: [`task:${taskId}`] }],
    outbox: [taskMessage(event, taskId, 'done')],
  }));
}
