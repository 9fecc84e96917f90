import { DealflowError } from '@dealflow/core';
import type { StoredRecord } from '@dealflow/core';
import type { Period } from '../data/options.js';
import { DAY_MS, toMs } from '../data/time.js';
import { kaplanMeier } from '../stats/survival.js';
import { periodMs } from '../reports/input.js';

/** One installment of a contract's payment plan (field `paymentPlan` by default). */
export interface Installment {
  /** When it is due (ISO date). */
  dueDate: string;
  /** How much is due. */
  amount: number;
  /** When it was paid (absent = unpaid). */
  paidAt?: string | null;
}

/** Options of {@link forecastCollections}. */
export interface CollectionsOptions {
  /** Contracts (records) carrying a payment plan. */
  records: readonly StoredRecord[];
  /** Period whose collections to forecast. */
  period: Period;
  /** What is known: payments after `asOf` count as unpaid (default: period.from). */
  asOf?: string | Date;
  /** Field holding the plan (default `paymentPlan`). */
  planField?: string;
}

/** One open installment's forecast. */
export interface InstallmentForecast {
  /** The contract. */
  recordId: string;
  /** Position of the installment in its plan (0 = first). */
  index: number;
  /** When it is due. */
  dueDate: string;
  /** How much is due. */
  amount: number;
  /** P(paid inside the period | unpaid at asOf). */
  probability: number;
  /** amount × probability. */
  expected: number;
}

/** Result of {@link forecastCollections}. */
export interface CollectionsForecast {
  /** Expected cash collected in the period from installments unpaid at asOf. */
  expected: number;
  /** Sum of the amounts of installments due in the period (the plan's own view). */
  scheduled: number;
  /** Each installment unpaid at asOf that could be paid in the period. */
  installments: InstallmentForecast[];
  /** Payment-delay history used: paid installments, still-unpaid overdue ones (censored), share paid late, median delay. */
  delays: {
    /** Installments paid (their delay is known). */
    paid: number;
    /** Overdue installments still unpaid at asOf. */
    censored: number;
    /** Share of the paid ones paid after their due date. */
    lateShare: number;
    /** Median delay in days (Kaplan–Meier; negative = early). */
    medianDelayDays: number;
  };
}

/**
 * Payment-collection (回款) forecast: from every contract's payment plan and the history of how late
 * past installments were paid, the expected cash collected in a period. Payment delay (paid − due,
 * in days; negative = early) gets a Kaplan–Meier curve in which installments unpaid at `asOf` are
 * censored at their current lateness. An unpaid installment then has
 * P(paid in period) = (S(from − due) − S(to − due)) / S(asOf − due), with `from` moved up to `asOf`.
 * Installments that were never paid never reach 1: bad debt lowers the curve's floor.
 *
 * @example
 * ```ts
 * forecastCollections({ records: contracts, period: { from: '2026-04-01', to: '2026-05-01' }, asOf: '2026-04-01' }).expected
 * ```
 */
export function forecastCollections(options: CollectionsOptions): CollectionsForecast {
  const planField = options.planField ?? 'paymentPlan';
  const { from, to } = periodMs(options.period);
  const asMs = options.asOf === undefined ? from : toMs(options.asOf, 'asOf');
  const plans: { recordId: string; items: { due: number; amount: number; paid: number | null; dueDate: string }[] }[] = [];
  for (const r of options.records) {
    const raw = r.fields[planField];
    if (raw === undefined || raw === null) continue;
    if (!Array.isArray(raw)) throw new DealflowError('DATA_INVALID', `record '${r.id}': field '${planField}' must be an array of installments`);
    const items = raw.map((it: unknown, i: number) => {
      const x = it as Partial<Installment> | null;
      const path = `records[${r.id}].fields.${planField}[${i}]`;
      if (!x || typeof x !== 'object' || typeof x.dueDate !== 'string' || typeof x.amount !== 'number' || !Number.isFinite(x.amount) || x.amount < 0) {
        throw new DealflowError('DATA_INVALID', `record '${r.id}': ${planField}[${i}] needs dueDate (ISO string) and a non-negative amount`, {
          problems: [{ path, message: 'invalid installment', value: it }],
        });
      }
      const due = toMs(x.dueDate, `${path}.dueDate`);
      const paid = x.paidAt ? toMs(x.paidAt, `${path}.paidAt`) : null;
      return { due, amount: x.amount, paid: paid !== null && paid <= asMs ? paid : null, dueDate: x.dueDate };
    });
    plans.push({ recordId: r.id, items });
  }
  // Delay history: paid installments (event) and overdue unpaid ones (censored at current lateness).
  const durations: number[] = [];
  const events: boolean[] = [];
  let late = 0;
  for (const p of plans) {
    for (const it of p.items) {
      if (it.paid !== null) {
        const delay = (it.paid - it.due) / DAY_MS;
        durations.push(delay);
        events.push(true);
        if (delay > 0) late++;
      } else if (it.due <= asMs) {
        durations.push((asMs - it.due) / DAY_MS);
        events.push(false);
      }
    }
  }
  // No payment history yet: assume installments are paid on their due date.
  const curve = durations.length > 0 ? kaplanMeier(durations, events) : kaplanMeier([0], [true]);
  const S = (days: number): number => curve.at(days);
  const installments: InstallmentForecast[] = [];
  let expected = 0;
  let scheduled = 0;
  for (const p of plans) {
    p.items.forEach((it, index) => {
      if (it.due >= from && it.due < to) scheduled += it.amount;
      if (it.paid !== null) return;
      const start = Math.max(from, asMs);
      if (start >= to) return;
      const sNow = S((asMs - it.due) / DAY_MS);
      // Paid at a delay in ((start − due), (to − due)]: S(start − due) − S(to − due).
      const probability = sNow > 0 ? Math.max(0, (S((start - it.due) / DAY_MS) - S((to - it.due) / DAY_MS)) / sNow) : 0;
      const e = probability * it.amount;
      expected += e;
      installments.push({ recordId: p.recordId, index, dueDate: it.dueDate, amount: it.amount, probability, expected: e });
    });
  }
  const paid = durations.length > 0 ? events.filter(Boolean).length : 0;
  return {
    expected,
    scheduled,
    installments,
    delays: { paid, censored: durations.length - paid, lateShare: paid > 0 ? late / paid : Number.NaN, medianDelayDays: curve.quantile(0.5) },
  };
}
