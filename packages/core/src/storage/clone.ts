// Deep copies of JSON values. V8 copies a plain object fastest with a spread (`{ ...o }`), but only
// while that spread site sees few object shapes; a site that sees many (one generic copy for every
// object) is about ten times slower. So the copies the stores make on every write get their own
// sites, one per kind of object (record, fields, meta, stage times, a stage-time entry, history
// and outbox data), and only values of no known kind go through the generic `cloneJson`.

/**
 * Replaces the nested objects of a fresh shallow copy by deep copies and drops `undefined`
 * properties (as JSON does). The value under `key`, if an object, is copied by `copyKey`.
 */
function deepen<T extends Record<string, unknown>>(out: T, key?: string, copyKey?: (v: object) => unknown): T {
  let undef = false;
  for (const k in out) {
    const v = out[k];
    if (typeof v === 'object') {
      if (v !== null) (out as Record<string, unknown>)[k] = k === key ? copyKey!(v) : cloneJson(v);
    } else if (v === undefined) undef = true;
  }
  if (undef) for (const k in out) if (out[k] === undefined) delete out[k];
  return out;
}

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
  return deepen({ ...(value as Record<string, unknown>) }) as T;
}

function copyFields(fields: Record<string, unknown>): Record<string, unknown> {
  return deepen({ ...fields });
}

function copyEntry(entry: unknown): unknown {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return cloneJson(entry);
  return deepen({ ...(entry as Record<string, unknown>) });
}

function copyStageTimes(times: unknown): unknown {
  if (times === null || typeof times !== 'object' || Array.isArray(times)) return cloneJson(times);
  const out: Record<string, unknown> = { ...(times as Record<string, unknown>) };
  for (const k in out) out[k] = copyEntry(out[k]);
  return out;
}

function copyMeta(meta: Record<string, unknown>): Record<string, unknown> {
  // (the engine's stage times: `meta.stageTimes`, stage id → entry)
  return deepen({ ...meta }, 'stageTimes', copyStageTimes);
}

/** Copy of a stored record (known shape: a fast path for the store's hottest copy). */
export function cloneRecord<R extends { fields: Record<string, unknown>; meta: Record<string, unknown> }>(r: R): R {
  const out = { ...r };
  out.fields = copyFields(r.fields);
  out.meta = copyMeta(r.meta);
  return out;
}

function copyChanges(changes: object): unknown {
  return Array.isArray(changes) ? cloneJson(changes) : deepen({ ...(changes as Record<string, unknown>) });
}

function copyData(data: unknown): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return cloneJson(data);
  // (a history event's `changes` gets a copy site of its own too)
  return deepen({ ...(data as Record<string, unknown>) }, 'changes', copyChanges);
}

function copyPayload(payload: unknown): unknown {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return cloneJson(payload);
  return deepen({ ...(payload as Record<string, unknown>) });
}

/** Copy of an object whose top-level values are scalars except `data`/`payload` (history, outbox). */
export function cloneWithData<E extends object>(e: E, key: 'data' | 'payload'): E {
  const out = { ...e } as Record<string, unknown>;
  const inner = (e as Record<string, unknown>)[key];
  if (inner !== undefined) out[key] = cloneData(inner, key);
  return out as E;
}

/**
 * Copy of a history event's `data` or an outbox message's `payload` (each through a copy site of
 * its own kind).
 */
export function cloneData(value: unknown, kind: 'data' | 'payload'): unknown {
  return kind === 'data' ? copyData(value) : copyPayload(value);
}
