import { DealflowError } from '@dealflow/core';
import type { FieldSpec } from '@dealflow/core';
import type { SimRng } from './rng.js';

/**
 * How one field's values are drawn. Keys combine: `missing` is the chance the field is left
 * empty at creation; then exactly one of `value`, `p`, `values`, `min`/`max`, `logNormal`.
 */
export interface FieldDistribution {
  /** Chance (0–1) the field is not set when the record is created. */
  missing?: number;
  /** Always this value. */
  value?: unknown;
  /** Boolean fields: chance of `true`. */
  p?: number;
  /** One of these, uniformly or by `weights`. */
  values?: unknown[];
  /** Relative weights of `values`, in the same order (default: all equal). */
  weights?: number[];
  /** A uniform number in [min, max] (`integer: true` rounds it). */
  min?: number;
  /** Upper end of the uniform range (see `min`). */
  max?: number;
  /** Round the uniform number to a whole one. */
  integer?: boolean;
  /** A log-normal amount: half the values below `median`; `sigma` the spread (e.g. 1). */
  logNormal?: {
    /** Half the values fall below it. */
    median: number;
    /** The spread (standard deviation of the logarithm); 1 gives values from about a fifth to five times the median. */
    sigma: number;
  };
}

/** A scenario file (`--scenario scenario.json`): field distributions and how often reps send each event. */
export interface Scenario {
  /** Distributions by field name; fields not named are drawn by type. */
  fields?: Record<string, FieldDistribution>;
  /** Relative weights of events (default 1; events into lost/closed stages 0.25). 0 = never sent by reps. */
  events?: Record<string, number>;
  /** Mean time between a record's events (ISO duration), overriding `--dwell`. */
  dwell?: string;
  /** Chance that a field without a distribution is set at creation (default 0.8). */
  fillRate?: number;
}

const KEYS = new Set(['fields', 'events', 'dwell', 'fillRate']);
const FIELD_KEYS = new Set(['missing', 'value', 'p', 'values', 'weights', 'min', 'max', 'integer', 'logNormal']);

function bad(path: string, message: string, hint?: string): DealflowError {
  return new DealflowError('INPUT_INVALID', `scenario ${path}: ${message}${hint ? ` (${hint})` : ''}`, { problems: [{ path, message, ...(hint ? { hint } : {}) }] });
}

const prob = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1;

/** Checks a scenario against the blueprints' fields and events; every problem names its path. */
export function parseScenario(input: unknown, known: { fields: ReadonlySet<string>; events: ReadonlySet<string> }): Scenario {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw bad('$', 'must be an object { fields?, events?, dwell?, fillRate? }');
  const s = input as Record<string, unknown>;
  for (const k of Object.keys(s)) if (!KEYS.has(k) && k !== '$schema') throw bad(`$.${k}`, `unknown key '${k}'`, `known: ${[...KEYS].join(', ')}`);
  if (s.fillRate !== undefined && !prob(s.fillRate)) throw bad('$.fillRate', 'must be a number from 0 to 1');
  if (s.dwell !== undefined && typeof s.dwell !== 'string') throw bad('$.dwell', 'must be an ISO duration such as P2D');
  const fields = (s.fields ?? {}) as Record<string, unknown>;
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw bad('$.fields', 'must be an object of field distributions');
  for (const [name, d] of Object.entries(fields)) {
    const p = `$.fields.${name}`;
    if (!known.fields.has(name)) throw bad(p, `unknown field '${name}'`, `fields: ${[...known.fields].join(', ')}`);
    if (typeof d !== 'object' || d === null || Array.isArray(d)) throw bad(p, 'must be an object such as { "p": 0.7 } or { "values": [...] }');
    const dist = d as Record<string, unknown>;
    for (const k of Object.keys(dist)) if (!FIELD_KEYS.has(k)) throw bad(`${p}.${k}`, `unknown key '${k}'`, `known: ${[...FIELD_KEYS].join(', ')}`);
    if (dist.missing !== undefined && !prob(dist.missing)) throw bad(`${p}.missing`, 'must be a number from 0 to 1');
    if (dist.p !== undefined && !prob(dist.p)) throw bad(`${p}.p`, 'must be a number from 0 to 1');
    if (dist.values !== undefined && (!Array.isArray(dist.values) || dist.values.length === 0)) throw bad(`${p}.values`, 'must be a non-empty list');
    if (dist.weights !== undefined && (!Array.isArray(dist.weights) || dist.weights.length !== (dist.values as unknown[] | undefined)?.length || !dist.weights.every((w) => typeof w === 'number' && w >= 0))) {
      throw bad(`${p}.weights`, 'must be non-negative numbers, one per value');
    }
    if ((dist.min === undefined) !== (dist.max === undefined) || (typeof dist.min === 'number' && typeof dist.max === 'number' && dist.min > dist.max)) throw bad(p, 'give both min and max, min ≤ max');
    const ln = dist.logNormal as { median?: unknown; sigma?: unknown } | undefined;
    if (ln !== undefined && !(typeof ln === 'object' && ln !== null && typeof ln.median === 'number' && ln.median > 0 && typeof ln.sigma === 'number' && ln.sigma >= 0)) {
      throw bad(`${p}.logNormal`, 'must be { "median": > 0, "sigma": ≥ 0 }');
    }
  }
  const events = (s.events ?? {}) as Record<string, unknown>;
  for (const [name, w] of Object.entries(events)) {
    if (!known.events.has(name)) throw bad(`$.events.${name}`, `unknown event '${name}'`, `events: ${[...known.events].join(', ')}`);
    if (typeof w !== 'number' || !(w >= 0)) throw bad(`$.events.${name}`, 'must be a weight ≥ 0');
  }
  return s as Scenario;
}

function normal(rng: SimRng): number {
  // Box–Muller
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A value drawn from a distribution (undefined when the draw says "missing"). */
export function drawField(d: FieldDistribution, rng: SimRng): unknown {
  if (d.missing !== undefined && rng.next() < d.missing) return undefined;
  if (d.value !== undefined) return d.value;
  if (d.p !== undefined) return rng.next() < d.p;
  if (d.values) {
    if (!d.weights) return rng.pick(d.values);
    const total = d.weights.reduce((a, b) => a + b, 0);
    let u = rng.next() * total;
    for (let i = 0; i < d.values.length; i++) if ((u -= d.weights[i]!) < 0) return d.values[i];
    return d.values[d.values.length - 1];
  }
  if (d.min !== undefined && d.max !== undefined) {
    const x = d.min + rng.next() * (d.max - d.min);
    return d.integer ? Math.round(x) : x;
  }
  if (d.logNormal) return Math.round(d.logNormal.median * Math.exp(d.logNormal.sigma * normal(rng)));
  return undefined;
}

/** The fields a scenario draws for a blueprint (only those the blueprint has). */
export function scenarioFieldsFor(scenario: Scenario | undefined, fields: Readonly<Record<string, FieldSpec>>): Record<string, FieldDistribution> {
  const out: Record<string, FieldDistribution> = {};
  for (const [k, d] of Object.entries(scenario?.fields ?? {})) if (k in fields) out[k] = d;
  return out;
}
