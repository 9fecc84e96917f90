export { DealflowError, isDealflowError } from '@dealflow/logic';
export type { DealflowErrorCode, DealflowErrorOptions, Problem } from '@dealflow/logic';
export type {
  Storage,
  StorageTx,
  StoredRecord,
  HistoryEvent,
  TimerRecord,
  TimerStatus,
  OutboxMessage,
  RecordQuery,
  ClaimTimersOptions,
  UniqueKeyConflict,
} from './storage/types.js';

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
} from './blueprint/schema.js';
export { checkBlueprint } from './blueprint/checks.js';
export { compileMachine, candidateTransitions, ruleDataOf, RULE_ROOTS } from './blueprint/machine.js';
export type {
  Actor,
  RecordView,
  RuleData,
  DealflowMachineContext,
  DealflowMachineEvent,
  DealflowTransitionMeta,
} from './blueprint/machine.js';

// engine
export { createEngine } from './engine/create-engine.js';
export type { Engine, CreateEngineOptions, FireTimerResult, RunDueSummary } from './engine/create-engine.js';
export { SYSTEM_ACTOR } from './engine/context.js';
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
} from './engine/events.js';
export type { EnginePlugin, PluginChange } from './engine/plugins.js';
export { replay, applyHistoryEvent, diffRecords } from './engine/replay.js';
export type { RecordChanges, CreatedSnapshot } from './engine/replay.js';
export { toMachineSnapshot } from './engine/snapshot.js';

// time
export { createManualClock, systemClock } from './clock.js';
export type { Clock, ManualClock } from './clock.js';

// storage
export { createMemoryStorage } from './storage/memory.js';
export { cloneJson } from './storage/clone.js';

// rules and calendars (from @dealflow/logic)
export { createCalendar, createRuleEngine, truthy } from '@dealflow/logic';
export type { BusinessCalendar, CalendarDefinition, TimeRange, Weekday, RuleEngine, RuleFn, OperatorDefinition } from '@dealflow/logic';
