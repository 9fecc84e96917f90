import { DateTime } from 'luxon';
import type { Problem } from '@dealflow/logic';
import { normalizeEmailValue, normalizePhoneValue } from './contact.js';
import { fromMinorUnits, minorUnitsOf, toMinorUnits } from './money.js';
import { canonicalType, FIELD_LIMITS } from './schema.js';
import type { FieldSpec, ItemFieldSpec } from './schema.js';

/** A checked value in its stored form, or what is wrong with it. */
export type FieldValueResult = {
  /** The value is valid. */
  ok: true;
  /** Its stored (normalized) form. */
  value: unknown;
} | {
  /** The value is invalid. */
  ok: false;
  /** What is wrong, each problem naming the field and its JSON path. */
  problems: Problem[];
};

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Decimals a money field keeps: its `minorUnits`, else its currency's, else 2. */
export function moneyDigits(spec: ItemFieldSpec): number {
  return spec.minorUnits ?? (spec.currency ? minorUnitsOf(spec.currency) : 2);
}

function bad(name: string, path: string, value: unknown, expected: string, code = 'invalid_type'): FieldValueResult {
  const shown = JSON.stringify(value);
  return { ok: false, problems: [{ path, code, value, message: `field '${name}' must be ${expected}, got ${shown === undefined ? String(value) : shown.slice(0, 80)}` }] };
}

function inRange(name: string, spec: ItemFieldSpec, n: number, path: string): FieldValueResult {
  if (spec.min !== undefined && n < spec.min) return bad(name, path, n, `at least ${spec.min}`, 'too_small');
  if (spec.max !== undefined && n > spec.max) return bad(name, path, n, `at most ${spec.max}`, 'too_big');
  return { ok: true, value: n };
}

/**
 * The stored form of one value of a field, or the problems with it (each naming the field and its
 * JSON path). `exact: false` rounds money to the minor unit instead of refusing extra decimals
 * (computed values). Normalizes: e-mail trimmed and lower-cased, phone to E.164, datetime to UTC
 * ISO with milliseconds, date to `YYYY-MM-DD`, money to whole minor units, list items to their
 * declared fields. `null` clears a field and is returned as is.
 *
 * @example
 * ```ts
 * normalizeFieldValue('phone', { type: 'phone', defaultCountry: 'DE' }, '030 1234567', '$.fields.phone')
 * // { ok: true, value: '+49301234567' }
 * ```
 */
export function normalizeFieldValue(name: string, spec: FieldSpec | ItemFieldSpec, value: unknown, path: string, options: { exact?: boolean } = {}): FieldValueResult {
  if (value === null) return { ok: true, value: null };
  switch (canonicalType(spec.type)) {
    case 'text': {
      if (typeof value !== 'string') return bad(name, path, value, 'a string');
      const max = spec.maxLength ?? FIELD_LIMITS.maxTextLength;
      return value.length > max ? bad(name, path, `${value.slice(0, 20)}…`, `at most ${max} characters long`, 'too_big') : { ok: true, value };
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return bad(name, path, value, 'a finite number');
      if (spec.integer && !Number.isInteger(value)) return bad(name, path, value, 'a whole number');
      return inRange(name, spec, value, path);
    case 'money': {
      // a number in the major unit (a string is refused: '12' and 12 must not both be stored)
      if (typeof value !== 'number') return bad(name, path, value, `an amount (a number${spec.currency ? ` in ${spec.currency}` : ''})`);
      const digits = moneyDigits(spec);
      const minor = toMinorUnits(value, digits, { exact: options.exact !== false });
      if (typeof minor === 'string') return bad(name, path, value, `${spec.currency ? `${spec.currency} ` : ''}${minor}`, 'invalid_money');
      return inRange(name, spec, fromMinorUnits(minor, digits), path);
    }
    case 'boolean':
      return typeof value === 'boolean' ? { ok: true, value } : bad(name, path, value, 'a boolean');
    case 'picklist': {
      const values = spec.values ?? [];
      return typeof value === 'string' && values.includes(value)
        ? { ok: true, value }
        : bad(name, path, value, `one of ${values.map((v) => `'${v}'`).join(', ')}`, 'invalid_enum');
    }
    case 'date': {
      if (typeof value !== 'string' || value.length > 40) return bad(name, path, value, 'an ISO-8601 date (YYYY-MM-DD)');
      const d = DATE_ONLY.test(value) ? DateTime.fromISO(value, { zone: 'utc' }) : DateTime.fromISO(value, { setZone: true });
      return d.isValid ? { ok: true, value: DATE_ONLY.test(value) ? value : d.toUTC().toISODate() } : bad(name, path, value, 'an ISO-8601 date (YYYY-MM-DD)');
    }
    case 'datetime': {
      if (typeof value !== 'string' || value.length > 40) return bad(name, path, value, 'an ISO-8601 date and time with an offset (2026-03-01T09:00:00Z)');
      // a time without an offset would mean a different instant on every server: refused
      const d = DateTime.fromISO(value, { setZone: true });
      const hasZone = /(Z|[+-]\d{2}(:?\d{2})?)$/.test(value);
      return d.isValid && hasZone ? { ok: true, value: d.toUTC().toISO() } : bad(name, path, value, 'an ISO-8601 date and time with an offset (2026-03-01T09:00:00Z)');
    }
    case 'email': {
      const r = normalizeEmailValue(value);
      return r.ok ? r : bad(name, path, value, r.expected);
    }
    case 'phone': {
      const r = normalizePhoneValue(value, spec.defaultCountry);
      return r.ok ? r : bad(name, path, value, r.expected);
    }
    case 'reference':
      return typeof value === 'string' && value.length > 0 && value.length <= FIELD_LIMITS.maxReferenceLength
        ? { ok: true, value }
        : bad(name, path, value, `the id of a${spec.to ? ` '${spec.to}'` : ''} record`);
    case 'list':
      return normalizeList(name, spec as FieldSpec, value, path, options);
  }
}

function normalizeList(name: string, spec: FieldSpec, value: unknown, path: string, options: { exact?: boolean }): FieldValueResult {
  if (!Array.isArray(value)) return bad(name, path, value, 'a list of items');
  const max = spec.maxItems ?? FIELD_LIMITS.maxItems;
  if (value.length > max) return bad(name, path, `${value.length} items`, `at most ${max} items`, 'too_big');
  if (spec.minItems !== undefined && value.length < spec.minItems) return bad(name, path, `${value.length} items`, `at least ${spec.minItems} items`, 'too_small');
  const itemSpec = spec.item ?? {};
  const problems: Problem[] = [];
  const items = value.map((raw, i) => {
    const ip = `${path}[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problems.push({ path: ip, code: 'invalid_type', value: raw, message: `item ${i} of field '${name}' must be an object` });
      return null;
    }
    const item: Record<string, unknown> = {};
    const failed = new Set<string>();
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      const s = itemSpec[k];
      if (!s) {
        problems.push({ path: `${ip}.${k}`, code: 'unknown_field', message: `item ${i} of field '${name}' has unknown field '${k}' (declared: ${Object.keys(itemSpec).join(', ')})` });
        continue;
      }
      if (s.computed !== undefined) continue; // computed by the formula, whatever was sent
      if (v === undefined || v === null) continue;
      const r = normalizeFieldValue(`${name}[${i}].${k}`, s, v, `${ip}.${k}`, options);
      if (r.ok) item[k] = r.value;
      else {
        failed.add(k);
        problems.push(...r.problems);
      }
    }
    for (const [k, s] of Object.entries(itemSpec)) {
      if (item[k] === undefined && s.default !== undefined && s.computed === undefined) item[k] = s.default;
      if (s.required && s.computed === undefined && !failed.has(k) && (item[k] === undefined || item[k] === '')) {
        problems.push({ path: `${ip}.${k}`, code: 'required', message: `item ${i} of field '${name}' needs '${k}'` });
      }
    }
    return item;
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: items };
}
