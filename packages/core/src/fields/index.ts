export { fieldSchema, itemFieldSchema, fieldTypeSchema, canonicalType, FIELD_LIMITS } from './schema.js';
export type { FieldSpec, ItemFieldSpec, FieldType } from './schema.js';
export { normalizeFieldValue, moneyDigits } from './values.js';
export type { FieldValueResult } from './values.js';
export { toMinorUnits, fromMinorUnits, minorUnitsOf, isCurrency } from './money.js';
export { normalizeEmailValue, normalizePhoneValue } from './contact.js';
export { computedFieldProblems, compileComputedFields } from './computed.js';
export type { ComputedFields } from './computed.js';
export { fieldSpecProblems } from './checks.js';
