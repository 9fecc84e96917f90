import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { minorUnitsOf, replay } from '@dealflow/core';
import type { Storage } from '@dealflow/core';
import { createSqliteStorage } from '@dealflow/storage-sqlite';
import { createPostgresStorage, migrate } from '@dealflow/storage-postgres';
import { postgresTestTarget, uniqueSchemaName } from '@dealflow/storage-testkit';
import { runFullCycle } from '../src/cycle.js';

async function check(storage: Storage): Promise<void> {
  const lines: string[] = [];
  const s = await runFullCycle(storage, (l) => lines.push(l));
  const { happy, late, pool, ageing } = s;
  expect(happy.lead.stage).toBe('converted');
  expect(happy.deal.stage).toBe('won');
  expect(happy.quotes.map((q) => [q.stage, q.fields.version])).toEqual([['superseded', 1], ['accepted', 2]]);
  expect(happy.deal.fields.amount).toBe(happy.quotes[1]!.fields.total);
  expect(happy.order).toMatchObject({ stage: 'delivered', fields: { amount: happy.deal.fields.amount } });
  expect(happy.order.fields.items).toHaveLength(2);
  expect(happy.plan.stage).toBe('settled');
  expect(happy.instalments.map((i) => i.stage)).toEqual(['paid', 'paid']);
  const digits = minorUnitsOf('CNY');
  const minor = (v: unknown) => Math.round((v as number) * 10 ** digits);
  expect(happy.instalments.reduce((sum, i) => sum + minor(i.fields.amount), 0)).toBe(minor(happy.contract.fields.amount));
  expect((happy.instalments[0]!.fields.payments as unknown[]).length).toBe(2); // paid in two parts
  expect(happy.feedback).toMatchObject({ stage: 'resolved', ownerId: 'rita', fields: { topic: 'product' } });

  expect(late.escalatedTo).toEqual(['ana']);
  expect(late.blockedMessage).toContain(`instalment '${late.instalments[0]!.id}' is in stage 'overdue'`);
  expect(late.instalments[0]!.fields.outstanding).toBe(minor(late.instalments[0]!.fields.amount) / 10 ** digits - 5000);

  // the ageing report: the partly paid overdue instalment, the next one past due, the last not yet due
  const open = late.instalments.map((i) => minor(i.fields.outstanding ?? i.fields.amount));
  expect(Math.round(ageing.total * 10 ** digits)).toBe(open.reduce((a, b) => a + b, 0));
  expect(ageing.rows.map((r) => r.recordId)).toEqual(late.instalments.map((i) => i.id));
  expect(ageing.rows.map((r) => r.bucket)).toEqual(['31-60', '1-30', 'current']);
  expect(s.satisfaction).toMatchObject({ ratings: 2, csat: 0.5 });

  // ends with the idle lead back in the pool and claimed by another rep
  expect(pool.refusedForAna).toContain('may not re-claim');
  expect(pool.lead).toMatchObject({ stage: 'contacted', ownerId: 'bob' });
  expect(lines.at(-1)).toContain('bob claimed it');
  for (const r of [happy.lead, happy.deal, happy.plan, late.instalments[0]!, pool.lead]) {
    expect(replay(await storage.listHistory('default', r.id))).toEqual(r);
  }
}

const pg = await postgresTestTarget({
  label: 'examples/full-cycle/test/full-cycle.test.ts',
  probe: async (url) => {
    const probe = createPostgresStorage({ connectionString: url, schema: 'dealflow_probe_unused', max: 1 });
    try {
      await probe.pool.query('SELECT 1');
    } finally {
      await probe.close();
    }
  },
});

describe('examples/full-cycle', () => {
  test('quote to cash on SQLite: settled plan, complaint to R&D, late instalment escalated, ageing report, a pooled lead claimed by another rep', async () => {
    const storage = createSqliteStorage({ filename: join(mkdtempSync(join(tmpdir(), 'dealflow-full-cycle-test-')), 'crm.db') });
    try {
      await check(storage);
    } finally {
      await storage.close();
    }
  });

  if (pg.reachable) {
    test('the same run on PostgreSQL', async () => {
      const schema = uniqueSchemaName('full_cycle');
      await migrate({ connectionString: pg.url, schema });
      const storage = createPostgresStorage({ connectionString: pg.url, schema, clock: 'caller' });
      try {
        await check(storage);
      } finally {
        await storage.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
        await storage.close();
      }
    });
  }
});
