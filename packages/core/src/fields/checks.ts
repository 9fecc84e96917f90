import type { Problem } from '@dealflow/logic';
import { isCurrency } from './money.js';
import { canonicalType } from './schema.js';
import type { FieldSpec, ItemFieldSpec } from './schema.js';
import { normalizeFieldValue } from './values.js';

/** Which canonical types each type-specific setting belongs to. */
const SETTING_TYPES: Record<string, readonly string[]> = {
  maxLength: ['text'],
  min: ['number', 'money'],
  max: ['number', 'money'],
  integer: ['number'],
  currency: ['money'],
  minorUnits: ['money'],
  values: ['picklist'],
  labels: ['picklist'],
  defaultCountry: ['phone'],
  to: ['reference'],
  agenda: ['date', 'datetime'],
  item: ['list'],
  minItems: ['list'],
  maxItems: ['list'],
};

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Problems of one field declaration that the schema cannot express: settings of another type,
 * missing `values` / `item` / `to`, unknown currencies, labels of undeclared values, a default that
 * is not a valid value. `path` is the field's JSON path (`$.fields.amount`).
 *
 * @example
 * ```ts
 * fieldSpecProblems('stage', { type: 'picklist' }, '$.fields.stage') // [{ code: 'enum_values_missing', … }]
 * ```
 */
export function fieldSpecProblems(name: string, f: FieldSpec | ItemFieldSpec, path: string): Problem[] {
  const out: Problem[] = [];
  const type = canonicalType(f.type);
  for (const [setting, types] of Object.entries(SETTING_TYPES)) {
    if ((f as Record<string, unknown>)[setting] === undefined || types.includes(type)) continue;
    out.push({
      path: `${path}.${setting}`,
      code: setting === 'values' ? 'values_not_enum' : 'setting_of_other_type',
      message: `field '${name}' has '${setting}' but is of type '${f.type}' ('${setting}' belongs to ${types.join(', ')})`,
    });
  }
  if (type === 'picklist' && !f.values) out.push({ path: `${path}.values`, code: 'enum_values_missing', message: `${f.type} field '${name}' needs 'values'` });
  if (type === 'picklist' && f.values && new Set(f.values).size !== f.values.length) {
    out.push({ path: `${path}.values`, code: 'duplicate_value', message: `${f.type} field '${name}' lists a value twice` });
  }
  for (const v of Object.keys(f.labels ?? {})) {
    if (!f.values?.includes(v)) out.push({ path: `${path}.labels.${v}`, code: 'unknown_value', value: v, message: `field '${name}' labels '${v}', which is not one of its values` });
  }
  if (f.currency !== undefined && !isCurrency(f.currency)) out.push({ path: `${path}.currency`, code: 'unknown_currency', value: f.currency, message: `field '${name}': '${f.currency}' is not an ISO-4217 currency` });
  if (type === 'reference' && f.to === undefined) out.push({ path: `${path}.to`, code: 'reference_target_missing', message: `reference field '${name}' needs 'to' (the record type it points to)` });
  if (f.min !== undefined && f.max !== undefined && f.min > f.max) out.push({ path: `${path}.min`, code: 'empty_range', message: `field '${name}': min ${f.min} is above max ${f.max}` });
  if (type === 'list') {
    const list = f as FieldSpec;
    if (!list.item || Object.keys(list.item).length === 0) out.push({ path: `${path}.item`, code: 'list_item_missing', message: `list field '${name}' needs 'item' (the fields of each item)` });
    for (const [k, s] of Object.entries(list.item ?? {})) {
      const ip = `${path}.item.${k}`;
      if (!IDENTIFIER.test(k)) out.push({ path: ip, code: 'invalid_field_name', value: k, message: `item field name '${k}' must be an identifier (letters, digits, _)` });
      if (canonicalType(s.type) === 'list') out.push({ path: `${ip}.type`, code: 'nested_list', message: `item field '${name}.${k}' cannot itself be a list` });
      else out.push(...fieldSpecProblems(`${name}.${k}`, s, ip));
    }
    if (list.minItems !== undefined && list.maxItems !== undefined && list.minItems > list.maxItems) {
      out.push({ path: `${path}.minItems`, code: 'empty_range', message: `list field '${name}': minItems ${list.minItems} is above maxItems ${list.maxItems}` });
    }
  }
  if (f.default !== undefined && out.length === 0 && f.computed === undefined) {
    const r = normalizeFieldValue(name, f, f.default, `${path}.default`);
    if (!r.ok) out.push(...r.problems.map((p) => ({ ...p, code: 'invalid_default' })));
  }
  return out;
}
