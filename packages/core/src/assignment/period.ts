import { DateTime } from 'luxon';

const cache = new Map<string, string>();

/** Calendar period key (`2026-11-23`, `2026-W48`, `2026-11`) of `at` in `zone` (memoized: luxon parsing is the hot spot of routing). */
export function periodKey(at: string, period: 'day' | 'week' | 'month', zone = 'UTC'): string {
  const k = `${at}|${period}|${zone}`;
  let v = cache.get(k);
  if (v === undefined) {
    if (cache.size > 1000) cache.clear();
    v = computePeriodKey(at, period, zone);
    cache.set(k, v);
  }
  return v;
}

function computePeriodKey(at: string, period: 'day' | 'week' | 'month', zone: string): string {
  const dt = DateTime.fromISO(at, { zone });
  if (period === 'day') return dt.toFormat('yyyy-LL-dd');
  if (period === 'week') return `${dt.weekYear}-W${String(dt.weekNumber).padStart(2, '0')}`;
  return dt.toFormat('yyyy-LL');
}
