/**
 * The column mapping file of an import: which source column fills which blueprint field, with
 * what type, which picklist values map to which, in which time zone dates are read, how owners are
 * found (by e-mail), where the record id, creation time and past stages come from, and what to do
 * with duplicates and rows without an owner.
 */
import { z } from 'zod';
import { DealflowError } from '@dealflow/core';
import type { Blueprint } from '@dealflow/core';

const column = z.string().min(1).max(200);

/** How one source column becomes a field value. */
export const fieldMappingSchema = z.union([
  column,
  z.object({
    /** The source column's header. */
    column,
    /** Type to read the text as (default: the blueprint field's type). */
    type: z.enum(['string', 'number', 'integer', 'boolean', 'date', 'datetime']).optional(),
    /** Picklist: source value → stored value. A value not listed is refused unless `otherValues: 'keep'`. */
    values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
    /** A source value `values` does not list: refuse the row (default), keep the value as it is, or leave the field empty. */
    otherValues: z.enum(['refuse', 'keep', 'empty']).optional(),
    /** Date format (luxon tokens, e.g. `dd.MM.yyyy`); default ISO-8601. */
    format: z.string().max(100).optional(),
    /** Value when the cell is empty. */
    default: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  }).strict(),
]);
/** How one field is filled: a column header, or `{ column, type, values, otherValues, format, default }`. */
export type FieldMapping = z.infer<typeof fieldMappingSchema>;

/** A date column (creation time, stage entry). */
const dateColumn = z.union([
  column,
  z.object({
    /** The source column's header. */
    column,
    /** Date format (luxon tokens, e.g. `dd.MM.yyyy`); default ISO-8601. */
    format: z.string().max(100).optional(),
  }).strict(),
]);

/** The mapping file. */
export const mappingSchema = z.object({
  /** Record type or blueprint id the rows become. */
  blueprint: z.string().min(1).max(200),
  /** IANA zone for dates and times without an offset (default UTC). */
  timeZone: z.string().min(1).max(100).optional(),
  /** Column with the record id (default: generated). `idPrefix` is put before it. */
  id: column.optional(),
  /** Put before each record id (the `id` column's value, or the generated one). */
  idPrefix: z.string().max(100).optional(),
  /** Blueprint field → how it is filled (see {@link FieldMapping}). */
  fields: z.record(z.string(), fieldMappingSchema),
  /** Owner: a column with the owner's e-mail (looked up in `owners`) or rep id. */
  owner: z.object({
    /** The column holding the owner. */
    column,
    /** Whether the column holds the owner's e-mail (default) or rep id. */
    by: z.enum(['email', 'id']).default('email'),
    /** What to do with an e-mail no rep has: refuse the row (default) or route it as a row without owner. */
    unknown: z.enum(['refuse', 'route']).default('refuse'),
  }).strict().optional(),
  /** E-mail → rep id (added to what the directory's reps say in `attributes.email`). */
  owners: z.record(z.string(), z.string()).optional(),
  /**
   * Rows without an owner: `rules` (default) leaves them to the engine's assignment rules (without
   * rules they stay unowned, in the pool); `{ ownerId }` gives them all to one rep.
   */
  routing: z.union([
    z.literal('rules'),
    z.object({
      /** The rep every row without an owner goes to. */
      ownerId: z.string().min(1),
    }).strict(),
  ]).default('rules'),
  /** Column with when the record was created in the old system. */
  createdAt: dateColumn.optional(),
  /** The current stage: a column and source value → stage id (values that are stage ids may be left out). */
  stage: z.object({
    /** The column holding the stage. */
    column,
    /** Source value → stage id. */
    values: z.record(z.string(), z.string()).optional(),
  }).strict().optional(),
  /**
   * When the record entered stages, in process order: `{ stage id: date column }`. Stages up to the
   * current one whose date is set become past stage moves (history), so reports see the past.
   */
  stageDates: z.record(z.string(), dateColumn).optional(),
  /** Rows the duplicate guard (or an existing id) refuses: skip them, merge them into the existing record, or report them as refused (default). */
  duplicates: z.enum(['skip', 'merge', 'report']).default('report'),
}).strict();

/** A mapping file as written (defaults not yet applied). */
export type MappingInput = z.input<typeof mappingSchema>;
/** A parsed mapping. */
export type Mapping = z.output<typeof mappingSchema>;

/**
 * Parses and checks a mapping against the blueprint: every mapped field and stage exists.
 * Throws `INPUT_INVALID` listing each problem with its path.
 *
 * @example
 * ```ts
 * const mapping = parseMapping(JSON.parse(text), engine.blueprint('lead'))
 * ```
 */
export function parseMapping(input: unknown, blueprint: Blueprint): Mapping {
  const parsed = mappingSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({ path: `$.${i.path.join('.')}`, code: i.code, message: i.message }));
    throw new DealflowError('INPUT_INVALID', `mapping: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { problems });
  }
  const m = parsed.data;
  const problems: Array<{ path: string; code: string; message: string }> = [];
  for (const name of Object.keys(m.fields)) {
    if (!(name in blueprint.fields)) problems.push({ path: `$.fields.${name}`, code: 'unknown_field', message: `blueprint '${blueprint.id}' has no field '${name}'` });
  }
  const stages = new Set(blueprint.spec.stages.map((s) => s.id));
  for (const [from, to] of Object.entries(m.stage?.values ?? {})) {
    if (!stages.has(to)) problems.push({ path: `$.stage.values.${from}`, code: 'unknown_stage', message: `blueprint '${blueprint.id}' has no stage '${to}'` });
  }
  for (const s of Object.keys(m.stageDates ?? {})) {
    if (!stages.has(s)) problems.push({ path: `$.stageDates.${s}`, code: 'unknown_stage', message: `blueprint '${blueprint.id}' has no stage '${s}'` });
  }
  if (problems.length > 0) {
    throw new DealflowError('INPUT_INVALID', `mapping: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { problems });
  }
  return m;
}
