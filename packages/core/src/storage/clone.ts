/**
 * Deep copy of a JSON value (plain objects, arrays, scalars; `undefined` properties dropped, as
 * JSON does).
 *
 * @example
 * ```ts
 * const copy = cloneJson(record) // mutate freely
 * ```
 */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  const out: Record<string, unknown> = {};
  for (const k in value as Record<string, unknown>) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = cloneJson(v);
  }
  return out as T;
}
