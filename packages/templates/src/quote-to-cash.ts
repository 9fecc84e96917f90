import { DealflowError, isDealflowError, toMinorUnits, minorUnitsOf } from '@dealflow/core';
import type { CallContext, Engine, LinkApi, StoredRecord } from '@dealflow/core';
import { planInstalments } from '@dealflow/commerce';
import type { PaymentPlanInput } from '@dealflow/commerce';

/** Most attempts of {@link recordPayment} when the instalment changes under it. */
const PAYMENT_ATTEMPTS = 5;

/** What {@link createInstalments} returns. */
export interface CreatedInstalments {
  /** The payment plan, activated. */
  plan: StoredRecord;
  /** The instalment records, in due order. */
  instalments: StoredRecord[];
}

/** What {@link recordPayment} returns. */
export interface RecordedPayment {
  /** The instalment after the payment. */
  record: StoredRecord;
  /** Whether it is paid in full now. */
  paid: boolean;
}

/** How a payment plan splits: equal instalments or shares, the first due date and the step. */
export type InstalmentSchedule = Omit<PaymentPlanInput, 'amount' | 'currency'>;

function currencyOf(engine: Engine, record: StoredRecord, field: string): string {
  const spec = engine.blueprint(record.blueprintId).spec.fields[field];
  if (!spec?.currency) throw new DealflowError('INPUT_INVALID', `record '${record.id}': field '${field}' is not a money field with a currency`, { details: { recordId: record.id, field } });
  return spec.currency;
}

/**
 * Generates a payment plan's instalment records (linked `instalments` ↔ `plan`) whose amounts, in
 * whole minor units of the plan's currency, sum exactly to the plan's total; then activates the
 * plan. Safe to repeat after a crash: each instalment is created with an idempotency key made
 * from the plan id and its number.
 *
 * @example
 * ```ts
 * const { instalments } = await createInstalments({ engine, links }, planId, { shares: [30, 60, 10], firstDue: '2026-04-01' }, { actor: fin })
 * ```
 */
export async function createInstalments(
  cycle: { engine: Engine; links: LinkApi },
  planId: string,
  schedule: InstalmentSchedule,
  ctx: CallContext & { ownerId?: string | null } = {},
): Promise<CreatedInstalments> {
  const { engine, links } = cycle;
  const { ownerId, ...call } = ctx;
  const plan = await engine.get(planId, { ...(call.tenantId ? { tenantId: call.tenantId } : {}), ...(call.actor ? { actor: call.actor } : {}) });
  if (!plan) throw new DealflowError('NOT_FOUND', `createInstalments: payment plan '${planId}' not found`, { details: { recordId: planId } });
  if (plan.stage !== 'planning') throw new DealflowError('CONFLICT', `createInstalments: payment plan '${planId}' is in stage '${plan.stage}', not 'planning'`, { details: { recordId: planId, stage: plan.stage } });
  const planned = planInstalments({ ...schedule, amount: plan.fields.total as number, currency: currencyOf(engine, plan, 'total') });
  const instalments: StoredRecord[] = [];
  for (const p of planned) {
    const { record } = await links.createLinked(
      planId,
      'instalment',
      { fields: { number: p.number, amount: p.amount, dueDate: p.dueDate }, ownerId: ownerId === undefined ? plan.ownerId : ownerId },
      { as: 'instalments', backlink: 'plan' },
      { ...call, idempotencyKey: `${planId}:instalment:${p.number}` },
    );
    instalments.push(record);
  }
  const activated = await engine.send(planId, { type: 'activate', fields: { instalments: planned.length } }, { ...call, idempotencyKey: `${planId}:activate` });
  if (!activated.ok) throw new DealflowError('REJECTED', `createInstalments: plan '${planId}' was not activated: ${activated.rejection.message}`, { details: { recordId: planId } });
  return { plan: activated.record, instalments };
}

/** One payment received against an instalment. */
export interface PaymentInput {
  /** Amount received, in the instalment's currency (major unit). */
  amount: number;
  /** `YYYY-MM-DD`. */
  paidOn: string;
  /** Bank reference; a payment whose reference is already recorded is not counted twice. */
  reference?: string;
}

/**
 * Records a (partial) payment against an instalment: it is added to the instalment's `payments`
 * (its computed `paidAmount` and `outstanding` follow); once the payments cover the amount the
 * instalment moves to `paid` (which settles the plan through the follow-ups when it was the last
 * one). A concurrent change is retried; a payment with a reference already recorded changes
 * nothing.
 *
 * @example
 * ```ts
 * await recordPayment(engine, instalmentId, { amount: 20000, paidOn: '2026-04-03', reference: 'BK-778' }, { actor: fin })
 * ```
 */
export async function recordPayment(engine: Engine, instalmentId: string, payment: PaymentInput, ctx: CallContext = {}): Promise<RecordedPayment> {
  for (let attempt = 1; ; attempt++) {
    const current = await engine.get(instalmentId, { ...(ctx.tenantId ? { tenantId: ctx.tenantId } : {}), ...(ctx.actor ? { actor: ctx.actor } : {}) });
    if (!current) throw new DealflowError('NOT_FOUND', `recordPayment: instalment '${instalmentId}' not found`, { details: { recordId: instalmentId } });
    const payments = Array.isArray(current.fields.payments) ? (current.fields.payments as Array<Record<string, unknown>>) : [];
    if (payment.reference !== undefined && payments.some((p) => p.reference === payment.reference)) return { record: current, paid: current.stage === 'paid' };
    if (current.stage !== 'due' && current.stage !== 'overdue') {
      throw new DealflowError('REJECTED', `recordPayment: instalment '${instalmentId}' is in stage '${current.stage}'; payments are recorded on due or overdue instalments`, { details: { recordId: instalmentId, stage: current.stage } });
    }
    const next = [...payments, { amount: payment.amount, paidOn: payment.paidOn, ...(payment.reference !== undefined ? { reference: payment.reference } : {}) }];
    const digits = minorUnitsOf(currencyOf(engine, current, 'amount'));
    const minor = (v: unknown): number => {
      const m = toMinorUnits(v, digits);
      if (typeof m === 'string') throw new DealflowError('INPUT_INVALID', `recordPayment: instalment '${instalmentId}': amount ${m}`, { problems: [{ path: '$.amount', message: m, code: 'invalid_amount' }] });
      return m;
    };
    const paidMinor = next.reduce((s, p) => s + minor(p.amount), 0);
    const full = paidMinor >= minor(current.fields.amount);
    const call = { ...ctx, expectedVersion: current.version };
    try {
      if (full) {
        const r = await engine.send(instalmentId, { type: 'pay', fields: { payments: next, paidOn: payment.paidOn } }, call);
        if (!r.ok) throw new DealflowError('REJECTED', `recordPayment: instalment '${instalmentId}': ${r.rejection.message}`, { details: { recordId: instalmentId } });
        return { record: r.record, paid: true };
      }
      const u = await engine.update(instalmentId, { fields: { payments: next } }, call);
      return { record: u.record, paid: false };
    } catch (e) {
      if (!isDealflowError(e, 'CONFLICT') || attempt >= PAYMENT_ATTEMPTS) throw e;
    }
  }
}
