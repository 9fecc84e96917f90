import type { RecordQuery } from '@dealflow/core';

/** Builds the WHERE clause (and params) of a record query; every clause starts with the tenant. */
export function recordWhere(tenantId: string, q: RecordQuery): { where: string; params: unknown[] } {
  const parts = ['tenant_id = ?'];
  const params: unknown[] = [tenantId];
  if (q.type !== undefined) { parts.push('type = ?'); params.push(q.type); }
  if (q.blueprintId !== undefined) { parts.push('blueprint_id = ?'); params.push(q.blueprintId); }
  if (q.stage !== undefined) {
    const stages = Array.isArray(q.stage) ? q.stage : [q.stage];
    if (stages.length === 0) parts.push('0');
    else { parts.push(`stage IN (${stages.map(() => '?').join(', ')})`); params.push(...stages); }
  }
  if (q.ownerId !== undefined) {
    if (q.ownerId === null) parts.push('owner_id IS NULL');
    else { parts.push('owner_id = ?'); params.push(q.ownerId); }
  }
  if (q.teamId !== undefined) {
    if (q.teamId === null) parts.push('team_id IS NULL');
    else { parts.push('team_id = ?'); params.push(q.teamId); }
  }
  for (const [key, value] of Object.entries(q.fields ?? {})) {
    const path = `$."${key.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    if (value === null) { parts.push(`COALESCE(json_type(fields, ?), 'null') = 'null'`); params.push(path); }
    else if (typeof value === 'boolean') { parts.push(`json_type(fields, ?) = ?`); params.push(path, value ? 'true' : 'false'); }
    else if (typeof value === 'number') {
      parts.push(`json_type(fields, ?) IN ('integer', 'real') AND json_extract(fields, ?) = ?`);
      params.push(path, path, value);
    } else { parts.push(`json_type(fields, ?) = 'text' AND json_extract(fields, ?) = ?`); params.push(path, path, value); }
  }
  if (q.updatedFrom !== undefined) { parts.push('updated_at >= ?'); params.push(q.updatedFrom); }
  if (q.updatedTo !== undefined) { parts.push('updated_at < ?'); params.push(q.updatedTo); }
  if (q.after !== undefined) {
    parts.push(`(created_at, id) ${q.order === 'desc' ? '<' : '>'} (?, ?)`);
    params.push(q.after.createdAt, q.after.id);
  }
  return { where: parts.join(' AND '), params };
}

/** ORDER BY / LIMIT / OFFSET of a record query. */
export function recordPage(q: RecordQuery, params: unknown[]): string {
  const dir = q.order === 'desc' ? 'DESC' : 'ASC';
  let sql = ` ORDER BY created_at ${dir}, id ${dir}`;
  if (q.limit !== undefined || q.offset !== undefined) {
    sql += ' LIMIT ? OFFSET ?';
    params.push(q.limit ?? -1, q.offset ?? 0);
  }
  return sql;
}
