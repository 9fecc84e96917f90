export { createDuplicateGuard, duplicatesConfigSchema } from './guard.js';
export type { DuplicateGuard, DuplicatesConfig, DuplicateKey, DuplicateDetails } from './guard.js';
export { normalizeEmail, normalizePhone, normalizeCompany, normalizeText } from './normalize.js';
