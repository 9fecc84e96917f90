export { DealflowError, isDealflowError } from './errors.js';
export type { DealflowErrorCode, DealflowErrorOptions, Problem } from './errors.js';

export { createRuleEngine } from './engine/create-engine.js';
export { compileRule, validateRule } from './default-engine.js';
export { truthy } from './engine/truthy.js';
export type {
  CreateRuleEngineOptions,
  OperatorDefinition,
  RuleEngine,
  RuleFn,
  RuleLimits,
  ValidateRuleOptions,
} from './engine/types.js';
export { DEFAULT_LIMITS } from './engine/limits.js';

export { createCalendar } from './calendar/create-calendar.js';
export type { BusinessCalendar, CalendarDefinition, TimeRange, Weekday } from './calendar/types.js';
