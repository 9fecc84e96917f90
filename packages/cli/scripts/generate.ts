/**
 * Regenerates the committed authoring artefacts from the zod blueprint schema:
 *   packages/core/blueprint.schema.json   (the JSON Schema editors use for blueprint files)
 *   packages/core/process.schema.json     (the same for process files, dealflow.config.json)
 *   docs/blueprint-reference.md           (the blueprint reference page)
 * Run: pnpm --filter @dealflow/cli gen
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { blueprintJsonSchema, processJsonSchema } from '@dealflow/core';
import { renderBlueprintReference } from '../src/reference.js';

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
const schema = blueprintJsonSchema();
writeFileSync(root('packages/core/blueprint.schema.json'), `${JSON.stringify(schema, null, 2)}\n`);
writeFileSync(root('packages/core/process.schema.json'), `${JSON.stringify(processJsonSchema(), null, 2)}\n`);
writeFileSync(root('docs/blueprint-reference.md'), renderBlueprintReference(schema));
console.log('wrote packages/core/blueprint.schema.json, packages/core/process.schema.json and docs/blueprint-reference.md');
