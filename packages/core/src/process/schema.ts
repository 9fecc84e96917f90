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
    assignment: assignmentConfigSchema.optional(),
    escalations: escalationsConfigSchema.optional(),
    pool: poolConfigSchema.optional(),
    duplicates: duplicatesConfigSchema.optional(),
    approvals: approvalsConfigSchema.optional(),
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
    $schema: z.string().optional(),
    // each blueprint object is checked by defineBlueprint (through createEngine), which reports
    // every problem with its path; the JSON Schema (processJsonSchema) has the blueprint inline
    blueprints: z.array(z.union([z.string().min(1), z.record(z.string(), z.unknown())])).min(1),
    calendars: z.array(calendarSchema).optional(),
    rules: processRulesSchema.optional(),
  })
  .strict();

/** The JSON form of a process file, as written. */
export type ProcessInput = z.input<typeof processSchema>;
