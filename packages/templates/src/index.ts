/**
 * `@dealflow/templates`: ready-made, linted and tested blueprints for the whole sales cycle
 * (labels in English and Chinese) and the cross-record rules that tie them together.
 * See docs/templates.md.
 */
export { TEMPLATE_IDS, loadTemplate, loadTemplates, templatePath } from './catalog.js';
export type { TemplateId } from './catalog.js';
export { fullCycleLinkRules } from './link-rules.js';
export { setupFullCycle } from './full-cycle.js';
export type { FullCycle, SetupFullCycleOptions } from './full-cycle.js';
export { diagramsSection } from './diagrams.js';
