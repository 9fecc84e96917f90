import { DealflowError } from '@dealflow/core';

/** A quota period: `2017-Q3`, `2017-07` or `2017` (fiscal year starting in January unless told). */
export interface PeriodRange {
  /** The period as written: `2026-Q2`, `2026-04`, `2026`. */
  id: string;
  /** Its first instant (epoch ms, UTC). */
  fromMs: number;
  /** The first instant after it (epoch ms, UTC). */
  toMs: number;
}

const RE = /^(\d{4})(?:-(Q[1-4]|\d{2}))?$/;

/**
 * Parses a period id into `[from, to)` UTC instants. Quarters and years follow the fiscal year
 * (`fiscalYearStartMonth`, default 1: `2017-Q1` = Jan–Mar 2017; with 4, `2017-Q1` = Apr–Jun 2017).
 *
 * @example
 * ```ts
 * periodRange('2017-Q3') // { id: '2017-Q3', fromMs: Date.UTC(2017, 6, 1), toMs: Date.UTC(2017, 9, 1) }
 * ```
 */
export function periodRange(id: string, fiscalYearStartMonth = 1): PeriodRange {
  const m = typeof id === 'string' ? RE.exec(id) : null;
  if (!m) throw new DealflowError('INPUT_INVALID', `period '${String(id)}' is not YYYY, YYYY-MM or YYYY-Qn`);
  const year = Number(m[1]);
  const fy = fiscalYearStartMonth - 1;
  if (m[2] === undefined) return { id, fromMs: Date.UTC(year, fy, 1), toMs: Date.UTC(year + 1, fy, 1) };
  if (m[2].startsWith('Q')) {
    const q = Number(m[2].slice(1)) - 1;
    return { id, fromMs: Date.UTC(year, fy + q * 3, 1), toMs: Date.UTC(year, fy + q * 3 + 3, 1) };
  }
  const month = Number(m[2]);
  if (month < 1 || month > 12) throw new DealflowError('INPUT_INVALID', `period '${id}': month ${month} is not 01–12`);
  return { id, fromMs: Date.UTC(year, month - 1, 1), toMs: Date.UTC(year, month, 1) };
}

/** The fiscal quarter containing `ms`, e.g. `2017-Q3`. */
export function quarterOf(ms: number, fiscalYearStartMonth = 1): PeriodRange {
  const d = new Date(ms);
  const months = d.getUTCFullYear() * 12 + d.getUTCMonth() - (fiscalYearStartMonth - 1);
  const fyYear = Math.floor(months / 12);
  const q = Math.floor((months - fyYear * 12) / 3) + 1;
  return periodRange(`${fyYear}-Q${q}`, fiscalYearStartMonth);
}
