import { z } from 'zod';
import type { Task } from '../engine/context.js';

/** Built-in activity types. */
export const ACTIVITY_TYPES = ['call', 'email', 'meeting', 'visit', 'note'] as const;
/** One of the built-in activity types: `call`, `email`, `meeting`, `visit`, `note`. */
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

const iso = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO-8601 date-time');

/** Input of `engine.logActivity`. */
export const activityInputSchema = z
  .object({
    /** What kind of contact it was (see `ACTIVITY_TYPES`). */
    type: z.enum(ACTIVITY_TYPES),
    /** When it happened (default: now). Must not be in the future. */
    at: iso.optional(),
    /** A one-line summary (at most 500 characters). */
    subject: z.string().max(500).optional(),
    /** Free text notes (at most 10 000 characters). */
    note: z.string().max(10_000).optional(),
    /** Outcome such as `reached`, `no_answer`, `left_voicemail`. */
    outcome: z.string().max(100).optional(),
    /** Extra JSON values the app keeps with the activity (call length, attendees…). */
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** Input of `engine.addTask`. */
export const taskInputSchema = z
  .object({
    /** What to do (1–500 characters). */
    title: z.string().min(1).max(500),
    /** Task owner (default: the record's owner). */
    ownerId: z.string().min(1).nullable().optional(),
    /** When it is due (ISO-8601 date-time); a reminder fires then, or `remindBefore` earlier. */
    dueAt: iso,
    /** Reminder this long before `dueAt` (ISO duration); default: at `dueAt`. */
    remindBefore: z.string().regex(/^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?)?$/, 'must be a duration like PT1H or P1D').optional(),
  })
  .strict();

/** Input of `engine.logActivity` after parsing (see {@link activityInputSchema}). */
export type ActivityInput = z.infer<typeof activityInputSchema>;
/** Input of `engine.addTask` after parsing (see {@link taskInputSchema}). */
export type TaskInput = z.infer<typeof taskInputSchema>;

/** One logged activity, as kept in history (`kind: 'activity'`, `data.activity`). */
export interface Activity extends ActivityInput {
  /** The activity's id. */
  id: string;
  /** When it happened (ISO UTC; the input's `at`, else when it was logged). */
  at: string;
  /** Who logged it (the actor's id). */
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
