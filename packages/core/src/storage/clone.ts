/**
 * Deep copy of a JSON value (plain objects, arrays, scalars; `undefined` properties dropped);
 * faster than structuredClone.
 *
 * @example
 * ```ts
 * const copy = cloneJson(record) // mutate freely
 * ```
 */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneJson(value[i]);
    return out as T;
  }
  // spread first (V8 copies a plain object's properties in one go), then replace nested objects
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  let undef = false;
  for (const k in out) {
    const v = out[k];
    if (typeof v === 'object') {
      if (v !== null) out[k] = cloneJson(v);
    } else if (v === undefined) undef = true;
  }
  if (undef) for (const k in out) if (out[k] === undefined) delete out[k];
  return out as T;
}

/** Copy of a stored record (known shape: a fast path for the store's hottest copy). */
export function cloneRecord<R extends { fields: Record<string, unknown>; meta: Record<string, unknown> }>(r: R): R {
  const out = { ...r };
  out.fields = cloneJson(r.fields);
  out.meta = cloneJson(r.meta);
  return out;
}

/** Copy of an object whose top-level values are scalars except `data`/`payload` (history, outbox). */
export function cloneWithData<E extends object>(e: E, key: 'data' | 'payload'): E {
  const out = { ...e } as Record<string, unknown>;
  const inner = (e as Record<string, unknown>)[key];
  if (inner !== undefined) out[key] = cloneJson(inner);
  return out as E;
}
