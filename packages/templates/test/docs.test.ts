import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TEMPLATE_IDS, diagramsSection, fullCycleLinkRules } from '@dealflow/templates';

const doc = readFileSync(new URL('../../../docs/templates.md', import.meta.url), 'utf8');

describe('docs/templates.md', () => {
  it('has one current Mermaid diagram per template (regenerate with scripts/diagrams.ts)', () => {
    const section = doc.slice(doc.indexOf('<!-- diagrams -->\n') + '<!-- diagrams -->\n'.length);
    expect(section).toBe(diagramsSection());
    expect(section.match(/```mermaid/g)).toHaveLength(TEMPLATE_IDS.length);
  });

  it('documents every template and every full-cycle link rule by id', () => {
    for (const id of TEMPLATE_IDS) expect(doc).toContain(`\`${id}\``);
    for (const r of [...fullCycleLinkRules.blocks, ...fullCycleLinkRules.cascades]) expect(doc).toContain(r.id);
  });
});
