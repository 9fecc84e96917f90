import { createCalendar, DealflowError, isDealflowError } from '@dealflow/logic';
import type { BusinessCalendar } from '@dealflow/logic';
import type { CalendarSpec } from '../blueprint/schema.js';
import type { Engine } from '../create-engine.js';
import { isSet } from '../engine/fields.js';
import { diffRecords } from '../engine/replay.js';
import { internalsOf } from '../engine/internals.js';
import { defaultNewId } from '../engine/core.js';
import { withRetry } from '../engine/retry.js';
import { batchSizeOf, createBatchSizer, errorOf, itemError, runBatches } from '../engine/batches.js';
import type { ItemError } from '../engine/batches.js';
import { writeChange } from '../engine/writer.js';
import type { HistoryEvent, RecordQuery, StorageTx, StoredRecord, TimerRecord } from '../storage/types.js';
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
  /**
   * Records per page and transaction: an integer 1…10 000 (default 200), or `'auto'`: starts at 100
   * and adapts after each batch so a transaction takes about 200 ms, up to 1 000 (as `createMany`'s).
   */
  batchSize?: number | 'auto';
  /** Calendars for business-time deadlines: specs or ready calendars (default: those the blueprints declare). */
  calendars?: Array<CalendarSpec> | ReadonlyMap<string, BusinessCalendar>;
  /** Actor id written to history (default `system:migration`). */
  actorId?: string;
  /** Include one entry per record in the report (default false; large for big migrations). */
  details?: boolean;
  /** Called after each batch committed (progress bars), with the totals so far; awaited before the next page is read. */
  onBatch?: (progress: { examined: number; migrated: number }) => void | Promise<void>;
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

/** What the report learns of one examined record: its decision, or why it failed. */
type Examined = { decision: Decision } | { record: StoredRecord; error: ItemError };

/**
 * The one report builder of both modes: the dry run and the migration add the records they
 * examined in the same order and get the same report.
 */
function reportBuilder(plan: MigrationPlan, dryRun: boolean, now: string, details: boolean) {
  const report: MigrationReport = { blueprintId: plan.blueprintId, fromVersion: plan.fromVersion, toVersion: plan.toVersion, dryRun, at: now, examined: 0, migrated: 0, moves: [], missingRequired: [], unmapped: [], failed: [], deadlines: [], timers: { cancelled: 0, scheduled: 0 } };
  if (details) report.records = [];
  const moves = new Map<string, number>();
  const deadlines = new Map<string, DeadlineChange>();
  const add = (e: Examined): void => {
    report.examined++;
    if ('error' in e) {
      report.failed.push({ recordId: e.record.id, from: e.record.stage, error: e.error });
      return;
    }
    const d = e.decision;
    if (d.unmapped !== undefined) {
      report.unmapped.push({ recordId: d.record.id, from: d.record.stage, result: d.unmapped });
      return;
    }
    if (d.missing.length > 0) {
      report.missingRequired.push({ recordId: d.record.id, from: d.record.stage, to: d.to, fields: d.missing });
      return;
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
  };
  const finish = (): MigrationReport => {
    report.moves = [...moves].map(([k, count]) => {
      const [from, to] = k.split('\u0000') as [string, string];
      return { from, to, count };
    }).sort((a, b) => (a.from + a.to < b.from + b.to ? -1 : 1));
    report.deadlines = [...deadlines.values()].sort((a, b) => (a.stage < b.stage ? -1 : 1));
    return report;
  };
  return { add, progress: () => ({ examined: report.examined, migrated: report.migrated }), finish };
}

/**
 * The blueprint's records in (createdAt, id) order, a page at a time (keyset paging: each page
 * starts after the last record of the one before, so records changed or removed meanwhile shift
 * nothing). `size()` is asked before each page.
 */
async function* pagesOf(read: (query: RecordQuery) => Promise<StoredRecord[]>, blueprintId: string, size: () => number): AsyncGenerator<StoredRecord[]> {
  let after: RecordQuery['after'];
  for (;;) {
    const limit = size();
    const page = await read({ blueprintId, order: 'asc', limit, ...(after ? { after } : {}) });
    if (page.length === 0) return;
    const last = page[page.length - 1]!;
    after = { createdAt: last.createdAt, id: last.id };
    yield page;
    if (page.length < limit) return;
  }
}

/** What both modes resolve from the engine and the options before reading anything. */
interface RunContext {
  /** The tenant whose records are read and written. */
  tenant: string;
  /** The fixed batch size, or null for `'auto'`. */
  fixed: number | null;
  /** The engine's retry count for version conflicts. */
  maxRetries: number;
  /** {@link decide} with the plan, calendars, clock, actor and ids of this run. */
  decide(tx: StorageTx, record: StoredRecord): Promise<Decision>;
}

function contextOf(engine: Engine, plan: MigrationPlan, options: MigrateRecordsOptions, what: string, now: string): RunContext {
  // the engine must know both versions, or records on them could not be served
  engine.blueprint(plan.blueprintId, plan.fromVersion);
  engine.blueprint(plan.blueprintId, plan.toVersion);
  const fixed = options.batchSize === undefined ? 200 : batchSizeOf(what, options.batchSize);
  const calendars = calendarsOf(plan, options.calendars);
  const actorId = options.actorId ?? 'system:migration';
  // the engine's ids (`createEngine({ newId })`) and its retry count
  const core = internalsOf(engine)?.core;
  const newId = () => (core ? core.newId('evt') : defaultNewId('evt'));
  const hasEscalations = engine.sales !== null;
  return {
    tenant: options.tenantId ?? engine.tenantId,
    fixed,
    maxRetries: core?.maxRetries ?? 4,
    decide: (tx, record) => decide(tx, plan, record, calendars, now, actorId, newId, hasEscalations),
  };
}

/**
 * The page size of a run: a fixed `batchSize`, or one {@link createBatchSizer} for `'auto'` so the
 * size carries from one page to the next.
 */
function pageSizer(fixed: number | null): { size: () => number; observe: (items: number, ms: number) => void } {
  if (fixed !== null) return { size: () => fixed, observe: () => {} };
  const sizer = createBatchSizer();
  return { size: () => sizer.size, observe: (items, ms) => sizer.observe(items, ms) };
}

/** The dry run: the same pages, each decided in one transaction that only reads (the records' timers); nothing written. */
async function preview(engine: Engine, plan: MigrationPlan, options: MigrateRecordsOptions): Promise<MigrationReport> {
  const now = engine.clock.now().toISOString();
  const ctx = contextOf(engine, plan, options, 'previewMigration', now);
  const report = reportBuilder(plan, true, now, options.details === true);
  const sizer = pageSizer(ctx.fixed);
  const what = () => `dry run of '${plan.blueprintId}' v${plan.fromVersion} → v${plan.toVersion}`;
  for await (const page of pagesOf((q) => engine.storage.queryRecords(ctx.tenant, q), plan.blueprintId, sizer.size)) {
    const candidates = page.filter((r) => r.blueprintVersion === plan.fromVersion);
    if (candidates.length === 0) continue;
    const started = performance.now();
    const examined = await withRetry(engine.storage, ctx.tenant, { maxRetries: ctx.maxRetries, what }, async (tx) => {
      const out: Examined[] = [];
      for (const record of candidates) {
        try {
          out.push({ decision: await ctx.decide(tx, record) });
        } catch (e) {
          if (!itemError(e)) throw e;
          out.push({ record, error: errorOf(e) });
        }
      }
      return out;
    });
    sizer.observe(candidates.length, performance.now() - started);
    for (const e of examined) report.add(e);
    await options.onBatch?.(report.progress());
  }
  return report.finish();
}

/** One record's item in a migration batch: its decision, or nothing when it no longer needs migrating. */
type MigrateItem = { skipped: true } | { skipped: false; decision: Decision };

/**
 * The migration: each page of candidates (records still on `fromVersion`) is one batch of the
 * engine's batch runner, so a record that cannot be decided or written is refused alone, a
 * version conflict retries the batch and a batch the store refuses is split in halves.
 */
async function apply(engine: Engine, plan: MigrationPlan, options: MigrateRecordsOptions): Promise<MigrationReport> {
  const now = engine.clock.now().toISOString();
  const ctx = contextOf(engine, plan, options, 'migrateRecords', now);
  const report = reportBuilder(plan, false, now, options.details === true);
  const sizer = pageSizer(ctx.fixed);
  const sales = engine.sales;
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

  for await (const page of pagesOf((q) => engine.storage.queryRecords(ctx.tenant, q), plan.blueprintId, sizer.size)) {
    const candidates = page.filter((r) => r.blueprintVersion === plan.fromVersion);
    if (candidates.length === 0) continue;
    // the record each item last read in its batch's transaction (a failed item is reported in the stage it was found in)
    const seen = new Map<number, StoredRecord>();
    const started = performance.now();
    const results = await runBatches<StoredRecord, MigrateItem>({
      what: `migration of '${plan.blueprintId}' v${plan.fromVersion} → v${plan.toVersion}`,
      storage: engine.storage,
      tenantId: ctx.tenant,
      maxRetries: ctx.maxRetries,
      prefetch: (items) => items.map((r) => r.id),
      // every item reads its record's timers (decide): one read for the batch where the store has it
      prefetchTimers: (items) => items.map((r) => r.id),
      runItem: async (tx, item, index) => {
        // read in the batch's transaction (prefetched, locked): the page may be stale
        const record = await tx.getRecord(item.id);
        // removed, or migrated by someone else meanwhile: nothing to do, not counted
        if (!record || record.blueprintId !== plan.blueprintId || record.blueprintVersion !== plan.fromVersion) return { result: { skipped: true }, emits: [] };
        seen.set(index, record);
        const decision = await ctx.decide(tx, record);
        if (decision.missing.length === 0 && decision.unmapped === undefined) await write(tx, record, decision);
        return { result: { skipped: false, decision }, emits: [] };
      },
      // migrations announce through the outbox (`dealflow.migrated`): no typed events
      emit: () => {},
    }, candidates, { batchSize: candidates.length });
    sizer.observe(candidates.length, performance.now() - started);
    for (const r of results) {
      if ('error' in r) report.add({ record: seen.get(r.index) ?? candidates[r.index]!, error: r.error });
      else if (!r.skipped) report.add({ decision: r.decision });
    }
    await options.onBatch?.(report.progress());
  }
  return report.finish();
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
  return preview(engine, plan, options);
}

/**
 * Applies a migration plan in batches on the engine's batch runner (one transaction per page of
 * the blueprint's records, read in creation order with keyset paging): each record pinned to the
 * old version moves to its new stage and version, its stage timers are replaced according to the
 * deadline policy (other timers of the stage move with it), and a `migrated` history event names
 * both versions, the policy and the old and new due times. Records lacking the new stage's
 * required fields stay on the old version and are listed; so does a record it cannot decide or
 * write (`failed`, with the error's code and message): the rest of its batch still migrates. A
 * record changed meanwhile makes its batch run again (version conflict); a batch the store refuses
 * is split in halves until the record it fails on stands alone (`failed`, code `STORAGE`).
 * Running it again continues where it stopped (records already on the new version are skipped).
 * Returns the same report as the dry run.
 *
 * @example
 * ```ts
 * const done = await migrateRecords(engine, plan, { batchSize: 'auto' })
 * assert.deepEqual(done.moves, preview.moves)
 * for (const f of done.failed) console.log(f.recordId, f.error.code, f.error.message)
 * ```
 */
export async function migrateRecords(engine: Engine, plan: MigrationPlan, options: MigrateRecordsOptions = {}): Promise<MigrationReport> {
  try {
    return await apply(engine, plan, options);
  } catch (e) {
    if (isDealflowError(e)) throw e;
    throw new DealflowError('MIGRATION_INVALID', `migration of '${plan.blueprintId}' v${plan.fromVersion} → v${plan.toVersion} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}
