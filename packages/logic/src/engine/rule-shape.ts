/** True when `value` is an operator node: a non-array object with exactly one own key. */
export function isLogic(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  let n = 0;
  for (const k in value) {
    if (Object.prototype.hasOwnProperty.call(value, k)) {
      n++;
      if (n > 1) return false;
    }
  }
  return n === 1;
}

/** The operator name of a node checked with {@link isLogic}. */
export function operatorOf(node: Record<string, unknown>): string {
  return Object.keys(node)[0] as string;
}

/** Arguments of an operator node, normalised to an array (`{"var":"x"}` means `{"var":["x"]}`). */
export function argsOf(node: Record<string, unknown>, op: string): unknown[] {
  const v = node[op];
  return Array.isArray(v) ? v : [v];
}

/** Names that a `var` path or an operator may never use: the prototype chain's own names. */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
  ...Object.getOwnPropertyNames(Object.prototype),
]);

/** Appends a key to a JSON path: `.name` for identifiers, `["=="]` otherwise. */
export function pathKey(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}
