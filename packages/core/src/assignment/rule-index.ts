/**
 * A dispatch index over ordered rules: routing tables are mostly "field X equals constant" rules
 * (region, product line, country…). The index finds the `var` path most rules test for string
 * equality and, for a record whose value there is a string, visits only the rules that can match
 * (those testing that value, and those not testing the path at all), in their original order.
 * Every visited rule is still evaluated in full, so results are exactly those of a linear scan.
 */

/** Equalities `{ "==": [{ var: path }, "const"] }` a rule requires (directly or as a part of a top-level `and`). */
export function requiredEqualities(rule: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (node: unknown, top: boolean): void => {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return;
    const keys = Object.keys(node);
    if (keys.length !== 1) return;
    const op = keys[0]!;
    const args = (node as Record<string, unknown>)[op];
    if (op === 'and' && top && Array.isArray(args)) {
      for (const a of args) visit(a, false);
      return;
    }
    if ((op === '==' || op === '===') && Array.isArray(args) && args.length === 2) {
      const [a, b] = args;
      const path = varPath(a) ?? varPath(b);
      const value = typeof b === 'string' && varPath(a) ? b : typeof a === 'string' && varPath(b) ? a : null;
      if (path !== null && value !== null && !out.has(path)) out.set(path, value);
    }
  };
  visit(rule, true);
  return out;
}

function varPath(node: unknown): string | null {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return null;
  const v = (node as Record<string, unknown>).var;
  if (Object.keys(node).length !== 1) return null;
  if (typeof v === 'string' && v.length > 0) return v;
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string' && v[0].length > 0) return v[0];
  return null;
}

/** Reads a dotted path through own properties only (as `@dealflow/logic`'s `var` does). */
function read(data: unknown, segments: readonly string[]): unknown {
  let cur = data;
  for (const s of segments) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, s)) return undefined;
    cur = (cur as Record<string, unknown>)[s];
  }
  return cur;
}

/** The rule positions to visit for a data object. */
export interface RuleIndex {
  candidates(data: unknown): readonly number[];
}

/** Builds the index for rules' `when`s (undefined = always). Returns a plain scan when indexing does not pay. */
export function buildRuleIndex(whens: readonly unknown[]): RuleIndex {
  const all = whens.map((_, i) => i);
  const eqs = whens.map((w) => (w === undefined ? new Map<string, string>() : requiredEqualities(w)));
  const counts = new Map<string, number>();
  for (const e of eqs) for (const p of e.keys()) counts.set(p, (counts.get(p) ?? 0) + 1);
  let best: string | null = null;
  for (const [p, n] of counts) if (best === null || n > counts.get(best)!) best = p;
  if (best === null || counts.get(best)! < 4) return { candidates: () => all };
  const path = best;
  const segments = path.split('.');
  const values = new Set<string>();
  for (const e of eqs) { const v = e.get(path); if (v !== undefined) values.add(v); }
  const others = all.filter((i) => !eqs[i]!.has(path));
  const buckets = new Map<string, number[]>();
  for (const v of values) buckets.set(v, all.filter((i) => { const x = eqs[i]!.get(path); return x === undefined || x === v; }));
  return {
    candidates(data) {
      const v = read(data, segments);
      if (typeof v !== 'string') return all; // loose equality on non-strings: scan everything
      return buckets.get(v) ?? others;
    },
  };
}
