export { blueprintJsonSchema, BLUEPRINT_SCHEMA_ID } from './json-schema.js';
export { renderMermaid, renderSvg, toStatelyConfig } from './diagram.js';
export type { RenderSvgOptions, RenderMermaidOptions } from './diagram.js';
export type { DiagramRules } from './graph-model.js';
export { ruleText } from './rule-text.js';
export { testBlueprint } from './test-blueprint.js';
export type { BlueprintTester, BlueprintPath, PathStep, CoverageEdge, CoverageReport, TestBlueprintOptions } from './test-blueprint.js';
