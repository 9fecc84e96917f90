import { createCalendar, DealflowError, isDealflowError } from '@dealflow/logic';
import type { BusinessCalendar } from '@dealflow/logic';
import type { CalendarSpec } from '../blueprint/schema.js';
import type { Engine } from '../create-engine.js';
import { isSet } from '../engine/fields.js';
import { diffRecords } from '../engine/replay.js';
import { internalsOf } from '../engine/internals.js';
import { defaultNewId } from '../engine/core.js';
import { withRetry } from '../engine/retry.js';
import { BatchTx } from '../storage/batch-tx.js';
import { errorOf, itemError } from '../engine/batches.js';
import type { ItemError } from '../engine/batches.js';
import { writeChange } from '../engine/writer.js';
import type { HistoryEvent, StorageTx, StoredRecord, TimerRecord } from '../storage/types.js';
import { deadlineTimers, newDueAt } from './deadlines.js';
import { ESCALATION_TIMER } from '../escalation/escalator.js';
import { renameStageTimes, STAGE_TIMES_META } from '../stage-times/stage-times.js';
import type { StageTimes } from '../stage-times/stage-times.js';
import type { CalendarLookup } from './deadlines.js';
import type { DeadlinePolicy, MigrationPlan } from './plan.js';

/** Timer kinds that belong to a stage's deadline (rebuilt by the policy). */
const DEADLINE_KINDS = new Set(['breach', 'reminder']);

/** Options of {@link previewMigration} and {@link migrateRecords}. */
export interface MigrateRecordsOptions {
  /** Tenant (default: the engine's). */
  tenantId?: string;
  /** Records per transaction (default 200). */
  batchSize?: number;
  /** Calendars for business-time deadlines: specs or ready calendars (default: those the blueprints declare). */
  calendars?: Array<CalendarSpec> | ReadonlyMap<string, BusinessCalendar>;
  /** Actor id written to history (default `system:migration`). */
  actorId?: string;
  /** Include one entry per record in the report (default false; large for big migrations). */
  details?: boolean;
  /** Called after each batch (progress bars). */
  onBatch?: (progress: { examined: number; migrated: number }) => void;
}

/** One record's move, in a report with `details`. */
export interface RecordMove {
  /** The migrated record. */
  recordId: string;
  /** Its stage in the old version. */
  from: string;
  /** Its stage in the new version. */
  to: string;
  /** Breach time before the migration (null: none). */
  dueBefore: string | null;
  /** Breach time after the migration (null: none). */
  dueAfter: string | null;
}

/** How the deadlines of records landing in one new stage change. */
export interface DeadlineChange {
  /** The stage of the new version the records land in. */
  stage: string;
  /** The deadline policy applied to them (from the plan). */
  policy: DeadlinePolicy;
  /** How many records land in the stage. */
  records: number;
  /** Records whose new breach is earlier than before. */
  earlier: number;
  /** Records whose new breach is later than before. */
  later: number;
  /** Records whose breach time stays the same. */
  unchanged: number;
  /** Records that get a breach where they had none. */
  added: number;
  /** Records that lose the breach they had. */
  removed: number;
  /** Records whose new breach is already due at migration time (fire on the next worker run). */
  overdue: number;
}

/** Dry-run or result report of a migration. */
export interface MigrationReport {
  /** The migrated blueprint. */
  blueprintId: string;
  /** The version records were moved from. */
  fromVersion: number;
  /** The version records were moved to. */
  toVersion: number;
  /** True for {@link previewMigration}: nothing was written. */
  dryRun: boolean;
  /** When the migration ran (engine clock). */
  at: string;
  /** Records of the blueprint pinned to `fromVersion` that were examined. */
  examined: number;
  /** Records moved (or that would move) to `toVersion`. */
  migrated: number;
  /** Moves per (old stage, new stage), sorted. */
  moves: Array<{
    /** Stage in the old version. */
    from: string;
    /** Stage in the new version. */
    to: string;
    /** How many records moved this way. */
    count: number;
  }>;
  /** Records left on the old version because the new stage requires fields they lack. */
  missingRequired: Array<{
    /** The record left behind. */
    recordId: string;
    /** Its stage in the old version. */
    from: string;
    /** The new stage it would have moved to. */
    to: string;
    /** The required fields of that stage it lacks. */
    fields: string[];
  }>;
  /** Records left on the old version because a split rule returned no stage of the new version. */
  unmapped: Array<{
    /** The record left behind. */
    recordId: string;
    /** Its stage in the old version. */
    from: string;
    /** What the split rule returned instead of a stage id. */
    result: unknown;
  }>;
  /**
   * Records that could not be decided or written (e.g. a stage the old version does not have:
   * `DATA_INVALID`; a split rule that failed: `RULE_ERROR`): nothing of them was written, they stay
   * on the old version, and the rest of their batch went on. Running the migration again retries them.
   */
  failed: Array<{
    /** The record left behind. */
    recordId: string;
    /** Its stage in the old version. */
    from: string;
    /** Why (the error's code and message, naming the record). */
    error: ItemError;
  }>;
  /** Deadline changes per new stage. */
  deadlines: DeadlineChange[];
  /** Timers cancelled and scheduled (or that would be). */
  timers: {
    /** Timers of the records' old stages cancelled (deadline timers are rebuilt by the policy; the others move to the new stage). */
    cancelled: number;
    /** Timers scheduled: the new stages' deadlines and reminders, and the moved timers. */
    scheduled: number;
  };
  /** Per record, with `details: true`. */
  records?: RecordMove[];
}

function calendarsOf(plan: MigrationPlan, given: MigrateRecordsOptions['calendars']): CalendarLookup {
  if (given instanceof Map) return given;
  const specs = [...(plan.from.spec.calendars ?? []), ...(plan.to.spec.calendars ?? []), ...((given as CalendarSpec[] | undefined) ?? [])];
  const out = new Map<string, BusinessCalendar>();
  for (const s of specs) out.set(s.id, createCalendar(s as never));
  return out;
}

interface Decision {
  record: StoredRecord;
  to: string;
  missing: string[];
  unmapped?: unknown;
  oldBreach: TimerRecord | undefined;
  dueAfter: string | null;
  cancel: TimerRecord[];
  schedule: TimerRecord[];
  after: StoredRecord;
  history: HistoryEvent;
}

/** Decides what happens to one record (pure apart from reading its timers). */
async function decide(tx: StorageTx, plan: MigrationPlan, record: StoredRecord, calendars: CalendarLookup, now: string, actorId: string, newId: () => string, hasEscalations: boolean): Promise<Decision> {
  const mapping = plan.stageMap.get(record.stage);
  if (!mapping) throw new DealflowError('DATA_INVALID', `record '${record.id}' is in stage '${record.stage}', which '${plan.blueprintId}' v${plan.fromVersion} does not have`, { details: { recordId: record.id } });
  let to: string;
  let unmapped: unknown;
  if ('to' in mapping) to = mapping.to;
  else {
    const out = mapping.compiled({ fields: record.fields, record: { id: record.id, stage: record.stage, ownerId: record.ownerId, teamId: record.teamId, createdAt: record.createdAt, stageEnteredAt: record.stageEnteredAt, fields: record.fields }, now });
    to = typeof out === 'string' ? out : '';
    if (!plan.to.stages.has(to)) unmapped = out;
  }
  const timers = await tx.listTimers(record.id, { status: ['pending', 'claimed'] });
  const oldBreach = timers.find((t) => t.kind === 'breach' && t.stage === record.stage);
  const missing = unmapped === undefined ? plan.to.requiredIn(to).filter((f) => !isSet(record.fields[f])) : [];
  const version = record.version + 1;
  const after: StoredRecord = { ...record, meta: { ...record.meta }, blueprintVersion: plan.toVersion, stage: to, version, updatedAt: now };
  if (to !== record.stage && record.meta[STAGE_TIMES_META] !== undefined) {
    // a renamed or split stage is the same stay: its times go with it
    after.meta[STAGE_TIMES_META] = renameStageTimes(record.meta[STAGE_TIMES_META] as StageTimes, record.stage, to);
  }
  const next = plan.to.stages.get(to)?.deadline;
  const policy = plan.policyFor(to);
  const dueAfter = next ? newDueAt(calendars, policy, next, oldBreach, record.stageEnteredAt, now) : null;
  // every timer of the old stage is cancelled; deadline timers are rebuilt by the policy, the
  // others (escalations, tasks bound to the stage) move with the record to its new stage
  const cancel = timers.filter((t) => t.stage === record.stage);
  const schedule: TimerRecord[] = next && dueAfter ? deadlineTimers(calendars, { tenantId: record.tenantId, recordId: record.id, stage: to, recordVersion: version }, next, dueAfter, now) : [];
  for (const t of cancel) {
    if (DEADLINE_KINDS.has(t.kind)) continue;
    // escalation timers are rebuilt by the engine's escalation rules after the move (same path as a transition)
    if (t.kind === ESCALATION_TIMER && hasEscalations) continue;
    schedule.push({ ...t, id: `${t.id}@v${plan.toVersion}`, stage: to, recordVersion: version, status: 'pending', leaseOwner: null, leaseUntil: null, createdAt: now, finishedAt: null, outcome: null });
  }
  const history: HistoryEvent = {
    tenantId: record.tenantId,
    id: newId(),
    recordId: record.id,
    seq: version,
    at: now,
    kind: 'migrated',
    from: record.stage,
    to,
    actorId,
    data: {
      blueprintId: plan.blueprintId,
      fromVersion: plan.fromVersion,
      toVersion: plan.toVersion,
      deadlinePolicy: policy,
      deadline: { before: oldBreach?.dueAt ?? null, after: dueAfter },
      changes: diffRecords(record, after),
    },
  };
  return { record, to, missing, unmapped, oldBreach, dueAfter, cancel, schedule, after, history };
}

function emptyReport(plan: MigrationPlan, dryRun: boolean, at: string): MigrationReport {
  return { blueprintId: plan.blueprintId, fromVersion: plan.fromVersion, toVersion: plan.toVersion, dryRun, at, examined: 0, migrated: 0, moves: [], missingRequired: [], unmapped: [], failed: [], deadlines: [], timers: { cancelled: 0, scheduled: 0 } };
}

async function run(engine: Engine, plan: MigrationPlan, options: MigrateRecordsOptions, apply: boolean): Promise<MigrationReport> {
  // the engine must know both versions, or records on them could not be served
  engine.blueprint(plan.blueprintId, plan.fromVersion);
  engine.blueprint(plan.blueprintId, plan.toVersion);
  const tenant = options.tenantId ?? engine.tenantId;
  const batchSize = options.batchSize ?? 200;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new DealflowError('INPUT_INVALID', `migration batchSize must be a positive integer, got ${String(batchSize)}`);
  const calendars = calendarsOf(plan, options.calendars);
  const actorId = options.actorId ?? 'system:migration';
  const sales = engine.sales;
  const now = engine.clock.now().toISOString();
  const report = emptyReport(plan, !apply, now);
  const moves = new Map<string, number>();
  const deadlines = new Map<string, DeadlineChange>();
  if (options.details) report.records = [];
  // the engine's ids (`createEngine({ newId })`), its one retry and its change writer
  const core = internalsOf(engine)?.core;
  const newId = () => (core ? core.newId('evt') : defaultNewId('evt'));
  const target = engine.blueprint(plan.blueprintId, plan.toVersion);

  /** Writes one record's move through the change writer (record, history, timers, outbox), then its escalation timers. */
  const write = async (tx: StorageTx, record: StoredRecord, d: Decision): Promise<void> => {
    await writeChange(tx, target, {
      before: record,
      after: d.after,
      history: [d.history],
      cancelTimers: d.cancel.length > 0 ? [{ recordId: record.id, stage: record.stage }] : [],
      scheduleTimers: d.schedule,
      outbox: [{
        tenantId: tx.tenantId,
        id: d.history.id,
        recordId: record.id,
        type: 'dealflow.migrated',
        payload: { recordId: record.id, blueprintId: plan.blueprintId, fromVersion: plan.fromVersion, toVersion: plan.toVersion, from: record.stage, to: d.to, version: d.after.version },
        createdAt: now,
      }],
    });
    // escalation rules (stage escalations of the new stage, inactivity) as on any stage change
    if (sales) await sales.escalator.schedule(tx, d.after, now);
  };

  for (let offset = 0; ; offset += batchSize) {
    // One transaction per page. Records are read inside it; a record changed by someone else
    // meanwhile makes `updateRecord` fail its version check, which rolls the whole batch back and
    // the batch is read and decided again.
    const decisions = await withRetry(engine.storage, tenant, { maxRetries: core?.maxRetries ?? 4, what: () => `migration of '${plan.blueprintId}' v${plan.fromVersion} → v${plan.toVersion}` },
      async (storeTx) => {
        const page = await storeTx.queryRecords({ blueprintId: plan.blueprintId, order: 'asc', limit: batchSize, offset });
        // the page's writes go to the store in a few multi-row calls at the end (a BatchTx, as
        // createMany's), its records read (and locked) once
        const tx = apply ? new BatchTx(storeTx) : storeTx;
        if (tx instanceof BatchTx) await tx.prefetch(page.filter((r) => r.blueprintVersion === plan.fromVersion).map((r) => r.id));
        const out: Array<Decision | { record: StoredRecord; error: ItemError }> = [];
        for (const record of page) {
          if (record.blueprintVersion !== plan.fromVersion) continue;
          // each record apart: one that cannot be decided or written leaves nothing behind and
          // does not sink the others (a store failure still fails the batch, which is retried)
          if (tx instanceof BatchTx) tx.begin();
          try {
            const d = await decide(tx, plan, record, calendars, now, actorId, newId, sales !== null);
            if (apply && d.missing.length === 0 && d.unmapped === undefined) await write(tx, record, d);
            if (tx instanceof BatchTx) tx.accept();
            out.push(d);
          } catch (e) {
            if (tx instanceof BatchTx && tx.isOpen) tx.reject();
            if (!itemError(e)) throw e;
            out.push({ record, error: errorOf(e) });
          }
        }
        if (tx instanceof BatchTx) await tx.flush();
        return { out, size: page.length };
      },
    );
    for (const d of decisions.out) {
      report.examined++;
      if ('error' in d) {
        report.failed.push({ recordId: d.record.id, from: d.record.stage, error: d.error });
        continue;
      }
      if (d.unmapped !== undefined) {
        report.unmapped.push({ recordId: d.record.id, from: d.record.stage, result: d.unmapped });
        continue;
      }
      if (d.missing.length > 0) {
        report.missingRequired.push({ recordId: d.record.id, from: d.record.stage, to: d.to, fields: d.missing });
        continue;
      }
      report.migrated++;
      const key = `${d.record.stage}\u0000${d.to}`;
      moves.set(key, (moves.get(key) ?? 0) + 1);
      report.timers.cancelled += d.cancel.length;
      report.timers.scheduled += d.schedule.length;
      let dc = deadlines.get(d.to);
      if (!dc) deadlines.set(d.to, (dc = { stage: d.to, policy: plan.policyFor(d.to), records: 0, earlier: 0, later: 0, unchanged: 0, added: 0, removed: 0, overdue: 0 }));
      dc.records++;
      const before = d.oldBreach?.dueAt ?? null;
      if (before === null && d.dueAfter !== null) dc.added++;
      else if (before !== null && d.dueAfter === null) dc.removed++;
      else if (before !== null && d.dueAfter !== null) {
        if (d.dueAfter < before) dc.earlier++;
        else if (d.dueAfter > before) dc.later++;
        else dc.unchanged++;
      }
      if (d.dueAfter !== null && d.dueAfter <= now) dc.overdue++;
      report.records?.push({ recordId: d.record.id, from: d.record.stage, to: d.to, dueBefore: before, dueAfter: d.dueAfter });
    }
    options.onBatch?.({ examined: report.examined, migrated: report.migrated });
    if (decisions.size < batchSize) break;
  }
  report.moves = [...moves].map(([k, count]) => {
    const [from, to] = k.split('\u0000') as [string, string];
    return { from, to, count };
  }).sort((a, b) => (a.from + a.to < b.from + b.to ? -1 : 1));
  report.deadlines = [...deadlines.values()].sort((a, b) => (a.stage < b.stage ? -1 : 1));
  return report;
}

/**
 * Dry run of a migration plan: how many records per stage would move where, which would land in
 * a stage whose required fields they lack (they would stay on the old version), how their
 * deadlines change under the policy, how many timers would be replaced. Writes nothing.
 *
 * @example
 * ```ts
 * const preview = await previewMigration(engine, plan)
 * console.table(preview.moves)          // [{ from: 'qualify', to: 'discovery', count: 2500 }, …]
 * console.log(preview.missingRequired)  // records that would stay on v1
 * ```
 */
export function previewMigration(engine: Engine, plan: MigrationPlan, options: MigrateRecordsOptions = {}): Promise<MigrationReport> {
  return run(engine, plan, options, false);
}

/**
 * Applies a migration plan in batches (one transaction per batch): each record pinned to the old
 * version moves to its new stage and version, its stage timers are replaced according to the
 * deadline policy (other timers of the stage move with it), and a `migrated` history event names
 * both versions, the policy and the old and new due times. Records lacking the new stage's
 * required fields stay on the old version and are listed; so does a record it cannot decide or
 * write (`failed`, with the error's code and message): the rest of its batch still migrates.
 * Running it again continues where it stopped (records already on the new version are skipped).
 * Returns the same report as the dry run.
 *
 * @example
 * ```ts
 * const done = await migrateRecords(engine, plan, { batchSize: 500 })
 * assert.deepEqual(done.moves, preview.moves)
 * for (const f of done.failed) console.log(f.recordId, f.error.code, f.error.message)
 * ```
 */
export async function migrateRecords(engine: Engine, plan: MigrationPlan, options: MigrateRecordsOptions = {}): Promise<MigrationReport> {
  try {
    return await run(engine, plan, options, true);
  } catch (e) {
    if (isDealflowError(e)) throw e;
    throw new DealflowError('MIGRATION_INVALID', `migration of '${plan.blueprintId}' v${plan.fromVersion} → v${plan.toVersion} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}
