export { initialStageTimes, moveStageTimes, renameStageTimes, stageTimesAt, STAGE_TIMES_META } from './stage-times.js';
export type { StageTime, StageTimes, StageTimeAt } from './stage-times.js';
