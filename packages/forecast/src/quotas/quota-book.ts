import { DealflowError, isDealflowError } from '@dealflow/core';
import type { BlueprintInput, CallContext, Engine, StoredRecord } from '@dealflow/core';
import type { Metric } from '../forecaster/components.js';
import { periodRange } from './period.js';

/** Who a quota is for: a rep (record owner) or a team. */
export type QuotaScope = 'rep' | 'team';

/** One quota: what `subject` should book (`value`) or win (`count`) in `period`. */
export interface Quota {
  /** A rep's or a team's quota. */
  scope: QuotaScope;
  /** The rep id or team id. */
  subject: string;
  /** `YYYY-Qn`, `YYYY-MM` or `YYYY`. */
  period: string;
  /** Booked `value` or won deal `count`. */
  metric: Metric;
  /** The target. */
  amount: number;
}

/** Record type of quota records (default of {@link createQuotaBook}). */
export const QUOTA_TYPE = 'dealflow.quota';

/**
 * The blueprint of quota records: one open stage and a `set` event that changes the amount, so
 * every change is a history event (who set what, when). Register it with the engine.
 *
 * @example
 * ```ts
 * createEngine({ storage, blueprints: [deal, defineBlueprint(quotaBlueprint)] })
 * ```
 */
export const quotaBlueprint: BlueprintInput = {
  id: QUOTA_TYPE,
  version: 1,
  recordType: QUOTA_TYPE,
  fields: {
    scope: { type: 'enum', values: ['rep', 'team'] },
    subject: { type: 'string' },
    period: { type: 'string' },
    metric: { type: 'enum', values: ['value', 'count'] },
    amount: { type: 'number' },
  },
  initialStage: 'active',
  stages: [{ id: 'active', kind: 'open' }],
  transitions: [{ event: 'set', from: 'active', to: 'active' }],
} as unknown as BlueprintInput;

/** Quotas kept as records of an engine (any store), read and written through its public API. */
export interface QuotaBook {
  /** Creates or changes a quota (a `set` event on its record, kept in history). */
  set(quota: Quota, ctx?: CallContext): Promise<Quota>;
  /** The quota, or null when none is set. */
  get(key: Omit<Quota, 'amount'>, ctx?: Pick<CallContext, 'actor' | 'tenantId'>): Promise<Quota | null>;
  /** Every quota of a period (optionally one scope / metric). */
  list(filter: { period: string; scope?: QuotaScope; metric?: Metric }, ctx?: Pick<CallContext, 'actor' | 'tenantId'>): Promise<Quota[]>;
}

const MAX_SUBJECT = 200;

function validate(q: Partial<Quota>, withAmount: boolean): void {
  const problems: { path: string; message: string }[] = [];
  if (q.scope !== 'rep' && q.scope !== 'team') problems.push({ path: 'scope', message: `must be 'rep' or 'team', got ${JSON.stringify(q.scope)}` });
  if (typeof q.subject !== 'string' || q.subject === '' || q.subject.length > MAX_SUBJECT) problems.push({ path: 'subject', message: `must be a non-empty string of at most ${MAX_SUBJECT} characters` });
  if (q.metric !== 'value' && q.metric !== 'count') problems.push({ path: 'metric', message: `must be 'value' or 'count', got ${JSON.stringify(q.metric)}` });
  try {
    periodRange(String(q.period));
  } catch (e) {
    problems.push({ path: 'period', message: (e as Error).message });
  }
  if (withAmount && !(typeof q.amount === 'number' && Number.isFinite(q.amount) && q.amount >= 0 && q.amount <= 1e15)) {
    problems.push({ path: 'amount', message: `must be a finite number in [0, 1e15], got ${JSON.stringify(q.amount)}` });
  }
  if (problems.length > 0) {
    throw new DealflowError('INPUT_INVALID', `quota ${q.scope}:${q.subject} ${q.period}: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, { problems });
  }
}

const idOf = (q: Omit<Quota, 'amount'>): string => `quota:${q.scope}:${q.metric}:${q.period}:${q.subject}`;
const fromRecord = (r: StoredRecord): Quota => ({
  scope: r.fields.scope as QuotaScope,
  subject: String(r.fields.subject),
  period: String(r.fields.period),
  metric: r.fields.metric as Metric,
  amount: Number(r.fields.amount),
});

/** The read options of a call: its tenant and actor (an engine with permissions needs the actor). */
function readAs(ctx: Pick<CallContext, 'actor' | 'tenantId'> | undefined): { tenantId?: string; actor?: CallContext['actor'] } {
  return { ...(ctx?.tenantId ? { tenantId: ctx.tenantId } : {}), ...(ctx?.actor ? { actor: ctx.actor } : {}) };
}

/**
 * Quotas per rep or team and period, stored as records of `engine` (so in its store: memory,
 * SQLite, PostgreSQL), one record per quota with its changes in history. The engine must know
 * {@link quotaBlueprint}.
 *
 * @example
 * ```ts
 * const quotas = createQuotaBook({ engine })
 * await quotas.set({ scope: 'rep', subject: 'ann', period: '2017-Q3', metric: 'value', amount: 250_000 })
 * await quotas.list({ period: '2017-Q3' })
 * ```
 */
export function createQuotaBook(options: { engine: Engine; type?: string }): QuotaBook {
  const { engine } = options;
  const type = options.type ?? QUOTA_TYPE;
  return {
    async set(quota, ctx) {
      validate(quota, true);
      const id = idOf(quota);
      const fields = { scope: quota.scope, subject: quota.subject, period: quota.period, metric: quota.metric, amount: quota.amount };
      const existing = await engine.get(id, readAs(ctx));
      if (!existing) {
        try {
          const { record } = await engine.create(type, { id, fields }, ctx);
          return fromRecord(record);
        } catch (e) {
          if (!isDealflowError(e, 'DUPLICATE')) throw e; // created meanwhile by another caller: change it below
        }
      }
      const r = await engine.send(id, { type: 'set', fields: { amount: quota.amount } }, ctx);
      if (!r.ok) throw new DealflowError('INPUT_INVALID', `quota '${id}': set was rejected (${r.rejection.reason})`);
      return fromRecord(r.record);
    },
    async get(key, ctx) {
      validate(key, false);
      const r = await engine.get(idOf(key), readAs(ctx));
      return r ? fromRecord(r) : null;
    },
    async list(filter, ctx) {
      periodRange(filter.period);
      const fields: Record<string, string> = { period: filter.period };
      if (filter.scope) fields.scope = filter.scope;
      if (filter.metric) fields.metric = filter.metric;
      return (await engine.query({ type, fields }, readAs(ctx))).map(fromRecord);
    },
  };
}
