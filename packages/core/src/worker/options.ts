import { DealflowError } from '@dealflow/logic';

/** The range one numeric option of a worker or relay may take. */
export interface OptionBounds {
  min: number;
  max: number;
  integer?: boolean;
}

/**
 * Bounds of the background loops' options. Waits stay far below `setTimeout`'s 2³¹−1 ms (a longer
 * one fires at once, so the loop would spin), batches and concurrency within what one process
 * and one query can carry.
 */
export const LOOP_BOUNDS = {
  batchSize: { min: 1, max: 10_000, integer: true },
  concurrency: { min: 1, max: 1_000, integer: true },
  timersPerTransaction: { min: 1, max: 1_000, integer: true },
  leaseMs: { min: 100, max: 86_400_000 },
  pollMs: { min: 1, max: 3_600_000 },
} as const satisfies Record<string, OptionBounds>;

/**
 * Reads one numeric option: its default when absent, `INPUT_INVALID` when it is not a number (or
 * not an integer where one is needed) or below the minimum, `INPUT_LIMIT` above the maximum.
 *
 * @example
 * ```ts
 * boundedOption('createWorker', 'pollMs', options.pollMs, 1_000, LOOP_BOUNDS.pollMs)
 * ```
 */
export function boundedOption(owner: string, name: string, value: unknown, fallback: number, bounds: OptionBounds): number {
  const v = value ?? fallback;
  const range = `${bounds.min} … ${bounds.max}${bounds.integer ? ' (an integer)' : ''}`;
  if (typeof v !== 'number' || !Number.isFinite(v) || (bounds.integer === true && !Number.isInteger(v)) || v < bounds.min) {
    throw new DealflowError('INPUT_INVALID', `${owner}: ${name} must be a number in ${range}, got ${String(value)}`, {
      details: { option: name, value },
    });
  }
  if (v > bounds.max) {
    throw new DealflowError('INPUT_LIMIT', `${owner}: ${name} is ${v}, more than ${bounds.max} (allowed ${range})`, {
      details: { option: name, value, max: bounds.max },
    });
  }
  return v;
}

/** Reads an optional string option (worker id, tenant id): non-empty, at most 200 characters. */
export function stringOption(owner: string, name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new DealflowError('INPUT_INVALID', `${owner}: ${name} must be a non-empty string`, { details: { option: name } });
  }
  if (value.length > 200) {
    throw new DealflowError('INPUT_LIMIT', `${owner}: ${name} is ${value.length} characters, more than 200`, { details: { option: name } });
  }
  return value;
}
