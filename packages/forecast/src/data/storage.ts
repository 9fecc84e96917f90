import type { HistoryEvent, RecordQuery, Storage, StoredRecord } from '@dealflow/core';

/** Records per page when a whole selection is read. */
const PAGE = 1000;
/** History reads in flight at once. */
const READS_AT_ONCE = 16;

/**
 * Every record a query selects, read in pages with a keyset cursor (constant time per page on
 * SQL stores). A query that sets its own `limit`, `offset` or `after` is one read, as given.
 *
 * @example
 * ```ts
 * const deals = await queryAll((q) => storage.queryRecords('acme', q), { type: 'deal' })
 * ```
 */
export async function queryAll(read: (query: RecordQuery) => Promise<StoredRecord[]>, query: RecordQuery = {}): Promise<StoredRecord[]> {
  if (query.limit !== undefined || query.offset !== undefined || query.after !== undefined) return read(query);
  const out: StoredRecord[] = [];
  let after: RecordQuery['after'];
  for (;;) {
    const page = await read({ ...query, limit: PAGE, ...(after ? { after } : {}) });
    out.push(...page);
    if (page.length < PAGE) return out;
    const last = page[page.length - 1]!;
    after = { createdAt: last.createdAt, id: last.id };
  }
}

/**
 * Runs `read` for every item, at most {@link READS_AT_ONCE} at a time, results in item order.
 *
 * @example
 * ```ts
 * const histories = await readEach(records, (r) => storage.listHistory('acme', r.id))
 * ```
 */
export async function readEach<T, R>(items: readonly T[], read: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += READS_AT_ONCE) out.push(...(await Promise.all(items.slice(i, i + READS_AT_ONCE).map(read))));
  return out;
}

/**
 * Reads records and their full history from any Dealflow store (memory, SQLite, PostgreSQL…),
 * ready for every report and forecast of this package: the records in keyset pages, the
 * histories 16 at a time. Reads outside a transaction.
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
): Promise<{
  /** The records the query matched. */
  records: StoredRecord[];
  /** Their history, record by record. */
  history: HistoryEvent[];
}> {
  const records = await queryAll((q) => storage.queryRecords(tenantId, q), query);
  const history = (await readEach(records, (r) => storage.listHistory(tenantId, r.id))).flat();
  return { records, history };
}
