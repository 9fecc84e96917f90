/**
 * Shared fixture of the migration tests: a deal blueprint v1, its v2 (one stage renamed, one split,
 * one deadline shortened), and a fast seeder that writes v1 records the way the engine leaves them
 * (record, `created` history event, breach + reminder timers of the stage) straight into a store.
 */
import { defineBlueprint } from '../packages/core/src/index.js';
import type { BlueprintInput, HistoryEvent, Storage, StoredRecord, TimerRecord } from '../packages/core/src/index.js';

export const V1: BlueprintInput = {
  id: 'deal',
  version: 1,
  recordType: 'deal',
  initialStage: 'new',
  fields: { amount: { type: 'number' }, budgetApproved: { type: 'boolean' } },
  stages: [
    { id: 'new', deadline: { within: 'P2D', remindBefore: ['P1D'], onBreach: 'expire' } },
    { id: 'qualify', deadline: { within: 'P5D', remindBefore: ['PT12H'], onBreach: 'expire' } },
    { id: 'negotiate', deadline: { within: 'P10D', onBreach: 'expire' } },
    { id: 'won', kind: 'won' },
    { id: 'lost', kind: 'lost' },
  ],
  transitions: [
    { event: 'qualify', from: 'new', to: 'qualify' },
    { event: 'propose', from: 'qualify', to: 'negotiate' },
    { event: 'win', from: 'negotiate', to: 'won' },
    { event: 'lose', from: '*', to: 'lost' },
    { event: 'expire', from: '*', to: 'lost' },
  ],
};

/** v2: `qualify` renamed `discovery`, `negotiate` split by amount, `new` deadline P2D → P1D. */
export const V2: BlueprintInput = {
  ...V1,
  version: 2,
  fields: { amount: { type: 'number' }, budgetApproved: { type: 'boolean', requiredIn: ['negotiate_large'] } },
  stages: [
    { id: 'new', deadline: { within: 'P1D', remindBefore: ['PT6H'], onBreach: 'expire' } },
    { id: 'discovery', deadline: { within: 'P5D', remindBefore: ['PT12H'], onBreach: 'expire' } },
    { id: 'negotiate_small', deadline: { within: 'P10D', onBreach: 'expire' } },
    { id: 'negotiate_large', deadline: { within: 'P20D', remindBefore: ['P2D'], onBreach: 'expire' } },
    { id: 'won', kind: 'won' },
    { id: 'lost', kind: 'lost' },
  ],
  transitions: [
    { event: 'qualify', from: 'new', to: 'discovery' },
    { event: 'propose', from: 'discovery', to: 'negotiate_small', guard: { '<=': [{ var: 'fields.amount' }, 50000] } },
    { event: 'proposeLarge', from: 'discovery', to: 'negotiate_large', guard: { '>': [{ var: 'fields.amount' }, 50000] } },
    { event: 'win', from: ['negotiate_small', 'negotiate_large'], to: 'won' },
    { event: 'lose', from: '*', to: 'lost' },
    { event: 'expire', from: '*', to: 'lost' },
  ],
};

export const STAGE_MAP = {
  qualify: 'discovery',
  negotiate: { rule: { if: [{ '>': [{ var: 'fields.amount' }, 50000] }, 'negotiate_large', 'negotiate_small'] } },
};

export const v1 = () => defineBlueprint(V1);
export const v2 = () => defineBlueprint(V2);

const STAGES = ['new', 'qualify', 'negotiate', 'won', 'lost'] as const;

/** Milliseconds of the wall-clock durations this fixture uses (`PnD`, `PTnH`; no months, no DST). */
function ms(d: string): number {
  const m = /^P(?:(\d+)D)?(?:T(\d+)H)?$/.exec(d);
  if (!m) throw new Error(`fixture duration '${d}' not supported`);
  return (Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 3_600_000;
}
const plus = (at: string, d: string) => new Date(Date.parse(at) + ms(d)).toISOString();
const minus = (at: string, d: string) => new Date(Date.parse(at) - ms(d)).toISOString();

/** The v1 deadline of each stage (test-side copy of the blueprint facts). */
const DEADLINES: Record<string, { within: string; remind: string[] } | undefined> = {
  new: { within: 'P2D', remind: ['P1D'] },
  qualify: { within: 'P5D', remind: ['PT12H'] },
  negotiate: { within: 'P10D', remind: [] },
};

/** Facts of a seeded record the checks need. */
export interface Seeded {
  id: string;
  stage: string;
  enteredAt: string;
  amount: number;
  budgetApproved: boolean | undefined;
  /** Its v1 breach time, if its stage has a deadline. */
  dueAt: string | undefined;
  /** Whether an extra stage-bound escalation timer was seeded. */
  escalation: boolean;
}

/**
 * Writes `n` v1 records across every stage (round robin over the five stages), entered at
 * different times before `now`, with the timers the engine would have scheduled. Every 7th
 * record also has a stage-bound escalation timer (it must move with the record).
 */
export async function seedV1(storage: Storage, tenant: string, n: number, now: string, batch = 500): Promise<Seeded[]> {
  const seeded: Seeded[] = [];
  for (let start = 0; start < n; start += batch) {
    await storage.transaction(tenant, async (tx) => {
      const history: HistoryEvent[] = [];
      const batchTimers: TimerRecord[] = [];
      for (let i = start; i < Math.min(n, start + batch); i++) {
        const stage = STAGES[i % STAGES.length]!;
        const id = `deal-${String(i).padStart(6, '0')}`;
        const enteredAt = minus(now, `PT${(i % 40) + 1}H`);
        const createdAt = minus(enteredAt, 'PT1H');
        const amount = ((i * 7919) % 100) * 1000; // 0 … 99 000
        const budgetApproved = i % 3 === 0 ? true : undefined; // a third have it
        const fields: Record<string, unknown> = { amount };
        if (budgetApproved !== undefined) fields.budgetApproved = budgetApproved;
        const record: StoredRecord = {
          tenantId: tenant, id, type: 'deal', blueprintId: 'deal', blueprintVersion: 1, stage, version: 1, fields,
          ownerId: null, teamId: null, meta: {}, stageEnteredAt: enteredAt, createdAt, updatedAt: createdAt,
        };
        await tx.insertRecord(record);
        const { tenantId: _t, version: _v, updatedAt: _u, ...snapshot } = record;
        history.push({ tenantId: tenant, id: `evt-${id}-1`, recordId: id, seq: 1, at: createdAt, kind: 'created', to: stage, actorId: 'seed', data: { record: snapshot } });
        const d = DEADLINES[stage];
        const base = { tenantId: tenant, recordId: id, stage, recordVersion: 1, status: 'pending' as const, leaseOwner: null, leaseUntil: null, attempts: 0, createdAt: enteredAt, finishedAt: null, outcome: null };
        const timers: TimerRecord[] = [];
        let dueAt: string | undefined;
        if (d) {
          dueAt = plus(enteredAt, d.within);
          timers.push({ ...base, id: `${id}:1:breach`, kind: 'breach', key: `deadline:${stage}`, dueAt, event: 'expire', payload: { within: d.within, businessTime: null } });
          d.remind.forEach((r, k) => {
            const at = minus(dueAt!, r);
            if (at > enteredAt) timers.push({ ...base, id: `${id}:1:reminder:${k}`, kind: 'reminder', key: `reminder:${stage}:${k}`, dueAt: at, event: 'reminder', payload: { before: r, deadline: dueAt } });
          });
        }
        const escalation = d !== undefined && i % 7 === 0;
        if (escalation) timers.push({ ...base, id: `${id}:esc`, kind: 'escalation', key: `esc:${id}`, dueAt: plus(now, 'P3D'), event: 'escalate', payload: { rule: 'stale' } });
        batchTimers.push(...timers);
        seeded.push({ id, stage, enteredAt, amount, budgetApproved, dueAt, escalation });
      }
      await tx.appendHistory(history);
      await tx.scheduleTimers(batchTimers);
    });
  }
  return seeded;
}

/** Where the plan sends a seeded record (test-side statement of the stage map). */
export function expectedStage(s: Seeded): string {
  if (s.stage === 'qualify') return 'discovery';
  if (s.stage === 'negotiate') return s.amount > 50000 ? 'negotiate_large' : 'negotiate_small';
  return s.stage;
}

/** v2 deadlines (test-side copy). */
export const V2_DEADLINES: Record<string, { within: string; remind: string[] } | undefined> = {
  new: { within: 'P1D', remind: ['PT6H'] },
  discovery: { within: 'P5D', remind: ['PT12H'] },
  negotiate_small: { within: 'P10D', remind: [] },
  negotiate_large: { within: 'P20D', remind: ['P2D'] },
};

/** The breach time a policy should give a seeded record (test-side statement of the policies). */
export function expectedDue(s: Seeded, policy: string, now: string): string | undefined {
  const d = V2_DEADLINES[expectedStage(s)];
  if (!d) return undefined;
  if (policy === 'restart') return new Date(plus(now, d.within)).toISOString();
  if (policy === 'recompute' || s.dueAt === undefined) return new Date(plus(s.enteredAt, d.within)).toISOString();
  return new Date(s.dueAt).toISOString(); // keepDueTime, and keepRemaining on wall-clock time
}

/** Reminder times a record should have after migration (those still ahead of `now`). */
export function expectedReminders(s: Seeded, due: string, now: string): string[] {
  const d = V2_DEADLINES[expectedStage(s)];
  return (d?.remind ?? []).map((r) => new Date(minus(due, r)).toISOString()).filter((at) => at > now);
}
