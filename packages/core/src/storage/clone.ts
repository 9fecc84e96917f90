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
  // (a spread, then its nested objects replaced, is V8's fastest copy of a plain object)
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  let undef = false;
  for (const k in out) {
    const v = out[k];
    if (typeof v === 'object' && v !== null) out[k] = cloneJson(v);
    else if (v === undefined) undef = true;
  }
  if (undef) for (const k in out) if (out[k] === undefined) delete out[k];
  return out as T;
}
