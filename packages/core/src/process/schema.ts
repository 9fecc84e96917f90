import { z } from 'zod';
import { calendarSchema } from '../blueprint/schema.js';
import { assignmentConfigSchema } from '../assignment/schema.js';
import { escalationsConfigSchema } from '../escalation/schema.js';
import { poolConfigSchema } from '../pool/schema.js';
import { duplicatesConfigSchema } from '../duplicates/index.js';
import { approvalsConfigSchema } from '../approvals/index.js';
import { permissionsConfigSchema } from '../permissions/index.js';

/** The sales rules of a process file: the `rules` option of `createEngine`. */
export const processRulesSchema = z
  .object({
    /** Who owns new records: rules and strategies (see {@link assignmentConfigSchema}). */
    assignment: assignmentConfigSchema.optional(),
    /** Escalation ladders on inactivity or time in a stage (see {@link escalationsConfigSchema}). */
    escalations: escalationsConfigSchema.optional(),
    /** The public pool: claiming limits and returning unworked records (see {@link poolConfigSchema}). */
    pool: poolConfigSchema.optional(),
    /** The duplicate guard: unique keys over normalized fields (see {@link duplicatesConfigSchema}). */
    duplicates: duplicatesConfigSchema.optional(),
    /** Transitions that wait for an approver's decision (see {@link approvalsConfigSchema}). */
    approvals: approvalsConfigSchema.optional(),
    /** Who may do which operation on which records (see {@link permissionsConfigSchema}). */
    permissions: permissionsConfigSchema.optional(),
  })
  .strict();

/**
 * A process file (`dealflow.config.json`): every blueprint, calendar and sales rule of one
 * process. A blueprint entry is the blueprint itself or, in a file the CLI reads, a path relative
 * to the process file (`"./deal.blueprint.json"`).
 */
export const processSchema = z
  .object({
    /** Path or URL of the process file's JSON Schema, for editors; ignored when read. */
    $schema: z.string().optional(),
    /** The process's blueprints (at least one): each a blueprint object, or a path relative to the process file. */
    // each blueprint object is checked by defineBlueprint (through createEngine), which reports
    // every problem with its path; the JSON Schema (processJsonSchema) has the blueprint inline
    blueprints: z.array(z.union([z.string().min(1), z.record(z.string(), z.unknown())])).min(1),
    /** Business calendars the blueprints and rules may name (`businessTime`, an escalation's `calendar`). */
    calendars: z.array(calendarSchema).optional(),
    /** The sales rules, passed to `createEngine` as its `rules` (see {@link processRulesSchema}). */
    rules: processRulesSchema.optional(),
  })
  .strict();

/** The JSON form of a process file, as written. */
export type ProcessInput = z.input<typeof processSchema>;
