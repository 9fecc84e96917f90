import { z } from 'zod';

/** Any JSON-logic rule (validated by `@dealflow/logic` when compiled). */
export const jsonLogicSchema = z.unknown();

/**
 * Skill/territory match: rep attribute → JSON-logic giving the wanted value. A rep matches when
 * its attribute (`region`, or `attributes[name]`) equals the value, or (when either side is a
 * list) the lists share a value. `{ region: { var: 'fields.region' } }`.
 */
export const matchSchema = z.record(z.string().min(1), jsonLogicSchema);

const teamTarget = {
  /** Team whose active members are candidates. */
  team: z.string().min(1).optional(),
  /** Or an explicit list of rep ids. */
  reps: z.array(z.string().min(1)).min(1).optional(),
  /** Only reps whose attributes match (see `matchSchema`); the others are skipped as candidates. */
  match: matchSchema.optional(),
};

/** How a matched rule picks the owner. */
export const strategySchema = z.discriminatedUnion('strategy', [
  z.object({
    /** Assign to one named rep (still subject to its capacity and exclusions). */
    strategy: z.literal('owner'),
    /** The rep id that becomes the owner. */
    owner: z.string().min(1),
  }).strict(),
  z.object({
    /** Rotate over the candidates: the least recently served eligible rep gets the record. */
    strategy: z.literal('roundRobin'),
    ...teamTarget,
    /** Weighted rotation: rep id → weight (default 1; a rep's `attributes.weight` also counts). A weight-2 rep gets twice the records. */
    weights: z.record(z.string().min(1), z.number().positive().max(1000)).optional(),
  }).strict(),
  z.object({
    /** The eligible candidate with the fewest open records (ties: lowest rep id). */
    strategy: z.literal('leastLoaded'),
    ...teamTarget,
    /** Compare open records divided by each rep's `weight` (default 1) instead of raw counts (default false). */
    weighted: z.boolean().optional(),
  }).strict(),
  z.object({
    /** No owner: the record goes into a public pool to be claimed. */
    strategy: z.literal('pool'),
    /** The pool id the record is put into. */
    pool: z.string().min(1),
  }).strict(),
]);

/** One assignment rule: first match wins. The last rule is the default (no `when`). */
export const assignmentRuleSchema = z
  .object({
    /** Rule id, named in assignment results and explanations (`ruleId`). */
    id: z.string().min(1),
    /** Free text for people reading the rules; not used by the engine. */
    description: z.string().optional(),
    /** JSON-logic condition over `{record, fields, now}`; the rule applies when it is truthy. Omitted: the rule always applies (the last rule must omit it). */
    when: jsonLogicSchema.optional(),
    /** How the owner is picked when the rule applies. */
    assign: strategySchema,
    /**
     * When the rule routes: on `create` (default), and with `update` also when a change of the
     * record's data makes it the first matching rule (a lead whose region or score changes is
     * re-routed).
     */
    on: z.array(z.enum(['create', 'update'])).min(1).optional(),
  })
  .strict();

/** The `assignment` section of the engine rules. */
export const assignmentConfigSchema = z
  .object({
    /** The rules in order: the first whose `when` holds and that resolves an owner wins; the last one (no `when`) is the default. */
    rules: z.array(assignmentRuleSchema).min(1, 'at least one (default) rule is required'),
    /** Record types assigned automatically on create (default: every type). */
    types: z.array(z.string().min(1)).optional(),
    /** Assign automatically on create (default true). */
    onCreate: z.boolean().optional(),
    /** Stages counted as open for load and `maxOpen` (default: every stage not final in the blueprint, else all). */
    openStages: z.array(z.string().min(1)).optional(),
    /** Time zone of capacity periods (default UTC). */
    timeZone: z.string().optional(),
  })
  .strict();

/** How a matched assignment rule picks the owner: `owner`, `roundRobin`, `leastLoaded` or `pool` (parsed {@link strategySchema}). */
export type Strategy = z.infer<typeof strategySchema>;
/** One assignment rule after parsing (see {@link assignmentRuleSchema}). */
export type AssignmentRule = z.infer<typeof assignmentRuleSchema>;
/** The `assignment` section of the engine rules after parsing (see {@link assignmentConfigSchema}). */
export type AssignmentConfig = z.infer<typeof assignmentConfigSchema>;
