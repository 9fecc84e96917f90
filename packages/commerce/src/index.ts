/**
 * `@dealflow/commerce`: quote to cash. A product catalogue with price books (a provider
 * interface and an in-memory implementation), exact line-item pricing, and payment plans split
 * into instalments in whole minor units of any currency. See docs/templates.md.
 */
export { createMemoryCatalog } from './catalog.js';
export type { Catalog, CreateMemoryCatalogOptions, Price, PriceBookInput, Product } from './catalog.js';
export { priceLines, PRICING_LIMITS } from './pricing.js';
export type { LineInput, PricedLine, PricedLines } from './pricing.js';
export { planInstalments, splitMinor, INSTALMENT_LIMITS } from './instalments.js';
export type { PaymentPlanInput, PlannedInstalment } from './instalments.js';
