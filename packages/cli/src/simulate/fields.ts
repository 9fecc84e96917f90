import type { FieldSpec } from '@dealflow/core';
import type { SimRng } from './rng.js';
import { drawField } from './scenario.js';
import type { FieldDistribution } from './scenario.js';

/** A plausible random value for a field of this type. */
export function randomFieldValue(name: string, field: FieldSpec, rng: SimRng, now: Date): unknown {
  switch (field.type) {
    case 'number':
      return Math.round(rng.exp(50));
    case 'money':
      return Math.round(Math.exp(7 + rng.next() * 4)); // ~1 100 … 60 000
    case 'boolean':
      return rng.next() < 0.5;
    case 'date':
      return new Date(now.getTime() + rng.int(90) * 86_400_000).toISOString().slice(0, 10);
    case 'datetime':
      return new Date(now.getTime() + rng.int(90 * 24) * 3_600_000).toISOString();
    case 'enum':
    case 'picklist':
      return field.values ? rng.pick(field.values) : null;
    case 'email':
      return `${name.toLowerCase()}${rng.int(10_000)}@example.com`;
    case 'phone':
      return `+4930${1_000_000 + rng.int(8_999_999)}`;
    case 'list':
      return [];
    default:
      return `${name}-${rng.int(10_000)}`;
  }
}

/**
 * Field values for a new record. A field with a scenario distribution is drawn from it; every
 * other field marked `required` is set, and each remaining one (defaults included: a default is
 * only what an empty form starts with) with probability `fillRate`, so stages that require more
 * fields, and guards over them, see real rejections.
 */
export function initialFields(
  fields: Readonly<Record<string, FieldSpec>>,
  rng: SimRng,
  now: Date,
  fillRate: number,
  distributions: Readonly<Record<string, FieldDistribution>> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(fields)) {
    const draw = rng.next();
    const value = randomFieldValue(name, f, rng, now);
    if (f.computed !== undefined) continue;
    const d = distributions[name];
    if (d) {
      const v = drawField(d, rng);
      // (a money draw is rounded to the cent: money fields keep whole minor units)
      if (v !== undefined) out[name] = f.type === 'money' && typeof v === 'number' ? Math.round(v * 100) / 100 : v;
      else if (f.required) out[name] = value;
      continue;
    }
    if (f.required || draw < fillRate) out[name] = value;
  }
  return out;
}
