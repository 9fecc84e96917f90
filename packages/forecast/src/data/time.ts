import { DealflowError } from '@dealflow/core';

/** Milliseconds in one day. */
export const DAY_MS = 86_400_000;

/** Epoch milliseconds of an ISO string / Date; throws `DATA_INVALID` naming `what` when invalid. */
export function toMs(value: string | Date | number, what: string): number {
  const ms = typeof value === 'number' ? value : value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new DealflowError('DATA_INVALID', `${what} is not a valid date: ${JSON.stringify(String(value))}`, {
      problems: [{ path: what, message: 'not a valid date', value: String(value) }],
    });
  }
  return ms;
}

/** ISO string of epoch milliseconds. */
export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Adds days to an ISO date/time, returning ISO. */
export function addDays(value: string | Date, days: number): string {
  return toIso(toMs(value, 'date') + days * DAY_MS);
}
