import { z } from 'zod';

/**
 * The zod schema of a blueprint field: its type and the settings of that type. A field's value
 * is always plain JSON (numbers, strings, booleans, arrays of objects), so records, history and
 * every store keep it as is; `fields/values.ts` checks and normalizes values, `fields/computed.ts`
 * evaluates computed fields.
 */

/** A JSON-logic rule (validated by `@dealflow/logic` when the blueprint is defined). */
const formulaSchema = z.unknown().describe('A JSON-logic rule');

/**
 * Field value types. `string` and `enum` are the older names of `text` and `picklist` and mean
 * exactly the same.
 */
export const fieldTypeSchema = z.enum([
  'text',
  'string',
  'number',
  'money',
  'date',
  'datetime',
  'picklist',
  'enum',
  'boolean',
  'email',
  'phone',
  'reference',
  'list',
]);

/** Labels of one value in several languages, by language tag: `{ "en": "Hot", "zh": "热" }`. */
const languageLabels = z.record(z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag like en, zh or pt-BR'), z.string().min(1).max(200));

/** Settings every field type shares, and the settings of each type (checked against the type by `checkFieldSpecs`). */
const fieldSettings = {
  /** The value type (see `fieldTypeSchema`); decides which other settings apply. */
  type: fieldTypeSchema,
  /** Display name for people (forms, error hints); default: the field name. */
  label: z.string().max(200).optional(),
  /** Free text for people about what the field holds; not used by the engine. */
  description: z.string().max(2000).optional(),
  /** Required when the record is created. */
  required: z.boolean().optional(),
  /** Value used when the record is created without it. */
  default: z.unknown().optional(),
  /**
   * A computed field: this JSON-logic formula over `{ fields }` (over `{ item }` inside a list item)
   * is evaluated on every change of the record; the field cannot be written directly.
   */
  computed: formulaSchema.optional(),
  /** `text`: the longest value (default 10 000 characters). */
  maxLength: z.number().int().min(1).max(1_000_000).optional(),
  /** `number`, `money`: the smallest value allowed (for money, an amount in the currency, not minor units). */
  min: z.number().optional(),
  /** `number`, `money`: the largest value allowed (for money, an amount in the currency, not minor units). */
  max: z.number().optional(),
  /** `number`: whole numbers only. */
  integer: z.boolean().optional(),
  /** ISO-4217 currency of a `money` field; its values are amounts in that currency, kept in whole minor units. */
  currency: z.string().regex(/^[A-Z]{3}$/).optional(),
  /** `money`: decimals of the minor unit (default: the currency's, e.g. 2 for EUR, 0 for JPY). */
  minorUnits: z.number().int().min(0).max(4).optional(),
  /** Allowed values, for `picklist` (and `enum`) fields (required there). */
  values: z.array(z.string().min(1).max(200)).min(1).max(1000).optional(),
  /** `picklist`: labels of the values in several languages: `{ "hot": { "en": "Hot", "zh": "热" } }`. */
  labels: z.record(z.string(), languageLabels).optional(),
  /** `phone`: ISO-3166 country (e.g. `DE`) of numbers written without a country code. */
  defaultCountry: z.string().regex(/^[A-Z]{2}$/).optional(),
  /** `reference`: the record type (or blueprint id) of the referenced record. */
  to: z.string().min(1).max(100).optional(),
  /**
   * `date`, `datetime`: show the record on its owner's agenda on this date, under this title
   * (e.g. `"Next contact"`).
   */
  agenda: z.string().min(1).max(200).optional(),
};

/** A field inside a list item: any type but `list`, without stage settings. */
export const itemFieldSchema = z.object(fieldSettings).strict();

/** One field of a blueprint: its type, the settings of that type, and in which stages it is required. */
export const fieldSchema = z
  .object({
    ...fieldSettings,
    /** Stages (ids) in which the field must be set: entering them without it is rejected. `*` = every stage. */
    requiredIn: z.union([z.literal('*'), z.array(z.string())]).optional(),
    /** `list`: the fields of each item, by name (e.g. product, quantity, unitPrice, discount). */
    item: z.record(z.string(), itemFieldSchema).optional(),
    /** `list`: the fewest items allowed (default 0). */
    minItems: z.number().int().min(0).max(1000).optional(),
    /** `list`: the most items allowed (default 200, at most 1000). */
    maxItems: z.number().int().min(1).max(1000).optional(),
  })
  .strict();

/** One blueprint field after parsing (see {@link fieldSchema}). */
export type FieldSpec = z.output<typeof fieldSchema>;
/** One field of a list item after parsing (see {@link itemFieldSchema}). */
export type ItemFieldSpec = z.output<typeof itemFieldSchema>;
/** A field value type, e.g. `text`, `money`, `picklist` (see `fieldTypeSchema`). */
export type FieldType = z.output<typeof fieldTypeSchema>;

/** The canonical name of a type (`string` → `text`, `enum` → `picklist`). */
export function canonicalType(type: FieldType): Exclude<FieldType, 'string' | 'enum'> {
  return type === 'string' ? 'text' : type === 'enum' ? 'picklist' : type;
}

/** Default and hard limits on field values. */
export const FIELD_LIMITS = Object.freeze({
  /** Longest `text` value unless the field sets `maxLength`. */
  maxTextLength: 10_000,
  /** Most items of a `list` unless the field sets `maxItems`. */
  maxItems: 200,
  /** Longest e-mail address (RFC 5321). */
  maxEmailLength: 254,
  /** Longest record id a `reference` may hold. */
  maxReferenceLength: 200,
});
