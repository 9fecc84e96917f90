import { defineBlueprint, renderMermaid } from '@dealflow/core';
import { TEMPLATE_IDS, loadTemplate } from './catalog.js';

/**
 * The Markdown of one Mermaid diagram per template (the "Diagrams" section of docs/templates.md).
 *
 * @example
 * ```ts
 * writeFileSync('templates.md', diagramsSection())
 * ```
 */
export function diagramsSection(): string {
  return TEMPLATE_IDS.map((id) => {
    const bp = defineBlueprint(loadTemplate(id));
    return `### \`${id}\` — ${bp.spec.name ?? id}\n\n${bp.spec.description ?? ''}\n\n\`\`\`mermaid\n${renderMermaid(bp).trimEnd()}\n\`\`\`\n`;
  }).join('\n');
}
