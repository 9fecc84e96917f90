export { nextSteps } from './next-steps.js';
export type { Guidance, GuidanceTask, NextTransition, NextStepsOptions } from './next-steps.js';
