import { DateTime } from 'luxon';
import { DealflowError } from '@dealflow/logic';
import type { Problem } from '@dealflow/logic';
import type { Blueprint } from '../blueprint/define.js';
import type { FieldSpec } from '../blueprint/schema.js';
import { suggest } from '../blueprint/checks.js';

/** Problem with one value of a field, or null when it fits the field's type. */
export function checkFieldValue(name: string, spec: FieldSpec, value: unknown, path: string): Problem | null {
  if (value === null) return null; // null clears a field
  const bad = (expected: string): Problem => ({
    path,
    code: 'invalid_type',
    value,
    message: `field '${name}' must be ${expected}, got ${JSON.stringify(value)}`,
  });
  switch (spec.type) {
    case 'string':
      return typeof value === 'string' ? null : bad('a string');
    case 'number':
    case 'money':
      return typeof value === 'number' && Number.isFinite(value) ? null : bad(spec.type === 'money' ? `a number (${spec.currency ?? 'money'})` : 'a finite number');
    case 'boolean':
      return typeof value === 'boolean' ? null : bad('a boolean');
    case 'enum':
      return typeof value === 'string' && (spec.values ?? []).includes(value)
        ? null
        : { ...bad(`one of ${(spec.values ?? []).map((v) => `'${v}'`).join(', ')}`), code: 'invalid_enum' };
    case 'date':
      return typeof value === 'string' && DateTime.fromISO(value, { zone: 'utc' }).isValid ? null : bad('an ISO-8601 date');
  }
}

/**
 * Checks field values against the blueprint (known names, types). Throws
 * `DealflowError('INPUT_INVALID')` listing every problem.
 */
export function assertFields(bp: Blueprint, values: Record<string, unknown>, where: string, recordId: string | null): void {
  const problems: Problem[] = [];
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new DealflowError('INPUT_INVALID', `${where}: fields must be an object`, { problems: [{ path: '$.fields', message: 'must be an object' }] });
  }
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
    const p = checkFieldValue(name, spec, value, path);
    if (p) problems.push(p);
  }
  if (problems.length > 0) {
    throw new DealflowError(
      'INPUT_INVALID',
      `${where}${recordId ? ` on record '${recordId}'` : ''}: ${problems.map((p) => p.message).join('; ')}`,
      { problems, details: { blueprintId: bp.id, recordId } },
    );
  }
}

/** True when a field counts as set (not undefined, null or ''). */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}
