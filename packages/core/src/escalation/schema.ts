import { z } from 'zod';
import { strategySchema } from '../assignment/schema.js';

const duration = z.string().regex(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/, 'must be an ISO-8601 duration such as P3D or PT4H');

/** Who an action addresses, relative to the record's owner when the escalation fired. */
export const targetSchema = z.union([
  z.enum(['owner', 'manager', 'director', 'teamManager']),
  z.object({ rep: z.string().min(1) }).strict(),
]);

/** One escalation action. Exactly one key per action object. */
export const escalationActionSchema = z.union([
  /** Reassign: `'nextInTeam'` (round robin over the record's team, skipping the owner), `'rules'` (re-run assignment rules), or a strategy. */
  z.object({ reassign: z.union([z.literal('nextInTeam'), z.literal('rules'), strategySchema]) }).strict(),
  z.object({ notify: z.union([targetSchema, z.array(targetSchema).min(1)]), message: z.string().optional() }).strict(),
  z.object({ priority: z.union([z.string(), z.number()]) }).strict(),
  z.object({ addFollower: targetSchema }).strict(),
  /** Back to the public pool: `true` = the record's pool (or the default pool), or a pool id. */
  z.object({ returnToPool: z.union([z.literal(true), z.string().min(1)]) }).strict(),
  /** Fire a blueprint transition (event name) through the engine's send path. */
  z.object({ transition: z.string().min(1) }).strict(),
]);

/** One level: after `after` (from the trigger, or from the previous level), run `actions`. */
export const escalationLevelSchema = z
  .object({ after: duration, actions: z.array(escalationActionSchema).min(1) })
  .strict();

/** One escalation rule. */
export const escalationSchema = z
  .object({
    id: z.string().min(1).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only'),
    description: z.string().optional(),
    /**
     * `inactivity`: counted from the later of the last activity and the last (re)assignment, while
     * the record has an owner. `stage`: counted from entering `stage`.
     */
    on: z.enum(['inactivity', 'stage']),
    stage: z.string().min(1).optional(),
    /** Only records of these types / while in these stages. */
    types: z.array(z.string().min(1)).optional(),
    stages: z.array(z.string().min(1)).optional(),
    /** Checked when the timer fires (`{record, fields, now}`); false = nothing happens. */
    when: z.unknown().optional(),
    /** Business calendar id for `after` (from the engine's calendars); default wall-clock time. */
    calendar: z.string().optional(),
    levels: z.array(escalationLevelSchema).min(1),
  })
  .strict()
  .refine((e) => e.on !== 'stage' || e.stage !== undefined, { message: "an 'on: stage' escalation needs 'stage'", path: ['stage'] });

export const escalationsConfigSchema = z.array(escalationSchema);

export type EscalationTarget = z.infer<typeof targetSchema>;
export type EscalationAction = z.infer<typeof escalationActionSchema>;
export type EscalationLevel = z.infer<typeof escalationLevelSchema>;
export type EscalationRule = z.infer<typeof escalationSchema>;
