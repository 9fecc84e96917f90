export { transition } from './transition.js';
export type { TransitionContext, TransitionResult } from './transition.js';
export type { TransitionEffects, TimerCancel } from './step.js';
export type { ConvertPlan } from '../engine/actions.js';
