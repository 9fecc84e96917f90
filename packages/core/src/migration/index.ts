export { planMigration, DEADLINE_POLICIES } from './plan.js';
export type { DeadlinePolicy, StageMapping, PlanMigrationOptions, MigrationPlan } from './plan.js';
export { previewMigration, migrateRecords } from './run.js';
export type { MigrateRecordsOptions, MigrationReport, DeadlineChange, RecordMove } from './run.js';
