/**
 * The many-row writes find their rows by index whatever the planner's statistics say. Right after a
 * bulk load nothing has analysed the tables yet (autovacuum may be off, or not have run): the
 * planner believes `records` and `timers` hold a handful of rows, and a join of a batch's input to a
 * table on the tenant alone would read every row of the tenant in every batch (a 1 000 000-lead
 * import stalled on it). Each statement is EXPLAINed on a never-analysed schema with 20 000 records
 * and timers; no plan node may read `records` or `timers` other than by its row ids (the claim: by
 * its due-time and lease indexes).
 */
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { createPostgresStorage, migrate } from '../src/index.js';
import { recordPage, recordWhere } from '../src/query.js';
import { quoteSchema } from '../src/connect.js';
import { statements, tables } from '../src/sql.js';
import { dropSchema, PG_URL, pgAvailable, uniqueSchema } from './pg-helpers.js';

const T = 'tenant-a';
const ROWS = 20_000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Cond'?: string;
  'TID Cond'?: string;
  Plans?: PlanNode[];
}

/** Every node of a plan, the root first. */
function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

/** The nodes of a plan that read one of `tables` (not the write itself), with how they find rows. */
function tableReads(node: PlanNode, tables: readonly string[] = ['records', 'timers']): PlanNode[] {
  return planNodes(node).filter((n) => tables.includes(n['Relation Name'] ?? '') && n['Node Type'] !== 'ModifyTable');
}

/** A read finds rows by their ids: a TID scan, or an index condition on the id or record id beside the tenant. */
function byIds(node: PlanNode, children: PlanNode[]): boolean {
  if (node['Node Type'] === 'Tid Scan') return true;
  const conds = [node['Index Cond'], ...children.map((c) => c['Index Cond'])].filter((c): c is string => typeof c === 'string');
  return conds.some((c) => /\b(id|record_id)\b/.test(c));
}

if (await pgAvailable('storage-postgres/test/plans.test.ts')) {
  const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
  const schema = uniqueSchema('plans');
  const sql = statements(tables(quoteSchema(schema), null));
  afterAll(async () => {
    await dropSchema(pool, schema);
    await pool.end();
  });

  const explain = async (text: string, values: unknown[]): Promise<PlanNode> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${text}`, values);
      return (rows[0]['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan;
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  };

  const expectIndexedReads = (what: string, plan: PlanNode) => {
    const reads = tableReads(plan);
    expect(reads.length).toBeGreaterThan(0);
    for (const node of reads) {
      // a bitmap heap scan's condition is on its bitmap index scan child
      const children = node['Node Type'] === 'Bitmap Heap Scan' ? (node.Plans ?? []) : [];
      const cond = node['Index Cond'] ?? children.map((c) => c['Index Cond']).join(' ');
      expect({ what, node: node['Node Type'], on: node['Relation Name'], cond, byIds: byIds(node, children) })
        .toEqual({ what, node: node['Node Type'], on: node['Relation Name'], cond, byIds: true });
    }
  };

  it('the batched writes probe records and timers by key, and the claim by due time, on never-analysed tables', async () => {
    await migrate({ pool, schema });
    const q = quoteSchema(schema);
    // bulk-loaded, as an import or the hand loaders leave them: no ANALYZE
    await pool.query(`INSERT INTO ${q}.records (tenant_id, id, type, blueprint_id, blueprint_version, stage, version, fields, owner_id, team_id, meta, stage_entered_at, created_at, updated_at)
      SELECT $1, 'r' || g, 'lead', 'lead', 1, 'new', 1, '{}', 'ann', NULL, '{}', now(), now(), now() FROM generate_series(1, ${ROWS}) g`, [T]);
    await pool.query(`INSERT INTO ${q}.timers (tenant_id, id, record_id, kind, key, due_at, event, payload, stage, record_version, status, attempts, created_at)
      SELECT $1, 't' || g, 'r' || g, 'breach', 'deadline:new', now() + interval '1 day', 'stale', '{}', 'new', 1, 'pending', 0, now()
      FROM generate_series(1, ${ROWS}) g`, [T]);
    const ids = Array.from({ length: 800 }, (_, i) => `r${i + 1}`);
    const now = new Date().toISOString();
    const col = <V>(v: V) => ids.map(() => v);

    const up = await explain(sql.updateRecords, [T, ids, col('lead'), col('lead'), col(1), col('working'), col(2), col('{}'), col('ann'),
      col(null), col('{}'), col(now), col(now), col(now), col(1)]);
    expectIndexedReads('updateRecords', up);
    const timerRows = JSON.stringify(ids.map((r, i) => ({ id: `n${i}`, record_id: r, kind: 'breach', key: 'deadline:working', due_at: now, event: 'stale',
      payload: {}, stage: 'working', record_version: 2, attempts: 0, created_at: now })));
    const rt = await explain(sql.replaceTimers, [T, timerRows]);
    expectIndexedReads('replaceTimers', rt);
    expectIndexedReads('cancelTimersOf', await explain(sql.cancelTimersOf, [T, JSON.stringify(ids.map((r) => ({ r, kinds: null, keys: null, stage: 'new' })))]));
    const timerIds = ids.map((_, i) => `t${i + 1}`);
    expectIndexedReads('completeTimers', await explain(sql.completeTimers, [T, timerIds, timerIds.map(() => 'fired'), timerIds.map(() => now), timerIds.map(() => null)]));
    // the claim (of every tenant, as workers run) picks by the due-time and lease indexes and updates the picked rows by key
    const claim = tableReads(await explain(sql.claimDueTimers, [now, 50, 'w1', 30_000]));
    expect(claim.length).toBeGreaterThan(0);
    for (const node of claim) {
      const children = node['Node Type'] === 'Bitmap Heap Scan' ? (node.Plans ?? []) : [];
      const cond = [node['Index Cond'], ...children.map((c) => c['Index Cond'])].filter(Boolean).join(' ');
      expect({ node: node['Node Type'], cond, ordered: /due_at|lease_until/.test(cond) || byIds(node, children) })
        .toEqual({ node: node['Node Type'], cond, ordered: true });
    }
  });

  it('the id-array reads probe by key also under a generic plan made while the tables were small and never analysed', async () => {
    // a store's statements are prepared once per connection; after five runs PostgreSQL may keep a
    // generic plan, made from what the tables looked like then (an import's first batches: small)
    const small = uniqueSchema('plans_small');
    const q = quoteSchema(small);
    await migrate({ pool, schema: small });
    try {
      await pool.query(`INSERT INTO ${q}.records (tenant_id, id, type, blueprint_id, blueprint_version, stage, version, fields, owner_id, team_id, meta, stage_entered_at, created_at, updated_at)
        SELECT $1, 'r' || g, 'lead', 'lead', 1, 'new', 1, '{}', 'ann', NULL, '{}', now(), now(), now() FROM generate_series(1, 2000) g`, [T]);
      await pool.query(`INSERT INTO ${q}.history (tenant_id, record_id, seq, id, at, kind, to_stage, data)
        SELECT $1, 'r' || g, 1, 'e' || g, now(), 'created', 'new', '{}' FROM generate_series(1, 2000) g`, [T]);
      await pool.query(`INSERT INTO ${q}.unique_keys (tenant_id, key, record_id) SELECT $1, 'k' || g, 'r' || g FROM generate_series(1, 2000) g`, [T]);
      const smallSql = statements(tables(q, null));
      const generic = async (text: string, args: string): Promise<PlanNode> => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await client.query('SET LOCAL plan_cache_mode = force_generic_plan');
          await client.query(`PREPARE probe AS ${text}`);
          const { rows } = await client.query(`EXPLAIN (FORMAT JSON) EXECUTE probe(${args})`);
          return (rows[0]['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan;
        } finally {
          await client.query('ROLLBACK');
          await client.query('DEALLOCATE ALL');
          client.release();
        }
      };
      /** Every read of `table` in the plan finds its rows by an index condition on `column`. */
      const probesBy = (what: string, plan: PlanNode, table: string, column: string) => {
        const reads = tableReads(plan, [table]);
        expect(reads.length).toBeGreaterThan(0);
        for (const n of reads) {
          const cond = n['Node Type'] === 'Bitmap Heap Scan' ? (n.Plans ?? []).map((c) => c['Index Cond']).join(' ') : (n['Index Cond'] ?? '');
          expect({ what, node: n['Node Type'], probes: new RegExp(`\\b${column}\\b`).test(cond) }).toEqual({ what, node: n['Node Type'], probes: true });
        }
      };
      const ids = `'${T}', ARRAY['r1', 'r2', 'r3']`;
      probesBy('getRecords', await generic(smallSql.getRecords, ids), 'records', 'id');
      probesBy('getRecordsForUpdate', await generic(smallSql.getRecordsForUpdate, ids), 'records', 'id');
      probesBy('listHistories', await generic(smallSql.listHistories, ids), 'history', 'record_id');
      probesBy('uniqueKeyHolders', await generic(smallSql.uniqueKeyHolders, `'${T}', ARRAY['k1'], 'r1'`), 'unique_keys', 'key');
    } finally {
      await dropSchema(pool, small);
    }
  });

  it('after refreshStatistics (what importRecords calls), an export page walks the created index instead of sorting the tenant', async () => {
    // the same never-analysed rows: the planner takes the tenant for a few rows and sorts all of them per page
    const query = { order: 'asc' as const, limit: 500, after: { createdAt: '2000-01-01T00:00:00.000Z', id: 'r5' } };
    const { where, params } = recordWhere(T, query);
    const text = `SELECT * FROM ${quoteSchema(schema)}.records WHERE ${where}${recordPage(query, params)}`;
    const shape = (plan: PlanNode) => planNodes(plan).map((n) => `${n['Node Type']}${n['Relation Name'] ? ` on ${n['Relation Name']}` : ''}`);
    const storage = createPostgresStorage({ pool, schema });
    await storage.refreshStatistics();
    const after = await explain(text, params);
    expect(shape(after)).toEqual(['Limit', 'Index Scan on records']);
    expect(JSON.stringify(after)).toContain('records_by_created');
    // the rows are all there, in keyset order
    const page = await storage.queryRecords(T, query);
    expect(page).toHaveLength(500);
  });
}
