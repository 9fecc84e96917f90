import { DealflowError } from '@dealflow/logic';
import type { DeadlineQuery, TaskQuery, TaskRow } from './types.js';
import { TASK_QUERY_MAX } from './types.js';

/**
 * The task index's query rules, in one place for the memory store and for checking input in every
 * store: which rows match, in which order, and how many.
 */

/**
 * The row limit of a query: its `limit`, at most {@link TASK_QUERY_MAX}. Bad limits fail with `INPUT_INVALID`.
 *
 * @example
 * ```ts
 * taskQueryLimit({ limit: 50 }) // 50
 * taskQueryLimit({}) // 5000 (TASK_QUERY_MAX)
 * ```
 */
export function taskQueryLimit(query: TaskQuery | DeadlineQuery): number {
  const l = query.limit;
  if (l === undefined) return TASK_QUERY_MAX;
  if (!Number.isInteger(l) || l < 0) throw new DealflowError('INPUT_INVALID', `task query: limit must be a whole number ≥ 0, got ${String(l)}`);
  return Math.min(l, TASK_QUERY_MAX);
}

/** Owners of a query as a list (undefined: any owner). */
export function ownersOf(query: { ownerId?: string | string[] }): string[] | undefined {
  if (query.ownerId === undefined) return undefined;
  return Array.isArray(query.ownerId) ? query.ownerId : [query.ownerId];
}

/**
 * True when the row matches every part of the query.
 *
 * @example
 * ```ts
 * matchesTaskQuery(row, { ownerId: ['ann', 'bob'], status: 'open' }) // true for an open row of ann's
 * ```
 */
export function matchesTaskQuery(row: TaskRow, q: TaskQuery, owners = ownersOf(q)): boolean {
  if (owners && (row.ownerId === null || !owners.includes(row.ownerId))) return false;
  if (q.teamId !== undefined && row.teamId !== q.teamId) return false;
  if (q.status !== undefined && row.status !== q.status) return false;
  if (q.kind !== undefined && row.kind !== q.kind) return false;
  if (q.recordType !== undefined && row.recordType !== q.recordType) return false;
  if (q.dueBefore !== undefined && (row.dueAt === null || row.dueAt >= q.dueBefore)) return false;
  if (q.dueAfter !== undefined && (row.dueAt === null || row.dueAt < q.dueAfter)) return false;
  return true;
}

/**
 * Index order: `dueAt` (nulls last), then `recordId`, then `id`.
 *
 * @example
 * ```ts
 * rows.sort(compareTaskRows) // undated rows end up last
 * ```
 */
export function compareTaskRows(a: TaskRow, b: TaskRow): number {
  if (a.dueAt !== b.dueAt) {
    if (a.dueAt === null) return 1;
    if (b.dueAt === null) return -1;
    return a.dueAt < b.dueAt ? -1 : 1;
  }
  if (a.recordId !== b.recordId) return a.recordId < b.recordId ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Checks rows given to `replaceTasks`: each the record's and the transaction tenant's, ids unique. Throws `INPUT_INVALID`.
 *
 * @example
 * ```ts
 * async replaceTasks(recordId: string, rows: TaskRow[]) {
 *   checkTaskRows(this.tenantId, recordId, rows) // before anything is written
 *   // …
 * }
 * ```
 */
export function checkTaskRows(tenantId: string, recordId: string, rows: readonly TaskRow[]): void {
  const ids = new Set<string>();
  for (const r of rows) {
    if (r.tenantId !== tenantId) throw new DealflowError('INPUT_INVALID', `replaceTasks('${recordId}'): row '${r.id}' belongs to tenant '${r.tenantId}', not to this transaction's tenant '${tenantId}'`, { details: { recordId } });
    if (r.recordId !== recordId) throw new DealflowError('INPUT_INVALID', `replaceTasks('${recordId}'): row '${r.id}' belongs to record '${r.recordId}'`, { details: { recordId } });
    if (ids.has(r.id)) throw new DealflowError('INPUT_INVALID', `replaceTasks('${recordId}'): row id '${r.id}' is given twice`, { details: { recordId } });
    if (r.status !== 'open' && r.status !== 'done') throw new DealflowError('INPUT_INVALID', `replaceTasks('${recordId}'): row '${r.id}' has status '${String(r.status)}'`, { details: { recordId } });
    ids.add(r.id);
  }
}

/** How a SQL store writes a list of owners: `IN (?, ?, …)`, or one array parameter (`= ANY($n)`, PostgreSQL), which keeps one statement text per query shape. */
export interface SqlListOptions {
  /** Pass several owners as one array parameter (`owner_id = ANY($2::text[])`, PostgreSQL) instead of `IN (…)` with one parameter each. */
  arrayParam?: boolean;
  /** How the deadline query names the record id it joins timers on (PostgreSQL: `r.id COLLATE "default"`, the collation of the timers index). */
  recordIdJoin?: string;
}

function ownerClause(column: string, owners: string[], p: (v: unknown) => string, options: SqlListOptions): string {
  if (owners.length === 1) return `${column} = ${p(owners[0])}`;
  if (options.arrayParam) return `${column} = ANY(${p(owners)}::text[])`;
  return owners.length === 0 ? '1 = 0' : `${column} IN (${owners.map(p).join(', ')})`;
}

/**
 * The WHERE clause, ORDER BY and parameters of a task query for a SQL store, with the store's
 * parameter syntax (`?` or `$n`); the bundled SQLite and PostgreSQL stores use it over a `tasks`
 * table whose columns are the row's in snake case, indexed by (tenant_id, owner_id, status,
 * kind, due_at) and (tenant_id, team_id, status, kind, due_at).
 *
 * @example
 * ```ts
 * const q = taskQuerySql('acme', { ownerId: 'ann', status: 'open' }, (n) => `$${n}`)
 * await client.query(`SELECT * FROM tasks WHERE ${q.where} ORDER BY ${q.orderBy} LIMIT ${q.limit}`, q.params)
 * ```
 */
export function taskQuerySql(tenantId: string, q: TaskQuery, param: (n: number) => string, options: SqlListOptions = {}): {
  /** The conditions (without `WHERE`), tenant first. */
  where: string;
  /** The order (without `ORDER BY`): due time with undated rows last, then record and row id. */
  orderBy: string;
  /** The parameter values, in placeholder order. */
  params: unknown[];
  /** The row limit to apply (the query's `limit`, at most `TASK_QUERY_MAX`). */
  limit: number;
} {
  const params: unknown[] = [tenantId];
  const p = (v: unknown) => {
    params.push(v);
    return param(params.length);
  };
  const parts = [`tenant_id = ${param(1)}`];
  const owners = ownersOf(q);
  if (owners) parts.push(ownerClause('owner_id', owners, p, options));
  if (q.teamId !== undefined) parts.push(`team_id = ${p(q.teamId)}`);
  if (q.status !== undefined) parts.push(`status = ${p(q.status)}`);
  if (q.kind !== undefined) parts.push(`kind = ${p(q.kind)}`);
  if (q.recordType !== undefined) parts.push(`record_type = ${p(q.recordType)}`);
  if (q.dueBefore !== undefined) parts.push(`due_at < ${p(q.dueBefore)}`);
  if (q.dueAfter !== undefined) parts.push(`due_at >= ${p(q.dueAfter)}`);
  return { where: parts.join(' AND '), orderBy: 'due_at IS NULL, due_at, record_id, id', params, limit: taskQueryLimit(q) };
}

/**
 * The same for a deadline query over `records r` and `timers t` (breach timers, pending or
 * claimed): `where` joins both; `recordWhere` and `timerWhere` are its two halves, for a store that
 * joins them itself (PostgreSQL: a LATERAL join per record).
 *
 * @example
 * ```ts
 * const q = deadlineQuerySql('t1', { ownerId: 'ann', dueBefore: '2026-01-06T00:00:00.000Z' }, (n) => `$${n}`)
 * // q.recordWhere: 'r.tenant_id = $1 AND r.owner_id = $2'; q.params: ['t1', 'ann', '2026-01-06T00:00:00.000Z']
 * const rows = await sql(`SELECT … FROM records r JOIN timers t ON ${q.where} ORDER BY ${q.orderBy} LIMIT ${q.limit}`, q.params)
 * ```
 */
export function deadlineQuerySql(
  tenantId: string,
  q: DeadlineQuery,
  param: (n: number) => string,
  options: SqlListOptions = {},
): {
  /** All conditions over `r` and `t` (without `WHERE`). */
  where: string;
  /** The conditions on the record `r` alone. */
  recordWhere: string;
  /** The conditions on the timer `t` (including the join to `r`). */
  timerWhere: string;
  /** The order (without `ORDER BY`): breach time, then record id. */
  orderBy: string;
  /** The parameter values, in placeholder order. */
  params: unknown[];
  /** The row limit to apply (the query's `limit`, at most `TASK_QUERY_MAX`). */
  limit: number;
} {
  const params: unknown[] = [tenantId];
  const p = (v: unknown) => {
    params.push(v);
    return param(params.length);
  };
  const record = [`r.tenant_id = ${param(1)}`];
  const owners = ownersOf(q);
  if (owners) record.push(ownerClause('r.owner_id', owners, p, options));
  if (q.teamId !== undefined) record.push(`r.team_id = ${p(q.teamId)}`);
  if (q.recordType !== undefined) record.push(`r.type = ${p(q.recordType)}`);
  const timer = [`t.tenant_id = r.tenant_id AND t.record_id = ${options.recordIdJoin ?? 'r.id'} AND t.kind = 'breach' AND t.status IN ('pending', 'claimed')`, `t.due_at < ${p(q.dueBefore)}`];
  if (q.dueAfter !== undefined) timer.push(`t.due_at >= ${p(q.dueAfter)}`);
  return {
    where: [...record, ...timer].join(' AND '),
    recordWhere: record.join(' AND '),
    timerWhere: timer.join(' AND '),
    orderBy: 't.due_at, r.id',
    params,
    limit: taskQueryLimit(q),
  };
}
