/**
 * Deep copy of a JSON value (plain objects, arrays, scalars; `undefined` properties dropped and a
 * `Date` — any value with `toJSON` — replaced by its JSON form, as `JSON.stringify` does), so a copy
 * reads back what a SQL store's JSON column would.
 *
 * @example
 * ```ts
 * const copy = cloneJson(record) // mutate freely
 * ```
 */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return (value as unknown as { toJSON(): T }).toJSON();
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
