import type { RecordQuery } from '@dealflow/core';

/** WHERE clause and parameters of a record query; `$1` is always the tenant. */
export function recordWhere(tenantId: string, q: RecordQuery): { where: string; params: unknown[] } {
  const params: unknown[] = [tenantId];
  const p = (v: unknown): string => {
    params.push(v);
    return `$${params.length}`;
  };
  const parts = ['tenant_id = $1'];
  if (q.type !== undefined) parts.push(`type = ${p(q.type)}`);
  if (q.blueprintId !== undefined) parts.push(`blueprint_id = ${p(q.blueprintId)}`);
  if (q.stage !== undefined) parts.push(Array.isArray(q.stage) ? `stage = ANY(${p(q.stage)}::text[])` : `stage = ${p(q.stage)}`);
  if (q.ownerId !== undefined) parts.push(q.ownerId === null ? 'owner_id IS NULL' : `owner_id = ${p(q.ownerId)}`);
  if (q.teamId !== undefined) parts.push(q.teamId === null ? 'team_id IS NULL' : `team_id = ${p(q.teamId)}`);
  for (const [key, value] of Object.entries(q.fields ?? {})) {
    // an absent field counts as null
    parts.push(`COALESCE(fields -> ${p(key)}::text, 'null'::jsonb) = ${p(JSON.stringify(value))}::jsonb`);
  }
  if (q.updatedFrom !== undefined) parts.push(`updated_at >= ${p(q.updatedFrom)}::timestamptz`);
  if (q.updatedTo !== undefined) parts.push(`updated_at < ${p(q.updatedTo)}::timestamptz`);
  if (q.after !== undefined) {
    parts.push(`(created_at, id) ${q.order === 'desc' ? '<' : '>'} (${p(q.after.createdAt)}::timestamptz, ${p(q.after.id)}::text)`);
  }
  return { where: parts.join(' AND '), params };
}

/** ORDER BY / LIMIT / OFFSET of a record query. */
export function recordPage(q: RecordQuery, params: unknown[]): string {
  const dir = q.order === 'desc' ? 'DESC' : 'ASC';
  let sql = ` ORDER BY created_at ${dir}, id ${dir}`;
  if (q.limit !== undefined) {
    params.push(q.limit);
    sql += ` LIMIT $${params.length}`;
  }
  if (q.offset !== undefined) {
    params.push(q.offset);
    sql += ` OFFSET $${params.length}`;
  }
  return sql;
}
