/**
 * A short, readable rendering of a JSON-logic rule for diagram labels:
 * `{">":[{"var":"fields.amount"},1000]}` → `fields.amount > 1000`. Unknown shapes fall back to
 * compact JSON, cut at `max` characters.
 *
 * @example
 * ```ts
 * ruleText({ and: [{ '==': [{ var: 'fields.region' }, 'EU'] }, { '>=': [{ var: 'fields.score' }, 50] }] })
 * // '(fields.region == "EU") and (fields.score >= 50)'
 * ```
 */
export function ruleText(rule: unknown, max = 60): string {
  const text = render(rule);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const INFIX = new Set(['==', '===', '!=', '!==', '>', '>=', '<', '<=', '+', '-', '*', '/', '%', 'in']);

function render(rule: unknown): string {
  if (rule === null || typeof rule !== 'object') return JSON.stringify(rule) ?? String(rule);
  if (Array.isArray(rule)) return `[${rule.map(render).join(', ')}]`;
  const keys = Object.keys(rule);
  if (keys.length !== 1) return JSON.stringify(rule);
  const op = keys[0]!;
  const raw = (rule as Record<string, unknown>)[op];
  const args = Array.isArray(raw) ? raw : [raw];
  if (op === 'var') return String(args[0] ?? '');
  if (op === '!') return `not ${wrap(args[0])}`;
  if (op === '!!') return `${wrap(args[0])} is set`;
  if ((op === 'and' || op === 'or') && args.length > 0) return args.map(wrap).join(` ${op} `);
  if (INFIX.has(op) && args.length === 2) return `${wrap(args[0])} ${op === '===' ? '==' : op === '!==' ? '!=' : op} ${wrap(args[1])}`;
  if ((op === '<' || op === '<=') && args.length === 3) return `${wrap(args[0])} ${op} ${wrap(args[1])} ${op} ${wrap(args[2])}`;
  return `${op}(${args.map(render).join(', ')})`;
}

function wrap(rule: unknown): string {
  const s = render(rule);
  const simple = rule === null || typeof rule !== 'object' || Array.isArray(rule) || 'var' in (rule as object);
  return simple ? s : `(${s})`;
}
