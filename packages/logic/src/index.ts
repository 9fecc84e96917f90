export { DealflowError, isDealflowError } from './errors.js';
export type { DealflowErrorCode, DealflowErrorOptions, Problem } from './errors.js';
