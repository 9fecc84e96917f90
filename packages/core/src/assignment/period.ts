import { DateTime } from 'luxon';

/** Calendar period key (`2026-11-23`, `2026-W48`, `2026-11`) of `at` in `zone`. */
export function periodKey(at: string, period: 'day' | 'week' | 'month', zone = 'UTC'): string {
  const dt = DateTime.fromISO(at, { zone });
  if (period === 'day') return dt.toFormat('yyyy-LL-dd');
  if (period === 'week') return `${dt.weekYear}-W${String(dt.weekNumber).padStart(2, '0')}`;
  return dt.toFormat('yyyy-LL');
}
