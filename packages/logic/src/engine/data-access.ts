const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Reads a pre-split path from data, own properties only (never the prototype chain).
 * `undefined` anywhere along the path, or a missing own property, yields `notFound`.
 */
export function readPath(data: unknown, segments: readonly string[], notFound: unknown): unknown {
  let d: unknown = data;
  for (let i = 0; i < segments.length; i++) {
    if (d === null || d === undefined) return notFound;
    const key = segments[i] as string;
    if (!hasOwn.call(d, key)) return notFound;
    d = (d as Record<string, unknown>)[key];
    if (d === undefined) return notFound;
  }
  return d;
}

/** `var` with a path computed at run time: `''`, `null` or missing path means the data itself. */
export function readVar(data: unknown, path: unknown, notFound: unknown): unknown {
  if (path === undefined || path === '' || path === null) return data;
  return readPath(data, String(path).split('.'), notFound);
}

/** One-segment fast path of {@link readPath}. */
export function readKey(data: unknown, key: string, notFound: unknown): unknown {
  if (data === null || data === undefined || !hasOwn.call(data, key)) return notFound;
  const v = (data as Record<string, unknown>)[key];
  return v === undefined ? notFound : v;
}

/** The keys of `missing`'s arguments whose value is `null`, missing or `''`. */
export function missingKeys(data: unknown, args: readonly unknown[]): unknown[] {
  const keys = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  const out: unknown[] = [];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const value = Array.isArray(key)
      ? readVar(data, key[0], key[1] === undefined ? null : key[1])
      : readVar(data, key, null);
    if (value === null || value === '') out.push(key);
  }
  return out;
}
