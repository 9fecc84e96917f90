import { z } from 'zod';
import type { Task } from '../engine/context.js';

/** Built-in activity types. */
export const ACTIVITY_TYPES = ['call', 'email', 'meeting', 'visit', 'note'] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

const iso = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO-8601 date-time');

/** Input of `engine.logActivity`. */
export const activityInputSchema = z
  .object({
    type: z.enum(ACTIVITY_TYPES),
    /** When it happened (default: now). Must not be in the future. */
    at: iso.optional(),
    subject: z.string().max(500).optional(),
    note: z.string().max(10_000).optional(),
    /** Outcome such as `reached`, `no_answer`, `left_voicemail`. */
    outcome: z.string().max(100).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** Input of `engine.addTask`. */
export const taskInputSchema = z
  .object({
    title: z.string().min(1).max(500),
    /** Task owner (default: the record's owner). */
    ownerId: z.string().min(1).nullable().optional(),
    dueAt: iso,
    /** Reminder this long before `dueAt` (ISO duration); default: at `dueAt`. */
    remindBefore: z.string().regex(/^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?)?$/, 'must be a duration like PT1H or P1D').optional(),
  })
  .strict();

export type ActivityInput = z.infer<typeof activityInputSchema>;
export type TaskInput = z.infer<typeof taskInputSchema>;

/** One logged activity, as kept in history (`kind: 'activity'`, `data.activity`). */
export interface Activity extends ActivityInput {
  id: string;
  at: string;
  authorId: string;
}

/** Timer kind of task reminders. */
export const TASK_TIMER = 'task';
/** Event name carried by task reminder timers. */
export const TASK_EVENT = 'dealflow.task.remind';

/** A task kept in `record.meta.tasks` (same shape as the engine's `task` actions, plus completion). */
export interface TaskEntry extends Task {
  completedAt?: string;
  completedBy?: string;
}
