import type { HistoryEvent, StorageTx, StoredRecord } from '../storage/types.js';
import type { CallContext } from './context.js';
import type { EngineCore } from './core.js';
import { changeWriter, writeEffects } from './writer.js';
import type { ChangeEffects, RecordChange } from './writer.js';

/** What a plugin sees before a change is written. */
export interface PluginChange {
  /** The record before (null on create). */
  before: StoredRecord | null;
  /**
   * The record about to be written. A plugin may change `after.fields`, `after.meta`,
   * `after.ownerId` and `after.teamId`; the engine records the difference in the history event
   * (computed after every plugin ran), so replay stays exact. `after.fields` and `after.meta` are
   * the plugin's to change, but nested values are shared with `before`: replace a nested object
   * (`after.meta.score = { ...old, value }`) rather than mutating it in place.
   */
  after: StoredRecord;
  /** History events about to be appended (their `data.changes` is filled in after plugins). */
  events: HistoryEvent[];
  /** The open transaction (same tenant), for reads and extra writes (counters, unique keys…). */
  tx: StorageTx;
  /** The call's context: actor, idempotency key, expected version, tenant. */
  ctx: CallContext;
  /**
   * Writes a change of ANOTHER record (a linked one) through the engine's change writer, in the same
   * transaction: the record at `before.version + 1`, its history events (and task index rows,
   * timers, outbox), the same way every engine path writes. The record being written is `after`:
   * change it in place instead.
   */
  write(change: RecordChange): Promise<void>;
  /**
   * Writes effects of this change that are not the record itself — outbox messages, timers to
   * cancel and schedule — through the engine's change writer, in the same transaction: they
   * commit with the change or not at all.
   *
   * @example
   * ```ts
   * await change.writeEffects({ outbox: [{ tenantId: change.tx.tenantId, id: `${change.events[0]!.id}:crm`, recordId: change.after.id, type: 'crm.sync', payload: { id: change.after.id }, createdAt: change.after.updatedAt }] })
   * ```
   */
  writeEffects(effects: ChangeEffects): Promise<void>;
}

/**
 * An engine extension (scoring, assignment…). `beforeCommit` runs inside the transaction after the
 * engine computed the new record and before it is written; throwing aborts the whole call.
 *
 * @example
 * ```ts
 * const touch: EnginePlugin = {
 *   name: 'touch-count',
 *   beforeCommit({ after }) { after.meta.touches = ((after.meta.touches as number) ?? 0) + 1 },
 * }
 * createEngine({ storage, blueprints, plugins: [touch] })
 * ```
 */
export interface EnginePlugin {
  /** The plugin's name (e.g. `scoring`, `dealflow.sales`): identifies it for people; the engine does not read it. */
  name: string;
  /**
   * Runs inside the write transaction after the engine computed the new record, before it is
   * written; may change `change.after` (fields, meta, owner, team). Throwing aborts the whole call.
   */
  beforeCommit?(change: PluginChange): void | Promise<void>;
}

/** Runs every plugin's `beforeCommit` of the engine in order (they write other records through the engine's change writer). */
export async function runPlugins(core: EngineCore, change: Omit<PluginChange, 'write' | 'writeEffects'>): Promise<void> {
  if (core.plugins.length === 0) return;
  // (the same object gets `write`: a plugin's changes to the change are the engine's to read)
  const full = change as PluginChange;
  full.write = changeWriter((id, version) => core.blueprintOf(id, version), change.tx);
  full.writeEffects = (effects) => writeEffects(change.tx, effects);
  for (const p of core.plugins) if (p.beforeCommit) await p.beforeCommit(full);
}
