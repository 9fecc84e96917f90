import { DealflowError } from '@dealflow/logic';
import type { Problem } from '@dealflow/logic';
import type { Blueprint } from '../blueprint/define.js';
import type { FieldSpec } from '../blueprint/schema.js';
import { suggest } from '../blueprint/checks.js';
import { normalizeFieldValue } from '../fields/values.js';

/** Problem with one value of a field, or null when it fits the field's type. */
export function checkFieldValue(name: string, spec: FieldSpec, value: unknown, path: string): Problem | null {
  const r = normalizeFieldValue(name, spec, value, path);
  return r.ok ? null : r.problems[0]!;
}

/**
 * Checks field values given by a caller against the blueprint (known names, types, computed
 * fields are not writable) and returns them in stored form (normalized e-mail, phone, money,
 * dates, list items; `null` kept: it clears the field). Throws `DealflowError('INPUT_INVALID')`
 * listing every problem.
 */
export function normalizeFields(bp: Blueprint, values: Record<string, unknown>, where: string, recordId: string | null): Record<string, unknown> {
  const problems: Problem[] = [];
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new DealflowError('INPUT_INVALID', `${where}: fields must be an object`, { problems: [{ path: '$.fields', message: 'must be an object' }] });
  }
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    const path = `$.fields.${name}`;
    // own properties only: `constructor` or `toString` are never declared fields
    const spec = Object.prototype.hasOwnProperty.call(bp.fields, name) ? bp.fields[name] : undefined;
    if (!spec) {
      const hint = suggest(name, Object.keys(bp.fields));
      problems.push({
        path,
        code: 'unknown_field',
        message: `unknown field '${name}' for blueprint '${bp.id}'`,
        ...(hint ? { hint: `did you mean '${hint}'?` } : {}),
      });
      continue;
    }
    if (spec.computed !== undefined) {
      problems.push({ path, code: 'computed_field', message: `field '${name}' is computed by its formula and cannot be written` });
      continue;
    }
    if (value === undefined) continue;
    const r = normalizeFieldValue(name, spec, value, path);
    if (r.ok) out[name] = r.value;
    else problems.push(...r.problems);
  }
  if (problems.length > 0) {
    throw new DealflowError(
      'INPUT_INVALID',
      `${where}${recordId ? ` on record '${recordId}'` : ''}: ${problems.map((p) => p.message).join('; ')}`,
      { problems, details: { blueprintId: bp.id, recordId } },
    );
  }
  return out;
}

/** True when a field counts as set (not undefined, null, '' or an empty list). */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);
}
