/**
 * Renders the blueprint reference page (Markdown) from the blueprint JSON Schema: one table per
 * object (blueprint, field, stage, deadline, transition, actions, calendar) with each property's
 * type, whether it is required, its default and description.
 *
 * @example
 * ```ts
 * import { blueprintJsonSchema } from '@dealflow/core'
 * writeFileSync('docs/blueprint-reference.md', renderBlueprintReference(blueprintJsonSchema()))
 * ```
 */
export function renderBlueprintReference(schema: Record<string, unknown>): string {
  const out: string[] = [];
  out.push('# Blueprint reference');
  out.push('');
  out.push('<!-- Generated from the zod blueprint schema by `pnpm --filter @dealflow/cli gen`; do not edit by hand. -->');
  out.push('');
  out.push(String(schema.description ?? ''));
  out.push('');
  out.push('Point your editor at the JSON Schema for completion and checking:');
  out.push('');
  out.push('```json');
  out.push('{ "$schema": "../../packages/core/blueprint.schema.json", "id": "deal", "version": 1, "...": "..." }');
  out.push('```');
  out.push('');
  out.push('(from an installed package: `node_modules/@dealflow/core/blueprint.schema.json`). Check a file with `dealflow validate deal.json`.');
  out.push('');
  const sections: Array<[string, unknown, string]> = [];
  const props = (o: unknown) => (o as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  const root = props(schema);
  sections.push(['Blueprint', schema, 'The top-level object of a blueprint file.']);
  const field = (root.fields as { additionalProperties?: unknown } | undefined)?.additionalProperties;
  if (field) sections.push(['Field (`fields.<name>`)', field, 'A field of the record. The key is the field name (an identifier).']);
  const stage = (root.stages as { items?: unknown } | undefined)?.items;
  if (stage) sections.push(['Stage (`stages[]`)', stage, '']);
  const deadline = props(stage).deadline;
  if (deadline) sections.push(['Deadline (`stages[].deadline`)', deadline, '']);
  const transition = (root.transitions as { items?: unknown } | undefined)?.items;
  if (transition) sections.push(['Transition (`transitions[]`)', transition, '']);
  const actions = (props(transition).actions as { items?: { anyOf?: unknown[]; oneOf?: unknown[] } } | undefined)?.items;
  for (const a of actions?.oneOf ?? actions?.anyOf ?? []) {
    const type = (props(a).type as { const?: string } | undefined)?.const ?? '?';
    sections.push([`Action \`${type}\` (\`transitions[].actions[]\`)`, a, '']);
    const target = (props(a).create as { items?: unknown } | undefined)?.items;
    if (target) sections.push(['Convert target (`actions[].create[]`)', target, '']);
  }
  const calendar = (root.calendars as { items?: unknown } | undefined)?.items;
  if (calendar) sections.push(['Calendar (`calendars[]`)', calendar, '']);
  for (const [title, node, intro] of sections) {
    out.push(`## ${title}`);
    out.push('');
    if (intro) {
      out.push(intro);
      out.push('');
    }
    out.push('| property | type | required | default | description |');
    out.push('|---|---|---|---|---|');
    const required = new Set(((node as { required?: string[] }).required ?? []) as string[]);
    for (const [name, p] of Object.entries(props(node))) {
      const d = p as Record<string, unknown>;
      const dflt = d.default !== undefined ? `\`${JSON.stringify(d.default)}\`` : '';
      out.push(`| \`${name}\` | ${typeOf(d)} | ${required.has(name) ? 'yes' : ''} | ${dflt} | ${cell(String(d.description ?? ''))} |`);
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function typeOf(d: Record<string, unknown>): string {
  if (d.const !== undefined) return `\`${JSON.stringify(d.const)}\``;
  if (Array.isArray(d.enum)) return d.enum.map((e) => `\`${JSON.stringify(e)}\``).join(' \\| ');
  const alt = (d.anyOf ?? d.oneOf) as Array<Record<string, unknown>> | undefined;
  if (alt) return alt.map(typeOf).join(' \\| ');
  const t = d.type;
  if (t === 'array') {
    const items = d.items as Record<string, unknown> | Array<Record<string, unknown>> | undefined;
    if (Array.isArray(items)) return `[${items.map(typeOf).join(', ')}]`;
    if ((d.prefixItems as unknown[] | undefined)?.length) return `[${(d.prefixItems as Array<Record<string, unknown>>).map(typeOf).join(', ')}]`;
    if (items && items.properties) return 'object[] (below)';
    if (items && (items.anyOf || items.oneOf) && ((items.anyOf ?? items.oneOf) as Array<Record<string, unknown>>).every((x) => x.properties)) return 'object[] (below)';
    return items ? `${typeOf(items)}[]` : 'array';
  }
  if (t === 'string') {
    const extra = d.pattern ? ` (pattern \`${String(d.pattern).replace(/\|/g, '\\|')}\`)` : '';
    return `string${extra}`;
  }
  if (t === 'object') {
    const ap = d.additionalProperties as Record<string, unknown> | boolean | undefined;
    if (ap && typeof ap === 'object' && ap.properties) return 'object: name → object (below)';
    if (ap && typeof ap === 'object' && Object.keys(ap).length > 0) return `object: name → ${typeOf(ap)}`;
    return 'object';
  }
  if (typeof t === 'string') return t;
  if (d.properties) return 'object';
  return 'any (JSON-logic rule or value)';
}
