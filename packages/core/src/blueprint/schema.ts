import { Duration } from 'luxon';
import { z } from 'zod';
import { fieldSchema } from '../fields/schema.js';
import { FORBIDDEN_KEYS } from '../input/limits.js';

/**
 * The zod schema of a blueprint's JSON form. `defineBlueprint` parses with it, then runs the
 * cross-reference checks (unknown stages, unreachable stages, …) that a schema cannot express.
 * The CLI generates the editor JSON Schema from it with `z.toJSONSchema(blueprintSchema)`.
 */

/** Ids of blueprints, stages and events. Stage ids may not contain '.' (XState paths). */
const id = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z][A-Za-z0-9_.:-]*$/, 'must start with a letter and contain only letters, digits, _ . : -')
  .refine((v) => !FORBIDDEN_KEYS.has(v), 'must not be a prototype name (constructor, toString, …)');

/** A JSON-logic rule: any JSON value (validated by `@dealflow/logic` after parsing). */
export const ruleSchema = z.unknown().describe('A JSON-logic rule');

/** At most 100 years, so every due time computed from it is a valid date. */
function withinCenturies(text: string): boolean {
  const d = Duration.fromISO(text);
  return d.isValid && d.as('years') <= 100;
}

/** An ISO-8601 duration such as `P3D`, `PT4H`, `P1DT2H`. */
export const isoDurationSchema = z
  .string()
  .regex(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/, 'must be an ISO-8601 duration like P3D or PT4H')
  .refine(withinCenturies, 'must be at most 100 years (a longer deadline cannot be scheduled)');

export { fieldSchema, fieldTypeSchema, itemFieldSchema } from '../fields/schema.js';

export const stageKindSchema = z.enum(['open', 'won', 'lost', 'closed']);
export const forecastCategorySchema = z.enum(['pipeline', 'best_case', 'commit', 'closed', 'omitted']);

export const deadlineSchema = z
  .object({
    /** How long a record may stay in the stage. */
    within: isoDurationSchema,
    /** Calendar id: count `within` in working hours of that calendar. */
    businessTime: z.string().min(1).optional(),
    /** Reminders, each this long before the breach. */
    remindBefore: z.array(isoDurationSchema).optional(),
    /** The event sent to the record when the deadline passes (an ordinary transition event). */
    onBreach: id,
    /** When the clock starts: at stage entry (default), or again at each change in the stage (an event that keeps the stage, a logged activity). */
    clockStart: z.enum(['stageEntry', 'lastModified']).optional(),
    /** `firstActivity`: the clock stops (no breach, no reminders) once an activity is logged in the stage, like a first-response SLA. */
    stopAt: z.enum(['firstActivity']).optional(),
  })
  .strict();

const stageId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must start with a letter and contain only letters, digits, _ and -');

export const stageSchema = z
  .object({
    id: stageId,
    label: z.string().optional(),
    kind: stageKindSchema.default('open'),
    probability: z.number().min(0).max(1).optional(),
    forecastCategory: forecastCategorySchema.optional(),
    deadline: deadlineSchema.optional(),
    description: z.string().optional(),
    /**
     * What entering this stage asks for besides fields (Zoho Blueprint's "during" step): checklist
     * items to tick, a note, attachment references. Supplied with the event
     * (`engine.send(id, { type, checklist, note, attachments })`); missing → rejected (`requirements`).
     */
    requirements: z
      .object({
        /** Items the rep must tick (by id). */
        checklist: z.array(z.object({ id: z.string().min(1).max(100), label: z.string().min(1).max(500) }).strict()).min(1).max(50).optional(),
        /** A note is required. */
        note: z.boolean().optional(),
        /** At least this many attachment references (ids or URLs the app stores). */
        attachments: z.number().int().min(1).max(20).optional(),
      })
      .strict()
      .optional(),
    /**
     * Fields `engine.update` may change while a record is in this stage: `*` (every field) or a list.
     * Default: every field in an open stage, none in a final one (a won deal's invoice address may
     * be opened up with `["invoiceAddress"]` while its amount stays fixed).
     */
    editable: z.union([z.literal('*'), z.array(z.string().min(1))]).optional(),
    /** A pause stage ("waiting for customer"): entering it stops the deadline of the stage left; returning there resumes it with the time that was left. */
    pause: z.boolean().optional(),
    /** Static analysis settings for this stage (`lintBlueprint`): finding codes to silence here. */
    lint: z.object({ ignore: z.array(z.string().min(1)) }).strict().optional(),
  })
  .strict();

const setAction = z
  .object({
    type: z.literal('set'),
    /** The field to set. */
    field: z.string().min(1),
    /** JSON-logic rule computing the value over `{fields, record, actor, event, now}`. */
    value: ruleSchema,
  })
  .strict();

const taskAction = z
  .object({
    type: z.literal('task'),
    title: z.string().min(1),
    /** JSON-logic rule for the owner id (default: the record's owner). */
    owner: ruleSchema.optional(),
    /** Due this long after the transition. */
    due: isoDurationSchema.optional(),
    /** Calendar id for counting `due` in business time. */
    businessTime: z.string().min(1).optional(),
  })
  .strict();

const emitAction = z
  .object({
    type: z.literal('emit'),
    /** Event name the app receives (`engine.on('emitted')`). */
    event: z.string().min(1),
    /** Each value is a JSON-logic rule. */
    data: z.record(z.string(), ruleSchema).optional(),
  })
  .strict();

const notifyAction = z
  .object({
    type: z.literal('notify'),
    /** Who to notify: a JSON-logic rule or literal (e.g. `"manager"`, `{"var":"record.ownerId"}`). */
    to: ruleSchema,
    /** Channel hint for the app (`email`, `slack`…). */
    channel: z.string().optional(),
    /** Message template name or text. */
    message: z.string().min(1),
    data: z.record(z.string(), ruleSchema).optional(),
  })
  .strict();

const convertTarget = z
  .object({
    /** Blueprint id of the record to create. */
    blueprint: z.string().min(1),
    /** Link name on the source record (e.g. `account`). */
    as: z.string().min(1),
    /** Link name on the new record pointing back (default: the source's record type). */
    backlink: z.string().min(1).optional(),
    /** Field values: each a JSON-logic rule over the source's data (`{"var":"fields.company"}`). */
    fields: z.record(z.string(), ruleSchema).optional(),
    /** Also link the previously created targets by these names (e.g. deal → account). */
    linkTo: z.array(z.string()).optional(),
  })
  .strict();

const convertAction = z
  .object({
    type: z.literal('convert'),
    create: z.array(convertTarget).min(1),
  })
  .strict();

const assignAction = z
  .object({
    type: z.literal('assign'),
    /** JSON-logic rule for the new owner's rep id (e.g. `"legal-desk"`); the engine sets it. */
    owner: ruleSchema.optional(),
    /** With `strategy`: the team to draw from (`roundRobin`, `leastLoaded`); with `owner`: the record's new team. */
    team: z.string().min(1).optional(),
    /** Route by the engine's assignment rules (`rules`), by a strategy over `team`, or into `pool` (needs `createEngine({ rules })`). */
    strategy: z.enum(['rules', 'roundRobin', 'leastLoaded', 'pool']).optional(),
    /** The pool, for `strategy: "pool"`. */
    pool: z.string().min(1).optional(),
  })
  .strict();

export const actionSchema = z.discriminatedUnion('type', [setAction, taskAction, emitAction, notifyAction, convertAction, assignAction]);

export const transitionSchema = z
  .object({
    /** Event name that fires it. */
    event: id,
    /** One stage id, several, or `*` (every non-final stage). */
    from: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    /** Target stage id. */
    to: z.string().min(1),
    label: z.string().optional(),
    /** JSON-logic guard over `{fields, record, actor, event, now}`; false → rejected (`guard`). */
    guard: ruleSchema.optional(),
    /** Fields that must be set to fire it (besides the target stage's required fields). */
    requires: z.array(z.string().min(1)).optional(),
    /** Who may fire it: JSON-logic rule over `{actor, record, fields}`; false → rejected (`forbidden`). */
    allow: ruleSchema.optional(),
    actions: z.array(actionSchema).optional(),
  })
  .strict();

export const calendarSchema = z
  .object({
    id: z.string().min(1),
    timeZone: z.string().min(1),
    workingHours: z.record(z.string(), z.array(z.tuple([z.string(), z.string()]))),
    holidays: z.array(z.string()).optional(),
    workdays: z.array(z.string()).optional(),
  })
  .passthrough();

/**
 * A timer relative to a date or datetime field: a reminder, or an event sent to the record, this
 * long before or after the field's time ("P3D before fields.expectedCloseDate", "when
 * fields.dueDate passes"). Durable like stage deadlines, and re-planned when the field changes.
 */
export const dateTimerSchema = z
  .object({
    /** Timer id, unique in the blueprint. */
    id,
    /** The date or datetime field it is relative to. */
    field: z.string().min(1),
    /** Fire this long before the field's time. */
    before: isoDurationSchema.optional(),
    /** Fire this long after the field's time (`P1D` after a date: once that day has passed). */
    after: isoDurationSchema.optional(),
    /** Calendar id: count `before` / `after` in its working hours; a date starts at 00:00 in its time zone. */
    businessTime: z.string().min(1).optional(),
    /** Stages in which the timer runs (default: every open stage). */
    stages: z.array(z.string().min(1)).min(1).optional(),
    /** The event sent to the record when it fires (an ordinary transition event); without it the timer is a reminder. */
    send: id.optional(),
    /** Reminder text for the app (`engine.on('reminder')`, outbox `dealflow.reminder`). */
    message: z.string().min(1).max(500).optional(),
  })
  .strict();

/** The JSON form of a blueprint. */
export const blueprintSchema = z
  .object({
    $schema: z.string().optional(),
    id,
    version: z.number().int().min(1),
    /** Record type: `lead`, `deal`, `contract`, `payment`, or any string. */
    recordType: z.string().min(1),
    name: z.string().optional(),
    description: z.string().optional(),
    fields: z.record(z.string().refine((v) => !FORBIDDEN_KEYS.has(v), 'a field name must not be a prototype name (__proto__, constructor, toString, …)'), fieldSchema).default({}),
    stages: z.array(stageSchema).min(1),
    initialStage: z.string().min(1),
    transitions: z.array(transitionSchema).default([]),
    /** Timers relative to date fields (reminders, events such as an overdue escalation). */
    dateTimers: z.array(dateTimerSchema).optional(),
    /** Business calendars the deadlines may refer to (besides those given to the engine). */
    calendars: z.array(calendarSchema).optional(),
  })
  .strict();

/** Blueprint JSON as written by a process designer (input of {@link blueprintSchema}). */
export type BlueprintInput = z.input<typeof blueprintSchema>;
/** Blueprint JSON after parsing (defaults applied). */
export type BlueprintSpec = z.output<typeof blueprintSchema>;
export type { FieldSpec, FieldType, ItemFieldSpec } from '../fields/schema.js';
export type StageSpec = z.output<typeof stageSchema>;
export type StageKind = z.output<typeof stageKindSchema>;
export type ForecastCategory = z.output<typeof forecastCategorySchema>;
export type DeadlineSpec = z.output<typeof deadlineSchema>;
export type TransitionSpec = z.output<typeof transitionSchema>;
export type ActionSpec = z.output<typeof actionSchema>;
export type ConvertTargetSpec = z.output<typeof convertTarget>;
export type CalendarSpec = z.output<typeof calendarSchema>;
export type DateTimerSpec = z.output<typeof dateTimerSchema>;
