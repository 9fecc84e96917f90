import type { HistoryEvent, RecordQuery, Storage, StoredRecord } from '@dealflow/core';

/**
 * Reads records and their full history from any Dealflow store (memory, SQLite, PostgreSQL…),
 * ready for every report and forecast of this package. Reads outside a transaction.
 *
 * @example
 * ```ts
 * const { records, history } = await loadPipeline(storage, 'acme', { type: 'deal' })
 * forecastBookings({ records, history, stages: blueprint.stages, asOf: new Date() })
 * ```
 */
export async function loadPipeline(
  storage: Pick<Storage, 'queryRecords' | 'listHistory'>,
  tenantId: string,
  query: RecordQuery = {},
): Promise<{ records: StoredRecord[]; history: HistoryEvent[] }> {
  const records = await storage.queryRecords(tenantId, query);
  const history: HistoryEvent[] = [];
  for (const r of records) history.push(...(await storage.listHistory(tenantId, r.id)));
  return { records, history };
}
