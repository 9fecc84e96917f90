/**
 * `@dealflow/templates`: ready-made, linted and tested blueprints for the whole sales cycle
 * (labels in English and Chinese), their preset sales rules, the cross-record rules and
 * follow-ups that tie them together, and the quote-to-cash helpers. See docs/templates.md.
 */
export { TEMPLATE_IDS, loadTemplate, loadTemplates, templatePath } from './catalog.js';
export type { TemplateId } from './catalog.js';
export { fullCycleLinkRules } from './link-rules.js';
export { setupFullCycle } from './full-cycle.js';
export type { FullCycle, SetupFullCycleOptions } from './full-cycle.js';
export { diagramsSection } from './diagrams.js';
export { SALES_RULES_IDS, loadSalesRules, loadAllSalesRules, mergeSalesRules, salesRulesPath, workweekCalendar } from './sales-rules.js';
export type { SalesRulesId } from './sales-rules.js';
export { createFollowUps } from './follow-ups.js';
export type { FollowUps, FollowUpOutcome } from './follow-ups.js';
export { createInstalments, recordPayment } from './quote-to-cash.js';
export type { CreatedInstalments, InstalmentSchedule, PaymentInput, RecordedPayment } from './quote-to-cash.js';
