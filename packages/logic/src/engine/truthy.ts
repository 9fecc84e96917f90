/**
 * JsonLogic truthiness: like JavaScript, except that an empty array is falsy.
 *
 * @example
 * ```ts
 * truthy([]) // false
 * truthy('0') // true
 * ```
 */
export function truthy(value: unknown): boolean {
  if (Array.isArray(value) && value.length === 0) return false;
  return !!value;
}
