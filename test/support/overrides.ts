/**
 * A store or transaction with some members replaced, for fault injection and spying in tests: the
 * given members answer instead of the target's, every other method is the target's own, bound to
 * it (a Proxy, so methods a store defines on a prototype or in a closure keep working).
 */
export function withOverrides<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(t, key) {
      if (Object.prototype.hasOwnProperty.call(overrides, key)) return overrides[key as keyof T];
      const value = Reflect.get(t, key) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}
