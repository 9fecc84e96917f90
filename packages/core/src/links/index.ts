export { LINKS_META, linksOf, followLinks, createLinks } from './links.js';
export type { LinkApi, LinkOptions, LinkPath, LinkReadOptions } from './links.js';
export { createLinkRules, linkRulesSchema, linkBlockSchema, linkCascadeSchema } from './rules.js';
export type { LinkRules, LinkRulesInput, LinkBlockRule, LinkCascadeRule, LinkBlocker, LinkedView } from './rules.js';
