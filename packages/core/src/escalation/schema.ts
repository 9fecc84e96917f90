import { z } from 'zod';
import { strategySchema } from '../assignment/schema.js';

const duration = z.string().regex(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/, 'must be an ISO-8601 duration such as P3D or PT4H');

/**
 * Who an action addresses, relative to the record's owner when the escalation fired: `owner`;
 * `manager` (the owner's manager in the directory, else the record team's manager); `director` (the
 * manager's manager); `teamManager` (the manager of the record's team); or `{ rep: id }`, one named rep.
 * A target that resolves to nobody (no owner, no such manager) is skipped.
 */
export const targetSchema = z.union([
  z.enum(['owner', 'manager', 'director', 'teamManager']),
  z.object({
    /** One named rep id. */
    rep: z.string().min(1),
  }).strict(),
]);

/** One escalation action. Exactly one key per action object. */
export const escalationActionSchema = z.union([
  z.object({
    /** Reassign: `'nextInTeam'` (the next active rep with capacity in the record's team, after the owner), `'rules'` (re-run the assignment rules without the owner), or a strategy. */
    reassign: z.union([z.literal('nextInTeam'), z.literal('rules'), strategySchema]),
  }).strict(),
  z.object({
    /** Notify one target or several (deduplicated): a `dealflow.notify` outbox message per firing. */
    notify: z.union([targetSchema, z.array(targetSchema).min(1)]),
    /** The notification text (default: "Escalation '<id>' (level N) on <type> '<record>' owned by '<owner>'"). */
    message: z.string().optional(),
  }).strict(),
  z.object({
    /** Set the record's `meta.priority` to this value (a label such as `"high"` or a number). */
    priority: z.union([z.string(), z.number()]),
  }).strict(),
  z.object({
    /** Add the target's rep ids to the record's `meta.followers` (no duplicates). */
    addFollower: targetSchema,
  }).strict(),
  z.object({
    /** Back to the public pool: `true` = the record's pool (or the default pool), or a pool id. Does nothing to an unowned record. */
    returnToPool: z.union([z.literal(true), z.string().min(1)]),
  }).strict(),
  z.object({
    /** Fire a blueprint transition (event name) through the engine's send path, after the level's other actions. */
    transition: z.string().min(1),
  }).strict(),
]);

/** One level: after `after` (from the trigger, or from the previous level), run `actions`. */
export const escalationLevelSchema = z
  .object({
    /** ISO-8601 duration (`P3D`, `PT4H`): the wait before this level fires, from the trigger for the first level, from the previous level after that. */
    after: duration,
    /** What the level does, in order. */
    actions: z.array(escalationActionSchema).min(1),
  })
  .strict();

/** One escalation rule. */
export const escalationSchema = z
  .object({
    /** Escalation id, unique among the engine's escalations; named in its timers, results and notifications. */
    id: z.string().min(1).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only'),
    /** Free text for people reading the rules; not used by the engine. */
    description: z.string().optional(),
    /**
     * `inactivity`: counted from the later of the last activity and the last (re)assignment, while
     * the record has an owner. `stage`: counted from entering `stage`.
     */
    on: z.enum(['inactivity', 'stage']),
    /** With `on: "stage"` (required there): the stage id whose entry starts the clock. */
    stage: z.string().min(1).optional(),
    /** Only records of these record types (default: every type). */
    types: z.array(z.string().min(1)).optional(),
    /** Only while the record is in one of these stages (default: every stage). */
    stages: z.array(z.string().min(1)).optional(),
    /**
     * Checked when the timer fires (`{ record, fields, now, escalation: { id, level } }`, `level`
     * the one about to fire; `record.escalations` and `record.reassignments` tell the record's
     * past); false = nothing happens.
     */
    when: z.unknown().optional(),
    /**
     * `inactivity` only: whether an activity restarts the chain at the first level (`true`, the
     * default) or only postpones the next level, counted from the activity (`false`: the level
     * reached stays until the owner changes).
     */
    activityResets: z.boolean().optional(),
    /** Business calendar id for `after` (from the engine's calendars); default wall-clock time. */
    calendar: z.string().optional(),
    /** The escalation ladder: each level fires `after` the one before it. */
    levels: z.array(escalationLevelSchema).min(1),
  })
  .strict()
  .refine((e) => e.on !== 'stage' || e.stage !== undefined, { message: "an 'on: stage' escalation needs 'stage'", path: ['stage'] });

/** The `escalations` section of the engine rules: a list of {@link escalationSchema} rules. */
export const escalationsConfigSchema = z.array(escalationSchema);

/** Who an escalation action addresses (parsed `targetSchema`). */
export type EscalationTarget = z.infer<typeof targetSchema>;
/** One escalation action (parsed `escalationActionSchema`). */
export type EscalationAction = z.infer<typeof escalationActionSchema>;
/** One escalation level (parsed `escalationLevelSchema`). */
export type EscalationLevel = z.infer<typeof escalationLevelSchema>;
/** One escalation rule (parsed {@link escalationSchema}). */
export type EscalationRule = z.infer<typeof escalationSchema>;
