import { z } from 'zod';
import { blueprintSchema } from '../blueprint/schema.js';

/** Where the published JSON Schema lives (the `$id` of {@link blueprintJsonSchema}). */
export const BLUEPRINT_SCHEMA_ID = 'https://dealflow.dev/schemas/blueprint.schema.json';

/**
 * Descriptions editors show on hover, keyed by JSON-Schema location (`properties.x`,
 * `stage.deadline.within`, …). The zod schema documents its fields in comments; these are the
 * same words, attached to the generated schema.
 */
const DESCRIPTIONS: Record<string, string> = {
  '': 'A Dealflow blueprint: the stages a record moves through, the transitions between them, what each transition requires and how long a record may stay in a stage.',
  $schema: 'The JSON Schema of this file (for editor completion): a path from this file to your node_modules, e.g. "./node_modules/@dealflow/core/blueprint.schema.json" (dealflow init writes the right one).',
  id: 'Blueprint id (letters, digits, _ . : -; starts with a letter).',
  version: 'Blueprint version (integer ≥ 1). Records keep the version they were created with.',
  recordType: 'Record type: lead, deal, contract, payment, or any string.',
  name: 'Human-readable name.',
  description: 'Free text.',
  fields: 'Fields of the record, by name (an identifier).',
  stages: 'The stages, in display order. Stages of kind won, lost and closed are final.',
  initialStage: 'The stage a new record starts in (a declared stage id).',
  transitions: 'The transitions: an event moves a record from one stage (or several, or `*`) to another.',
  calendars: 'Business calendars deadlines may name in `businessTime` (besides those given to the engine).',
  dateTimers: 'Timers relative to date fields: a reminder, or an event sent to the record, this long before or after the field\'s time; re-planned when the field changes.',
  'field.type': 'Value type: text (string), number, money (amount in `currency`, whole minor units), date (YYYY-MM-DD), datetime (ISO with offset, kept in UTC), picklist (enum: one of `values`), boolean, email and phone (normalized), reference (id of a `to` record), list (items with the fields of `item`).',
  'field.label': 'Label shown in apps.',
  'field.description': 'Free text.',
  'field.values': 'Allowed values of a `picklist` field (required there).',
  'field.labels': 'Labels of the picklist values in several languages: { "hot": { "en": "Hot", "zh": "热" } }.',
  'field.currency': 'ISO-4217 currency of a `money` field.',
  'field.minorUnits': 'Decimals of a money field\'s minor unit (default: the currency\'s, e.g. 2 for EUR, 0 for JPY).',
  'field.required': 'Required when the record is created.',
  'field.requiredIn': 'Stages (ids) in which the field must be set; entering them without it is rejected. `*` = every stage.',
  'field.default': 'Value used when the record is created without it.',
  'field.computed': 'A JSON-logic formula over {fields} (inside a list item: over {item}); the engine recomputes it on every change and the field cannot be written.',
  'field.maxLength': 'Longest value of a text field (default 10 000 characters).',
  'field.min': 'Smallest value of a number or money field.',
  'field.max': 'Largest value of a number or money field.',
  'field.integer': 'Whole numbers only (number fields).',
  'field.defaultCountry': 'ISO-3166 country (e.g. DE) of phone numbers written without a country code.',
  'field.to': 'Record type (or blueprint id) a reference field points to.',
  'field.agenda': 'Date and datetime fields: show the record on its owner\'s agenda on this date, under this title (e.g. "Next contact").',
  'field.item': 'List fields: the fields of each item, by name (e.g. product, quantity, unitPrice, discount).',
  'field.minItems': 'Fewest items of a list field.',
  'field.maxItems': 'Most items of a list field (default 200, at most 1000).',
  'stage.id': 'Stage id (letters, digits, _ and -; starts with a letter).',
  'stage.label': 'Label shown in apps and diagrams.',
  'stage.kind': 'open (default), or a final kind: won, lost, closed.',
  'stage.probability': 'Win probability of a record in this stage (0–1), for weighted pipeline forecasts.',
  'stage.forecastCategory': 'Forecast category: pipeline, best_case, commit, closed, omitted.',
  'stage.deadline': 'How long a record may stay in this stage, and what happens when it stays longer.',
  'stage.description': 'Free text.',
  'stage.requirements': 'What entering this stage asks for besides fields: checklist items to tick, a note, attachment references; supplied with the event (checklist, note, attachments).',
  'stage.editable': 'Fields engine.update may change in this stage: "*" or a list of field names. Default: every field in an open stage, none in a final one.',
  'stage.lint': 'Static analysis settings for this stage: `ignore` lists finding codes of `dealflow validate` to silence here (e.g. `stage_without_deadline`).',
  'deadline.within': 'ISO-8601 duration (P3D, PT4H, P1DT2H) a record may stay in the stage.',
  'deadline.businessTime': 'Calendar id: count `within` in working hours of that calendar.',
  'deadline.remindBefore': 'Reminders, each this long (ISO duration) before the breach.',
  'deadline.onBreach': 'The event sent to the record when the deadline passes (handled by an ordinary transition).',
  'transition.event': 'Event name that fires the transition.',
  'transition.from': 'Stage id, list of stage ids, or `*` (every non-final stage).',
  'transition.to': 'Target stage id.',
  'transition.label': 'Label shown in diagrams.',
  'transition.guard': 'JSON-logic rule over {fields, record, actor, event, now}; false → rejected (reason `guard`).',
  'transition.requires': 'Fields that must be set to fire it (besides the target stage\'s required fields).',
  'transition.allow': 'Who may fire it: JSON-logic rule over {actor, record, fields}; false → rejected (reason `forbidden`).',
  'transition.actions': 'Actions run when the transition fires: set, task, emit, notify, convert.',
  'action.type': 'The kind of action.',
  'action.set.field': 'The field to set.',
  'action.set.value': 'JSON-logic rule computing the value over {fields, record, actor, event, now}.',
  'action.task.title': 'Task title.',
  'action.task.owner': 'JSON-logic rule for the owner id (default: the record\'s owner).',
  'action.task.due': 'Due this long (ISO duration) after the transition.',
  'action.task.businessTime': 'Calendar id for counting `due` in business time.',
  'action.emit.event': 'Event name the app receives (`engine.on(\'emitted\')`).',
  'action.emit.data': 'Event data: each value is a JSON-logic rule.',
  'action.notify.to': 'Who to notify: a JSON-logic rule or literal (e.g. "manager", {"var":"record.ownerId"}).',
  'action.notify.channel': 'Channel hint for the app (email, slack, …).',
  'action.notify.message': 'Message template name or text.',
  'action.notify.data': 'Message data: each value is a JSON-logic rule.',
  'action.convert.create': 'The records to create (e.g. account, contact and deal from a lead).',
  'convert.blueprint': 'Blueprint id of the record to create.',
  'convert.as': 'Link name on the source record (e.g. `account`).',
  'convert.backlink': 'Link name on the new record pointing back (default: the source\'s record type).',
  'convert.fields': 'Field values: each a JSON-logic rule over the source\'s data ({"var":"fields.company"}).',
  'convert.linkTo': 'Also link the previously created targets by these names (e.g. deal → account).',
  'dateTimer.id': 'Timer id, unique in the blueprint.',
  'dateTimer.field': 'The date or datetime field the timer is relative to.',
  'dateTimer.before': 'Fire this long (ISO duration) before the field\'s time, e.g. P3D.',
  'dateTimer.after': 'Fire this long after the field\'s time (P1D after a date: once that day has passed).',
  'dateTimer.businessTime': 'Calendar id: count before/after in its working hours; a date starts at 00:00 in its time zone.',
  'dateTimer.stages': 'Stages in which the timer runs (default: every open stage).',
  'dateTimer.send': 'Event sent to the record when it fires (handled by an ordinary transition); without it the timer is a reminder.',
  'dateTimer.message': 'Reminder text for the app.',
  'calendar.id': 'Calendar id, named by `deadline.businessTime`.',
  'calendar.timeZone': 'IANA time zone, e.g. Europe/Berlin.',
  'calendar.workingHours': 'Working hours by weekday (mon…sun): a list of ["09:00", "17:00"] ranges.',
  'calendar.holidays': 'Non-working dates (YYYY-MM-DD).',
  'calendar.workdays': 'Extra working dates (make-up days, YYYY-MM-DD).',
};

type JsonObject = Record<string, unknown>;

function obj(v: unknown): JsonObject | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

function describe(node: unknown, key: string): void {
  const o = obj(node);
  const text = DESCRIPTIONS[key];
  if (o && text && (o.description === undefined || o.description === 'A JSON-logic rule')) o.description = text;
}

function describeProps(node: unknown, prefix: string): void {
  const props = obj(obj(node)?.properties);
  if (!props) return;
  for (const [k, v] of Object.entries(props)) describe(v, prefix ? `${prefix}.${k}` : k);
}

/**
 * The JSON Schema (draft 2020-12) of a blueprint file, generated from the zod
 * `blueprintSchema` with `z.toJSONSchema` (input side: defaults are optional), with editor
 * descriptions. The same document is committed as `@dealflow/core/blueprint.schema.json`.
 *
 * @example
 * ```ts
 * import { blueprintJsonSchema } from '@dealflow/core'
 * fs.writeFileSync('blueprint.schema.json', JSON.stringify(blueprintJsonSchema(), null, 2))
 * // in a blueprint: { "$schema": "./blueprint.schema.json", "id": "deal", ... }
 * ```
 */
export function blueprintJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(blueprintSchema, { io: 'input', unrepresentable: 'any' }) as JsonObject;
  const schema: JsonObject = {
    $schema: generated.$schema,
    $id: BLUEPRINT_SCHEMA_ID,
    title: 'Dealflow blueprint',
    ...generated,
  };
  describe(schema, '');
  describeProps(schema, '');
  const props = obj(schema.properties) ?? {};
  const field = obj(obj(props.fields)?.additionalProperties);
  describeProps(field, 'field');
  describeProps(obj(obj(obj(field?.properties)?.item)?.additionalProperties), 'field');
  const stage = obj(obj(props.stages)?.items);
  describeProps(stage, 'stage');
  describeProps(obj(obj(stage?.properties)?.deadline), 'deadline');
  const transition = obj(obj(props.transitions)?.items);
  describeProps(transition, 'transition');
  const actions = obj(obj(obj(transition?.properties)?.actions)?.items);
  for (const variant of ((actions?.oneOf ?? actions?.anyOf) as unknown[] | undefined) ?? []) {
    const type = obj(obj(obj(variant)?.properties)?.type)?.const;
    describe(obj(obj(variant)?.properties)?.type, 'action.type');
    describeProps(variant, `action.${String(type)}`);
    if (type === 'convert') describeProps(obj(obj(obj(obj(variant)?.properties)?.create)?.items), 'convert');
  }
  describeProps(obj(obj(props.calendars)?.items), 'calendar');
  describeProps(obj(obj(props.dateTimers)?.items), 'dateTimer');
  return schema;
}
