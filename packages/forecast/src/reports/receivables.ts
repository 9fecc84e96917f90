import { DealflowError, linksOf, minorUnitsOf, toMinorUnits } from '@dealflow/core';
import type { StoredRecord } from '@dealflow/core';
import { DAY_MS, toMs } from '../data/time.js';

/**
 * Receivables from instalment records (the `instalment` template, or any record type with an
 * amount, a due date and payments): ageing buckets, days sales outstanding, and the plans
 * `forecastCollections` reads. Amounts are summed in whole minor units, so totals carry no
 * floating-point residue. What is known at `asOf` counts: payments after it are unpaid, records
 * created after it do not exist.
 */

/** Field names of an instalment record (defaults: the `instalment` template's). */
export interface InstalmentFieldNames {
  /** Amount due (money). Default `amount`. */
  amount: string;
  /** Due date (`YYYY-MM-DD` or ISO). Default `dueDate`. */
  dueDate: string;
  /** List of `{ amount, paidOn }` payments (partial payments). Default `payments`. */
  payments: string;
  /** Without a payments list: the amount paid and the date paid. Defaults `paidAmount`, `paidOn`. */
  paidAmount: string;
  /** The day paid, without a payments list. Default `paidOn`. */
  paidOn: string;
}

const DEFAULT_FIELDS: InstalmentFieldNames = { amount: 'amount', dueDate: 'dueDate', payments: 'payments', paidAmount: 'paidAmount', paidOn: 'paidOn' };

/** Options shared by {@link receivablesAgeing} and {@link daysSalesOutstanding}. */
export interface ReceivablesOptions {
  /** Instalment records (e.g. `await storage.queryRecords(tenant, { type: 'instalment' })`). */
  records: readonly StoredRecord[];
  /** The report date. */
  asOf: string | Date;
  /** ISO-4217 currency of the amounts (sets the minor-unit decimals; default 2 decimals). */
  currency?: string;
  /** Leave out records in these stages (default `['written_off']`). */
  excludeStages?: readonly string[];
  /** Field names, when they differ from the `instalment` template's. */
  fields?: Partial<InstalmentFieldNames>;
}

/** One ageing bucket. */
export interface AgeingBucket {
  /** The bucket: `current`, `1-30`, `31-60`, `61-90` or `90+` days past due. */
  id: 'current' | '1-30' | '31-60' | '61-90' | '90+';
  /** Fewest days past due in the bucket, inclusive (null for `current`: not yet due, or due today). */
  minDays: number | null;
  /** Most days past due in the bucket, inclusive (null for `90+`). */
  maxDays: number | null;
  /** Outstanding amount in the bucket (major unit, exact to the minor unit). */
  amount: number;
  /** Instalments with something outstanding in the bucket. */
  count: number;
}

/** One open receivable. */
export interface ReceivableRow {
  /** The instalment record. */
  recordId: string;
  /** Its due date, as stored. */
  dueDate: string;
  /** Its amount. */
  amount: number;
  /** What is still unpaid at asOf. */
  outstanding: number;
  /** Whole days past the due date at asOf (0 when not yet due). */
  daysPastDue: number;
  /** The bucket it is counted in. */
  bucket: AgeingBucket['id'];
}

/** Result of {@link receivablesAgeing}. */
export interface ReceivablesAgeing {
  /** The report date (ISO). */
  asOf: string;
  /** The five buckets, current first. */
  buckets: AgeingBucket[];
  /** Everything outstanding. */
  total: number;
  /** Outstanding and past due (every bucket but `current`). */
  overdue: number;
  /** Every open instalment, most days past due first. */
  rows: ReceivableRow[];
}

const BUCKETS: ReadonlyArray<Omit<AgeingBucket, 'amount' | 'count'>> = [
  { id: 'current', minDays: null, maxDays: 0 },
  { id: '1-30', minDays: 1, maxDays: 30 },
  { id: '31-60', minDays: 31, maxDays: 60 },
  { id: '61-90', minDays: 61, maxDays: 90 },
  { id: '90+', minDays: 91, maxDays: null },
];

interface Receivable {
  record: StoredRecord;
  dueDate: string;
  dueMs: number;
  amountMinor: number;
  paidMinor: number;
  /** When the payments reached the amount (null: not fully paid at asOf). */
  paidInFullMs: number | null;
}

function digitsOf(currency: string | undefined): number {
  if (currency === undefined) return 2;
  try {
    return minorUnitsOf(currency);
  } catch {
    throw new DealflowError('INPUT_INVALID', `receivables: currency '${String(currency).slice(0, 20)}' is not an ISO-4217 code`, { problems: [{ path: '$.currency', message: 'unknown currency', value: currency }] });
  }
}

function minor(value: unknown, digits: number, path: string): number {
  const m = toMinorUnits(value, digits, { exact: false });
  if (typeof m === 'string' || m < 0) throw new DealflowError('DATA_INVALID', `${path}: a non-negative amount, got ${JSON.stringify(value)?.slice(0, 40)}`, { problems: [{ path, message: 'invalid amount', value }] });
  return m;
}

/** Every instalment's amount, due date and payments known at asOf, in minor units. */
function receivablesOf(options: ReceivablesOptions, asMs: number, digits: number): Receivable[] {
  const f = { ...DEFAULT_FIELDS, ...options.fields };
  const exclude = new Set(options.excludeStages ?? ['written_off']);
  const out: Receivable[] = [];
  for (const r of options.records) {
    if (exclude.has(r.stage) || toMs(r.createdAt, `records[${r.id}].createdAt`) > asMs) continue;
    const path = `records[${r.id}].fields`;
    const dueDate = r.fields[f.dueDate];
    if (typeof dueDate !== 'string') throw new DealflowError('DATA_INVALID', `${path}.${f.dueDate}: instalment '${r.id}' has no due date`, { problems: [{ path: `${path}.${f.dueDate}`, message: 'missing due date' }] });
    const amountMinor = minor(r.fields[f.amount], digits, `${path}.${f.amount}`);
    const raw = r.fields[f.payments];
    const payments: Array<{ minor: number; at: number }> = [];
    if (Array.isArray(raw)) {
      raw.forEach((p: unknown, i: number) => {
        const x = (p ?? {}) as Record<string, unknown>;
        if (typeof x.paidOn !== 'string') throw new DealflowError('DATA_INVALID', `${path}.${f.payments}[${i}].paidOn: a date`, { problems: [{ path: `${path}.${f.payments}[${i}].paidOn`, message: 'missing date' }] });
        payments.push({ minor: minor(x.amount, digits, `${path}.${f.payments}[${i}].amount`), at: toMs(x.paidOn, `${path}.${f.payments}[${i}].paidOn`) });
      });
    } else if (r.fields[f.paidAmount] !== undefined && r.fields[f.paidAmount] !== null && typeof r.fields[f.paidOn] === 'string') {
      payments.push({ minor: minor(r.fields[f.paidAmount], digits, `${path}.${f.paidAmount}`), at: toMs(r.fields[f.paidOn] as string, `${path}.${f.paidOn}`) });
    }
    payments.sort((a, b) => a.at - b.at);
    let paidMinor = 0;
    let paidInFullMs: number | null = null;
    for (const p of payments) {
      if (p.at > asMs) break;
      paidMinor += p.minor;
      if (paidInFullMs === null && paidMinor >= amountMinor) paidInFullMs = p.at;
    }
    out.push({ record: r, dueDate, dueMs: toMs(dueDate, `${path}.${f.dueDate}`), amountMinor, paidMinor, paidInFullMs });
  }
  return out;
}

function asOfMs(asOf: string | Date): number {
  return toMs(asOf, 'asOf');
}

/**
 * Receivables ageing: what is still unpaid at `asOf`, by days past the due date — current (not
 * yet due), 1–30, 31–60, 61–90 and over 90 days — with each open instalment's row. Partial
 * payments lower what is outstanding.
 *
 * @example
 * ```ts
 * const instalments = await storage.queryRecords('default', { type: 'instalment' })
 * const ageing = receivablesAgeing({ records: instalments, asOf: '2026-06-30', currency: 'CNY' })
 * ageing.buckets.map((b) => `${b.id}: ${b.amount}`)
 * ```
 */
export function receivablesAgeing(options: ReceivablesOptions): ReceivablesAgeing {
  const asMs = asOfMs(options.asOf);
  const digits = digitsOf(options.currency);
  const sums = BUCKETS.map(() => ({ minor: 0, count: 0 }));
  const rows: Array<Omit<ReceivableRow, 'amount' | 'outstanding'> & { amountMinor: number; openMinor: number }> = [];
  let total = 0;
  for (const x of receivablesOf(options, asMs, digits)) {
    const open = x.amountMinor - x.paidMinor;
    if (open <= 0) continue;
    const daysPastDue = Math.max(0, Math.floor((asMs - x.dueMs) / DAY_MS));
    const k = BUCKETS.findIndex((b) => b.maxDays === null || daysPastDue <= b.maxDays);
    sums[k]!.minor += open;
    sums[k]!.count += 1;
    total += open;
    rows.push({ recordId: x.record.id, dueDate: x.dueDate, amountMinor: x.amountMinor, openMinor: open, daysPastDue, bucket: BUCKETS[k]!.id });
  }
  const major = (m: number) => Number((m / 10 ** digits).toFixed(digits));
  rows.sort((a, b) => b.daysPastDue - a.daysPastDue || a.recordId.localeCompare(b.recordId));
  return {
    asOf: new Date(asMs).toISOString(),
    buckets: BUCKETS.map((b, i) => ({ ...b, amount: major(sums[i]!.minor), count: sums[i]!.count })),
    total: major(total),
    overdue: major(total - sums[0]!.minor),
    rows: rows.map(({ amountMinor, openMinor, ...r }) => ({ ...r, amount: major(amountMinor), outstanding: major(openMinor) })),
  };
}

/** Result of {@link daysSalesOutstanding}. */
export interface DaysSalesOutstanding {
  /** Receivables ÷ billed × days; null when nothing fell due in the window. */
  dso: number | null;
  /** Outstanding at asOf on instalments already due. */
  receivables: number;
  /** Amount of the instalments that fell due in the window (asOf − days, asOf]. */
  billed: number;
  /** The window, in days. */
  days: number;
}

/**
 * Days sales outstanding over a window of `days` (default 90) ending at `asOf`: what is unpaid on
 * instalments already due, divided by what fell due in the window, times the window's days. An
 * instalment counts as billed on its due date.
 *
 * @example
 * ```ts
 * daysSalesOutstanding({ records: instalments, asOf: '2026-06-30', days: 90 }).dso
 * ```
 */
export function daysSalesOutstanding(options: ReceivablesOptions & { days?: number }): DaysSalesOutstanding {
  const days = options.days ?? 90;
  if (!Number.isInteger(days) || days < 1 || days > 3660) throw new DealflowError('INPUT_INVALID', `daysSalesOutstanding: days must be a whole number from 1 to 3660, got ${String(days)}`, { problems: [{ path: '$.days', message: 'out of range', value: days }] });
  const asMs = asOfMs(options.asOf);
  const digits = digitsOf(options.currency);
  let receivables = 0;
  let billed = 0;
  for (const x of receivablesOf(options, asMs, digits)) {
    if (x.dueMs > asMs) continue;
    receivables += Math.max(0, x.amountMinor - x.paidMinor);
    if (x.dueMs > asMs - days * DAY_MS) billed += x.amountMinor;
  }
  const major = (m: number) => Number((m / 10 ** digits).toFixed(digits));
  return { dso: billed > 0 ? (receivables / billed) * days : null, receivables: major(receivables), billed: major(billed), days };
}

/**
 * Instalment records as the payment plans {@link forecastCollections} reads: one record per plan
 * (the instalments' `plan` link; an instalment without one is its own plan) whose `paymentPlan`
 * lists each instalment's due date, amount and the day it was paid in full.
 *
 * @example
 * ```ts
 * const instalments = await storage.queryRecords('default', { type: 'instalment' })
 * forecastCollections({ records: instalmentPlans(instalments), period: { from: '2026-07-01', to: '2026-08-01' }, asOf: '2026-07-01' })
 * ```
 */
export function instalmentPlans(records: readonly StoredRecord[], options: { currency?: string; fields?: Partial<InstalmentFieldNames> } = {}): StoredRecord[] {
  const digits = digitsOf(options.currency);
  const rows = receivablesOf({ records, asOf: new Date(8.64e15), excludeStages: [], ...options }, 8.64e15, digits);
  const plans = new Map<string, { first: StoredRecord; items: Array<{ dueDate: string; amount: number; paidAt: string | null }> }>();
  for (const x of rows) {
    const planId = linksOf(x.record).plan?.[0] ?? x.record.id;
    const plan = plans.get(planId) ?? { first: x.record, items: [] };
    plan.items.push({ dueDate: x.dueDate, amount: Number((x.amountMinor / 10 ** digits).toFixed(digits)), paidAt: x.paidInFullMs === null ? null : new Date(x.paidInFullMs).toISOString() });
    plans.set(planId, plan);
  }
  return [...plans].map(([id, p]) => ({ ...p.first, id, type: 'payment_plan', fields: { paymentPlan: p.items.sort((a, b) => a.dueDate.localeCompare(b.dueDate)) } }));
}
