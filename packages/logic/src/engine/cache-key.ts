/**
 * An exact text key for a validated rule: two rules get the same key only when they are the
 * same JSON-like value. Unlike `JSON.stringify` it keeps `NaN`, `Infinity`, `-Infinity`, `-0`,
 * `undefined` and array holes apart from `null` and `0` (they evaluate differently). Returns
 * `undefined` for a rule holding a value that is not a plain object, array or primitive (such a
 * rule is cached by identity only).
 *
 * @example
 * ```ts
 * ruleKey({ '<': [{ var: 'x' }, Infinity] }) !== ruleKey({ '<': [{ var: 'x' }, null] }) // true
 * ```
 */
export function ruleKey(rule: unknown): string | undefined {
  const out: string[] = [];
  const write = (v: unknown): boolean => {
    switch (typeof v) {
      case 'string':
        out.push(JSON.stringify(v));
        return true;
      case 'number':
        // String() gives NaN / Infinity / -Infinity, which no JSON token equals; -0 is kept apart
        out.push(Object.is(v, -0) ? '-0' : String(v));
        return true;
      case 'boolean':
        out.push(v ? 'true' : 'false');
        return true;
      case 'undefined':
        out.push('undefined');
        return true;
      case 'object': {
        if (v === null) {
          out.push('null');
          return true;
        }
        if (Array.isArray(v)) {
          if (Object.getPrototypeOf(v) !== Array.prototype) return false;
          out.push('[');
          for (let i = 0; i < v.length; i++) {
            if (i > 0) out.push(',');
            if (!(i in v)) out.push('_');
            else if (!write(v[i])) return false;
          }
          out.push(']');
          return true;
        }
        const proto = Object.getPrototypeOf(v) as unknown;
        if (proto !== Object.prototype && proto !== null) return false;
        out.push('{');
        let first = true;
        for (const k of Object.keys(v)) {
          if (!first) out.push(',');
          first = false;
          out.push(JSON.stringify(k), ':');
          if (!write((v as Record<string, unknown>)[k])) return false;
        }
        out.push('}');
        return true;
      }
      default:
        return false;
    }
  };
  return write(rule) ? out.join('') : undefined;
}
