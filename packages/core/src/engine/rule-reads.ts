/**
 * Whether a JSON-logic rule may read a data root (the first segment of a `var` path or a
 * `missing` key). Conservative: a path built at run time, or a read of the whole data (`""`),
 * counts as reading every root. The send path uses it to build the `record` view of rule data only
 * for rules that look at it.
 *
 * @example
 * ```ts
 * mayReadRoot({ '>': [{ var: 'fields.amount' }, 0] }, 'record')     // false
 * mayReadRoot({ '==': [{ var: 'record.stage' }, 'won'] }, 'record') // true
 * mayReadRoot({ var: { cat: ['rec', 'ord.stage'] } }, 'record')      // true (built at run time)
 * ```
 */
export function mayReadRoot(rule: unknown, root: string): boolean {
  if (Array.isArray(rule)) return rule.some((r) => mayReadRoot(r, root));
  if (rule === null || typeof rule !== 'object') return false;
  const keys = Object.keys(rule);
  if (keys.length !== 1) return Object.values(rule).some((v) => mayReadRoot(v, root));
  const op = keys[0]!;
  const raw = (rule as Record<string, unknown>)[op];
  const args = Array.isArray(raw) ? raw : [raw];
  const reads = (path: unknown): boolean => {
    if (typeof path === 'number') return false;
    if (typeof path !== 'string') return true;
    const first = path.split('.')[0];
    return first === '' || first === root;
  };
  if (op === 'var') return reads(args[0]) || args.slice(1).some((a) => mayReadRoot(a, root));
  if (op === 'missing') return args.some((a) => (Array.isArray(a) ? a.some(reads) : reads(a)));
  if (op === 'missing_some') return mayReadRoot(args[0], root) || (Array.isArray(args[1]) ? args[1].some(reads) : true);
  return args.some((a) => mayReadRoot(a, root));
}
