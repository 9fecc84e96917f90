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

/** A stage's kind: `open` (default), or a final kind — `won`, `lost`, `closed` — that no transition leaves. */
export const stageKindSchema = z.enum(['open', 'won', 'lost', 'closed']);
/** The forecast bucket of a stage (Salesforce-style): `pipeline`, `best_case`, `commit`, `closed`, `omitted`. */
export const forecastCategorySchema = z.enum(['pipeline', 'best_case', 'commit', 'closed', 'omitted']);

/** A stage's deadline (SLA): how long a record may stay, reminders before, and the event sent on breach. */
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

/** One stage of a blueprint (a state of its XState machine). */
export const stageSchema = z
  .object({
    /** Stage id, unique in the blueprint: letters, digits, `_` and `-`, starting with a letter (no `.`). */
    id: stageId,
    /** Display name for people (diagrams, UIs); default: the id. */
    label: z.string().optional(),
    /** `open` (default) or a final kind (`won`, `lost`, `closed`): a final stage accepts no events and no transition leaves it. */
    kind: stageKindSchema.default('open'),
    /** Win probability of a record in this stage, 0–1, for weighted pipeline forecasts (amount × probability). */
    probability: z.number().min(0).max(1).optional(),
    /** The forecast bucket records in this stage count in. */
    forecastCategory: forecastCategorySchema.optional(),
    /** How long a record may stay in this stage, with reminders and a breach event; none by default. */
    deadline: deadlineSchema.optional(),
    /** Free text for people (what the stage means, what to do in it): shown in diagrams and by `nextSteps`; no effect on behaviour. */
    description: z.string().optional(),
    /**
     * What entering this stage asks for besides fields (Zoho Blueprint's "during" step): checklist
     * items to tick, a note, attachment references. Supplied with the event
     * (`engine.send(id, { type, checklist, note, attachments })`); missing → rejected (`requirements`).
     */
    requirements: z
      .object({
        /** Items the rep must tick (by id). */
        checklist: z.array(z.object({
          /** Item id, sent in the event's `checklist` list to tick it. */
          id: z.string().min(1).max(100),
          /** What the rep checks, as shown to people. */
          label: z.string().min(1).max(500),
        }).strict()).min(1).max(50).optional(),
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
    lint: z.object({
      /** Finding codes `lintBlueprint` does not report for this stage (e.g. `stage_without_deadline`). */
      ignore: z.array(z.string().min(1)),
    }).strict().optional(),
  })
  .strict();

const setAction = z
  .object({
    /** `set`: compute a field's value when the transition fires (actions run in order; later ones see earlier results). */
    type: z.literal('set'),
    /** The field to set. */
    field: z.string().min(1),
    /** JSON-logic rule computing the value over `{fields, record, actor, event, now}`. */
    value: ruleSchema,
  })
  .strict();

const taskAction = z
  .object({
    /** `task`: add a to-do to the record (`meta.tasks`). */
    type: z.literal('task'),
    /** The task's text, as shown to its owner. */
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
    /** `emit`: hand a named event of your own to the app (`engine.on('emitted')` and an outbox `dealflow.emitted` message). */
    type: z.literal('emit'),
    /** Event name the app receives (`engine.on('emitted')`). */
    event: z.string().min(1),
    /** Each value is a JSON-logic rule. */
    data: z.record(z.string(), ruleSchema).optional(),
  })
  .strict();

const notifyAction = z
  .object({
    /** `notify`: ask the app to notify someone (`engine.on('notify')` and an outbox `dealflow.notify` message); the app delivers it. */
    type: z.literal('notify'),
    /** Who to notify: a JSON-logic rule or literal (e.g. `"manager"`, `{"var":"record.ownerId"}`). */
    to: ruleSchema,
    /** Channel hint for the app (`email`, `slack`…). */
    channel: z.string().optional(),
    /** Message template name or text. */
    message: z.string().min(1),
    /** Extra values for the template: each value is a JSON-logic rule over the transition data. */
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
    /** `convert`: create linked records from this one (lead → account, contact, deal). */
    type: z.literal('convert'),
    /** The records to create, in order (a later one may link to an earlier one with `linkTo`). */
    create: z.array(convertTarget).min(1),
  })
  .strict();

const assignAction = z
  .object({
    /** `assign`: change the record's owner, team or pool as part of the transition. */
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

/** One action a transition runs when it fires: `set`, `task`, `emit`, `notify`, `convert` or `assign` (by `type`). */
export const actionSchema = z.discriminatedUnion('type', [setAction, taskAction, emitAction, notifyAction, convertAction, assignAction]);

/** One transition: the event that moves a record from some stages to another, with its guard, permissions and actions. */
export const transitionSchema = z
  .object({
    /** Event name that fires it. */
    event: id,
    /** One stage id, several, or `*` (every non-final stage). */
    from: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    /** Target stage id. */
    to: z.string().min(1),
    /** Display name of the step for people (buttons, diagrams); default: the event name. */
    label: z.string().optional(),
    /** JSON-logic guard over `{fields, record, actor, event, now}`; false → rejected (`guard`). */
    guard: ruleSchema.optional(),
    /** Fields that must be set to fire it (besides the target stage's required fields). */
    requires: z.array(z.string().min(1)).optional(),
    /** Who may fire it: JSON-logic rule over `{actor, record, fields}`; false → rejected (`forbidden`). */
    allow: ruleSchema.optional(),
    /** What firing it does besides changing the stage, in order (see `actionSchema`). */
    actions: z.array(actionSchema).optional(),
  })
  .strict();

/**
 * A business calendar as data (checked in full by `@dealflow/logic`'s `createCalendar`): the
 * working hours that `businessTime` deadlines, timers and tasks count in.
 */
export const calendarSchema = z
  .object({
    /** The name deadlines and rules use for this calendar (`businessTime: "office"`). */
    id: z.string().min(1),
    /** IANA time zone the hours and dates are local to, e.g. `Europe/Berlin`. */
    timeZone: z.string().min(1),
    /** Working hours per weekday key (`mon` … `sun`): local `["09:00", "17:00"]` ranges; a missing day is not worked. */
    workingHours: z.record(z.string(), z.array(z.tuple([z.string(), z.string()]))),
    /** Local dates `YYYY-MM-DD` that are not worked. */
    holidays: z.array(z.string()).optional(),
    /** Make-up working days `YYYY-MM-DD` (worked with Monday's hours). */
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
    /** Path or URL of the JSON Schema for editors; ignored by the engine. */
    $schema: z.string().optional(),
    /** Blueprint id: records name it (`record.blueprintId`) and `createEngine` looks blueprints up by it. */
    id,
    /** Version number (an integer from 1): each record keeps the version it was created with until migrated. */
    version: z.number().int().min(1),
    /** Record type: `lead`, `deal`, `contract`, `payment`, or any string. */
    recordType: z.string().min(1),
    /** Display name for people (diagram titles; default: the id); no effect on behaviour. */
    name: z.string().optional(),
    /** Free text for people about the process (kept in exported diagrams); no effect on behaviour. */
    description: z.string().optional(),
    /** The record's fields by name: type, required-in stages, default, validation (see {@link fieldSchema}). Default: none. */
    fields: z.record(z.string().refine((v) => !FORBIDDEN_KEYS.has(v), 'a field name must not be a prototype name (__proto__, constructor, toString, …)'), fieldSchema).default({}),
    /** The stages, in display order (at least one). */
    stages: z.array(stageSchema).min(1),
    /** The stage id every new record starts in. */
    initialStage: z.string().min(1),
    /** The transitions between stages (default: none). */
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
/** One stage of a parsed blueprint (see `stageSchema`). */
export type StageSpec = z.output<typeof stageSchema>;
/** A stage's kind: `open`, `won`, `lost` or `closed` (see `stageKindSchema`). */
export type StageKind = z.output<typeof stageKindSchema>;
/** A stage's forecast bucket (see `forecastCategorySchema`). */
export type ForecastCategory = z.output<typeof forecastCategorySchema>;
/** A stage's deadline after parsing (see `deadlineSchema`). */
export type DeadlineSpec = z.output<typeof deadlineSchema>;
/** One transition of a parsed blueprint (see `transitionSchema`). */
export type TransitionSpec = z.output<typeof transitionSchema>;
/** One transition action after parsing (see `actionSchema`). */
export type ActionSpec = z.output<typeof actionSchema>;
/** One record a `convert` action creates. */
export type ConvertTargetSpec = z.output<typeof convertTarget>;
/** A business calendar as a blueprint carries it (see `calendarSchema`). */
export type CalendarSpec = z.output<typeof calendarSchema>;
/** A date-field timer after parsing (see `dateTimerSchema`). */
export type DateTimerSpec = z.output<typeof dateTimerSchema>;
