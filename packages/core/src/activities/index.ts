export { ACTIVITY_TYPES, activityInputSchema, taskInputSchema, TASK_TIMER, TASK_EVENT } from './activities.js';
export type { Activity, ActivityInput, ActivityType, TaskInput } from './activities.js';
