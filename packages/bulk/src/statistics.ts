/**
 * After a bulk load, the store's planner statistics are refreshed (PostgreSQL's manual, "Populating
 * a Database": run ANALYZE afterwards). Without them a planner that believes the tables are tiny
 * sorts the whole tenant for each keyset page of the export that follows (measured: 100 000
 * records exported at 9 000/s without them, 57 700/s with them, at `BENCH_SCALE=0.1`).
 */
import type { Storage } from '@dealflow/core';

/** Rows written by one call below which the statistics are left alone (they barely move). */
export const STATISTICS_AFTER_ROWS = 1000;

/** Asks the store to refresh its statistics when a load wrote at least {@link STATISTICS_AFTER_ROWS} rows and the store can. */
export async function refreshStatisticsAfter(storage: Storage, written: number): Promise<void> {
  if (written >= STATISTICS_AFTER_ROWS) await storage.refreshStatistics?.();
}
