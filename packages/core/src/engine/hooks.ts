import type { StorageTx, StoredRecord, TimerRecord } from '../storage/types.js';
import type { EventInput } from '../transition/step.js';
import type { Actor, Rejection } from './context.js';
import type { EnginePlugin } from './plugins.js';

/** What a hook that held a send answers instead: the rejection (reason `approval_pending`…) and the record as it now is. */
export interface HeldSend {
  rejection: Rejection;
  record: StoredRecord;
}

/** What a hook did with a timer of a kind it handles. */
export interface HookedTimer {
  /** `fired`, or `noop:<why>`. */
  outcome: string;
  /** The record after the hook's change (null when it is gone). */
  record: StoredRecord | null;
  /** Events the engine then sends to the record (system cause), in order. */
  transitions: string[];
}

/**
 * How rules above the engine plug in (the sales rules do; see create-engine.ts). Every hook runs
 * inside the call's store transaction; the engine imports none of the rules.
 *
 * - `holdSend`: before the step of a send that has a candidate transition — answer a {@link HeldSend}
 *   to hold it (approvals), or null to go on;
 * - `timerKinds` / `fireTimer`: timers of these kinds are fired by the hook (escalations, task
 *   reminders), then the engine sends the events it returns;
 * - `plugins`: add rule facts and enforce rules on every change before commit (assignment,
 *   duplicates, permissions on transitions, escalation timers), after the app's own plugins;
 * - after-commit notifications are the engine's typed events (`engine.on`), emitted once committed.
 */
export interface EngineHooks {
  holdSend?(tx: StorageTx, record: StoredRecord, input: EventInput, at: string, actor: Actor): Promise<HeldSend | null>;
  timerKinds: readonly string[];
  fireTimer?(tx: StorageTx, timer: TimerRecord, at: string): Promise<HookedTimer | null>;
  plugins: readonly EnginePlugin[];
}

/** No rules above the engine. */
export const NO_HOOKS: EngineHooks = Object.freeze({ timerKinds: Object.freeze([]) as readonly string[], plugins: Object.freeze([]) as readonly EnginePlugin[] });
