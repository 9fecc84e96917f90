export { DealflowError, isDealflowError } from '@dealflow/logic';
export type { DealflowErrorCode, DealflowErrorOptions, Problem } from '@dealflow/logic';
// what records, history and timers look like (store authors: `@dealflow/core/storage` has the whole contract)
export type { Storage, StorageTx, StoredRecord, HistoryEvent, TimerRecord, TimerStatus, OutboxMessage, RecordQuery, TaskRow, DeadlineRow } from './storage/types.js';

// blueprints
export { defineBlueprint } from './blueprint/define.js';
export type { Blueprint, DefineBlueprintOptions } from './blueprint/define.js';
export { blueprintSchema, ruleSchema, isoDurationSchema } from './blueprint/schema.js';
export type {
  BlueprintInput,
  BlueprintSpec,
  FieldSpec,
  FieldType,
  StageSpec,
  StageKind,
  ForecastCategory,
  DeadlineSpec,
  TransitionSpec,
  ActionSpec,
  ConvertTargetSpec,
  CalendarSpec,
  DateTimerSpec,
} from './blueprint/schema.js';
export { checkBlueprint } from './blueprint/checks.js';
export { toMinorUnits, fromMinorUnits, minorUnitsOf, normalizeFieldValue, fieldSchema, itemFieldSchema, FIELD_LIMITS } from './fields/index.js';
export type { ItemFieldSpec, FieldValueResult, ComputedFields } from './fields/index.js';
export type { Actor, RecordView, RuleData } from './blueprint/machine.js';
export { recordView } from './blueprint/record-view.js';

// the pure step: what a send would do, without a store (simulations, what-ifs, dry runs)
export { transition } from './transition/index.js';
export type { TransitionContext, TransitionResult, TransitionEffects, TimerCancel, ConvertPlan } from './transition/index.js';

// engine
export { createEngine } from './create-engine.js';
export type { Engine, CreateEngineOptions, FireTimerResult, FireTimersResult, RunDueSummary, UpdateResult } from './create-engine.js';
export type { CreateManyItem, CreateManyOptions, CreateManyResult } from './engine/create-many.js';
export type { SendManyItem, SendManyOptions, SendManyResult } from './engine/send-many.js';
export { createBatchSizer } from './engine/batches.js';
export type { BatchSizer, BatchSizerOptions, ItemError } from './engine/batches.js';
export { IMPORT_EVENT } from './engine/create-record.js';
export type { PastStage } from './engine/create-record.js';
export type { UpdateInput } from './engine/update.js';
export type { Agenda, TasksFilter } from './engine/agenda.js';
export { DATE_TIMER_KIND } from './engine/date-timers.js';
export type { StageRequirements } from './engine/requirements.js';
export type { IdentityOptions } from './identity/identity.js';
export type {
  CallContext,
  SendInput,
  CreateInput,
  Rejection,
  RejectionReason,
  SendResult,
  CreateResult,
  Task,
} from './engine/context.js';
export type {
  EngineEventMap,
  EngineEventName,
  CreatedEvent,
  TransitionEvent,
  DeadlineEvent,
  NotifyEvent,
  TaskCreatedEvent,
  EmittedEvent,
  FieldsChangedEvent,
} from './engine/events.js';
export type { EnginePlugin, PluginChange } from './engine/plugins.js';
export type { ChangeEffects } from './engine/writer.js';
export { replay, applyHistoryEvent } from './engine/replay.js';
export type { RecordChanges, CreatedSnapshot } from './engine/replay.js';
export { toMachineSnapshot } from './engine/snapshot.js';

// time
export { createManualClock, systemClock } from './clock.js';
export type { Clock, ManualClock } from './clock.js';

// storage
export { createMemoryStorage } from './storage/memory.js';

// rules and calendars (from @dealflow/logic)
export { createCalendar, createRuleEngine, truthy } from '@dealflow/logic';
export type { BusinessCalendar, CalendarDefinition, TimeRange, Weekday, RuleEngine, RuleFn, OperatorDefinition } from '@dealflow/logic';

// ── sales rules: assignment, escalation, public pool, duplicate guard, activities, approvals,
// ── permissions (engine-level `createEngine({ rules, directory })`; docs/assignment.md)
export { createMemoryDirectory, managerChain } from './directory/index.js';
export type { Directory, Rep, RepCapacity, Team, Awaitable, CreateMemoryDirectoryOptions, MemoryDirectory } from './directory/index.js';
export { createAssigner } from './assignment/assigner.js';
export type { Assigner, AssignmentDecision, AssignmentExplanation, RuleExplanation, AssignOptions, CreateAssignerOptions, AssignmentStore } from './assignment/assigner.js';
export { assignmentConfigSchema, assignmentRuleSchema, strategySchema } from './assignment/schema.js';
export type { AssignmentConfig, AssignmentRule, Strategy } from './assignment/schema.js';
export { ruleCompilerFrom } from './assignment/rules.js';
export type { RuleCompiler } from './assignment/rules.js';
export { createEscalator, ESCALATION_TIMER, ESCALATION_EVENT } from './escalation/escalator.js';
export type { Escalator, EscalationState } from './escalation/escalator.js';
export { escalationSchema, escalationsConfigSchema } from './escalation/schema.js';
export type { EscalationRule, EscalationAction, EscalationLevel, EscalationTarget } from './escalation/schema.js';
export { poolConfigSchema } from './pool/schema.js';
export type { PoolConfig, PoolState } from './pool/schema.js';
export { createDuplicateGuard, duplicatesConfigSchema, normalizeEmail, normalizePhone, normalizeCompany, normalizeText } from './duplicates/index.js';
export type { DuplicateGuard, DuplicatesConfig, DuplicateKey, DuplicateDetails } from './duplicates/index.js';
export { ACTIVITY_TYPES, activityInputSchema, taskInputSchema } from './activities/index.js';
export type { Activity, ActivityInput, ActivityType, TaskInput } from './activities/index.js';
export { createApprovals, approvalsConfigSchema } from './approvals/index.js';
export type { Approvals, ApprovalRule, PendingApproval } from './approvals/index.js';
export { createPermissions, permissionsConfigSchema } from './permissions/index.js';
export type { Permissions, PermissionsConfig, PermissionAction, ActorLike, ActorView } from './permissions/index.js';
export type { SalesEngineApi, SalesCallContext } from './sales/engine-api.js';
export type { SalesRulesInput, SalesResult, AssignResult, HandoverTarget, HandoverResult, HandoverItemResult, HandoverOptions, ReturnManyOptions, ReturnManyResult, DistributeManyItem, DistributeManyOptions, DistributeManyResult, SalesTimerOutcome } from './sales/types.js';
// ── end sales rules

// ── authoring: JSON Schema, diagrams, blueprint test coverage (docs/cli.md)
export { blueprintJsonSchema, BLUEPRINT_SCHEMA_ID, renderMermaid, renderSvg, toStatelyConfig, ruleText, testBlueprint } from './authoring/index.js';
export type { RenderSvgOptions, RenderMermaidOptions, DiagramRules, BlueprintTester, BlueprintPath, PathStep, CoverageEdge, CoverageReport, TestBlueprintOptions } from './authoring/index.js';
// ── end authoring

// ── process files: blueprints, calendars and sales rules in one file (docs/process-file.md)
export { defineProcess, processSchema, processRulesSchema, processJsonSchema, PROCESS_SCHEMA_ID } from './process/index.js';
export type { ProcessDefinition, ProcessInput } from './process/index.js';
// ── end process files

// ── blueprint evolution: static analysis, versioned migrations (docs/linting.md, docs/evolving-processes.md)
export { lintBlueprint, analyzeCondition, implies } from './lint/index.js';
export type { LintFinding, LintOptions, LintSeverity, Verdict, ConditionAnalysis } from './lint/index.js';
export { planMigration, previewMigration, migrateRecords, DEADLINE_POLICIES } from './migration/index.js';
export type { DeadlinePolicy, StageMapping, PlanMigrationOptions, MigrationPlan, MigrateRecordsOptions, MigrationReport, DeadlineChange, RecordMove } from './migration/index.js';
export { stageTimesAt } from './stage-times/index.js';
export type { StageTime, StageTimes, StageTimeAt } from './stage-times/index.js';
export type { RepAvailability } from './directory/types.js';
// ── end blueprint evolution

// durable deadlines and outside delivery (worker, outbox relay)
export { createWorker } from './worker/index.js';
export type { CreateWorkerOptions, TickResult, Worker, WorkerStats } from './worker/index.js';
export { createOutboxRelay } from './outbox/index.js';
export type { CreateOutboxRelayOptions, OutboxRelay, OutboxRelayStats } from './outbox/index.js';

// ── linked lifecycles and guided next steps (docs/templates.md)
export { LINKS_META, linksOf, followLinks, createLinks, createLinkRules, linkRulesSchema, linkBlockSchema, linkCascadeSchema } from './links/index.js';
export type { LinkApi, LinkOptions, LinkPath, LinkReadOptions, LinkRules, LinkRulesInput, LinkBlockRule, LinkCascadeRule, LinkBlocker, LinkedView } from './links/index.js';
export { nextSteps } from './guidance/index.js';
export type { Guidance, GuidanceTask, NextTransition, NextStepsOptions } from './guidance/index.js';
// ── end linked lifecycles

/**
 * Input limits (issue #15): what one call may carry. `createEngine({ limits })` overrides them.
 *
 * @example
 * ```ts
 * createEngine({ storage, blueprints, limits: { ...DEFAULT_INPUT_LIMITS, maxValueSize: 16_384 } })
 * ```
 */
export { DEFAULT_INPUT_LIMITS } from './input/limits.js';
export type { InputLimits } from './input/limits.js';
