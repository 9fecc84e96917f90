import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { quoteSchema } from '../src/connect.js';
import { statements, tables } from '../src/sql.js';
import { deadlinesStatement, tasksStatement } from '../src/tx.js';
import type { StoreSql } from '../src/tx.js';
import { dropSchema, freshStore, PG_URL, pgAvailable } from './pg-helpers.js';

/** Relations the plan reads and the indexes it reads them by (from EXPLAIN's JSON). */
function scans(plan: unknown): Array<{ node: string; relation?: string; index?: string }> {
  const out: Array<{ node: string; relation?: string; index?: string }> = [];
  const walk = (n: Record<string, unknown>) => {
    out.push({ node: n['Node Type'] as string, relation: n['Relation Name'] as string | undefined, index: n['Index Name'] as string | undefined });
    for (const c of (n.Plans as Record<string, unknown>[] | undefined) ?? []) walk(c);
  };
  walk(((plan as Array<{ Plan: Record<string, unknown> }>)[0]!).Plan);
  return out;
}

if (await pgAvailable('storage-postgres/test/agenda-explain.test.ts')) {
  const pool = new pg.Pool({ connectionString: PG_URL, max: 4 });
  afterAll(() => pool.end());

  describe('the agenda reads indexes (EXPLAIN)', () => {
    it('tasks by owner or team, and deadlines by owner, never scan whole tables', async () => {
      const store = await freshStore(pool, 'explain');
      const s = store.schema;
      try {
        const q = (sql: string) => pool.query(sql);
        await q(`INSERT INTO "${s}".records (tenant_id, id, type, blueprint_id, blueprint_version, stage, version, fields, owner_id, team_id, meta, stage_entered_at, created_at, updated_at)
          SELECT 'default', 'd' || i, 'deal', 'deal', 1, 'open', 1, '{}', 'rep' || (i % 500), 'team' || (i % 50), '{}', now(), now(), now() FROM generate_series(0, 49999) AS i`);
        await q(`INSERT INTO "${s}".tasks (tenant_id, record_id, id, record_type, kind, title, owner_id, team_id, status, due_at)
          SELECT 'default', 'd' || (i % 50000), 't' || i, 'deal', CASE WHEN i % 5 = 0 THEN 'date' ELSE 'task' END, 'Call', 'rep' || (i % 500), 'team' || (i % 50),
            CASE WHEN i % 3 = 0 THEN 'done' ELSE 'open' END, timestamptz '2026-03-05' + (i % 60 - 30) * interval '1 day' FROM generate_series(0, 29999) AS i`);
        await q(`INSERT INTO "${s}".timers (tenant_id, id, record_id, kind, key, due_at, event, payload, stage, record_version, status, attempts, created_at)
          SELECT 'default', 'd' || i || ':breach', 'd' || i, 'breach', 'deadline:open', timestamptz '2026-03-05' + (i % 60 - 30) * interval '1 day', 'late', '{}', 'open', 1, 'pending', 0, now()
          FROM generate_series(0, 49999, 2) AS i`);
        await q(`ANALYZE "${s}".records; ANALYZE "${s}".tasks; ANALYZE "${s}".timers`);
        const sql: StoreSql = { t: tables(quoteSchema(s), null), sql: statements(tables(quoteSchema(s), null)), batches: new Map() };
        const explain = async ([text, values]: [string, unknown[]]) => scans((await pool.query(`EXPLAIN (FORMAT JSON) ${text}`, values)).rows[0]['QUERY PLAN']);
        const day = { dueAfter: '2026-03-05T00:00:00.000Z', dueBefore: '2026-03-06T00:00:00.000Z' };

        const mine = await explain(tasksStatement(sql, 'default', { ownerId: 'rep7', status: 'open', kind: 'task', dueBefore: day.dueBefore }));
        expect(mine.filter((n) => n.relation === 'tasks').map((n) => n.index)).toEqual(['tasks_by_owner']);
        const team = await explain(tasksStatement(sql, 'default', { teamId: 'team3', status: 'open', ...day }));
        expect(team.filter((n) => n.relation === 'tasks').map((n) => n.index)).toEqual(['tasks_by_team']);
        const several = await explain(tasksStatement(sql, 'default', { ownerId: ['rep1', 'rep2'], status: 'open', kind: 'date', ...day }));
        expect(several.filter((n) => n.relation === 'tasks').map((n) => n.index)).toEqual(['tasks_by_owner']);
        const deadlines = await explain(deadlinesStatement(sql, 'default', { ownerId: 'rep7', ...day }));
        const read = deadlines.filter((n) => n.relation !== undefined);
        expect(read.every((n) => n.node !== 'Seq Scan')).toBe(true);
        expect(read.map((n) => n.index)).toContain('records_by_owner');
        // the same through the store answers from these indexes
        expect((await store.queryTasks('default', { ownerId: 'rep7', status: 'open', kind: 'task', dueBefore: day.dueBefore })).every((t) => t.ownerId === 'rep7' && t.status === 'open')).toBe(true);
      } finally {
        await store.close();
        await dropSchema(pool, s);
      }
    });
  });
}
