import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blueprintJsonSchema } from '@dealflow/core';
import { renderBlueprintReference } from '@dealflow/cli';

describe('blueprint reference', () => {
  const md = renderBlueprintReference(blueprintJsonSchema());

  it('the committed docs/blueprint-reference.md is the generated one (pnpm --filter @dealflow/cli gen)', () => {
    expect(readFileSync(new URL('../../../docs/blueprint-reference.md', import.meta.url), 'utf8')).toBe(md);
  });

  it('has a table row for every property of every object in the schema', () => {
    const s = blueprintJsonSchema() as any;
    const objects = [s, s.properties.fields.additionalProperties, s.properties.stages.items, s.properties.stages.items.properties.deadline, s.properties.transitions.items];
    for (const o of objects) for (const name of Object.keys(o.properties)) expect(md).toContain(`| \`${name}\` |`);
    expect(md).toMatch(/\| `within` \| string \(pattern .*\) \| yes \|/);
    expect(md).toMatch(/\| `kind` \| `"open"` \\\| `"won"` \\\| `"lost"` \\\| `"closed"` \|  \| `"open"` \|/);
  });
});
