import { z } from 'zod';

/** A JSON-logic permission rule over `{ actor, record, fields, now }` (true = allowed). */
const rule = z.unknown();

/** The `permissions` section of the engine rules. With this section given, an action no rule allows is denied. */
export const permissionsConfigSchema = z
  .object({
    /** Who may read a record (engine reads filter by it). */
    read: rule.optional(),
    /** Who may create records (the rule sees the new record as `record`). */
    create: rule.optional(),
    /** Who may edit fields (any field). */
    edit: rule.optional(),
    /** Per-field edit rules (checked in addition to `edit`). */
    fields: z.record(z.string().min(1), rule).optional(),
    /** Per event name (or `*`) transition rules, in addition to the blueprint's `allow`. */
    transitions: z.record(z.string().min(1), rule).optional(),
    /** Who may claim from the pool. */
    claim: rule.optional(),
    /** Who may hand out pool records (managers). */
    distribute: rule.optional(),
    /** Who may (re)assign a record by hand. */
    assign: rule.optional(),
    /** Who may approve or reject (besides being the named approver). */
    approve: rule.optional(),
    /** Who may run a handover. */
    handover: rule.optional(),
    /** Who may log activities and tasks. */
    activity: rule.optional(),
    /** Actors with one of these roles (from the directory) pass every rule; the system always does. */
    superRoles: z.array(z.string().min(1)).optional(),
  })
  .strict();

/**
 * The `permissions` section after validation: one JSON-logic rule per action (see
 * {@link permissionsConfigSchema} for each key). Given at all, it denies what no rule allows.
 *
 * @example
 * ```ts
 * const permissions: PermissionsConfig = {
 *   read: { or: [{ '==': [{ var: 'record.ownerId' }, { var: 'actor.id' }] }, { in: ['manager', { var: 'actor.roles' }] }] },
 *   create: true,
 *   transitions: { '*': { '==': [{ var: 'record.ownerId' }, { var: 'actor.id' }] } },
 * };
 * ```
 */
export type PermissionsConfig = z.infer<typeof permissionsConfigSchema>;
/** The actions permission rules govern. */
export type PermissionAction = 'read' | 'create' | 'edit' | 'claim' | 'distribute' | 'assign' | 'approve' | 'handover' | 'activity' | 'transition';
