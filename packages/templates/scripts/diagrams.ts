/**
 * Rewrites the "Diagrams" section of docs/templates.md from the templates (renderMermaid).
 * Run: pnpm --dir packages/templates exec tsx --conditions=dealflow-source scripts/diagrams.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { diagramsSection } from '../src/diagrams.js';

const file = new URL('../../../docs/templates.md', import.meta.url);
const doc = readFileSync(file, 'utf8');
const marker = '<!-- diagrams -->';
const head = doc.includes(marker) ? doc.slice(0, doc.indexOf(marker)) : `${doc.trimEnd()}\n\n`;
writeFileSync(file, `${head}${marker}\n${diagramsSection()}`);
console.log('docs/templates.md: diagrams updated');
