import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { replay } from '@dealflow/core';
import { createSqliteStorage } from '@dealflow/storage-sqlite';
import { runFullCycle } from '../src/cycle.js';

test('one customer from web-form lead to paid final instalment and feedback; a late payment escalates and blocks the next order (SQLite)', async () => {
  const filename = join(mkdtempSync(join(tmpdir(), 'dealflow-full-cycle-test-')), 'crm.db');
  const storage = createSqliteStorage({ filename });
  const lines: string[] = [];
  try {
    const s = await runFullCycle(storage, (l) => lines.push(l));
    expect(s.happy.lead.stage).toBe('converted');
    expect(s.happy.deal.stage).toBe('won');
    expect(s.happy.contract.stage).toBe('completed');
    expect(s.happy.plan.stage).toBe('settled');
    expect(s.happy.instalments.map((i) => i.stage)).toEqual(['paid', 'paid']);
    expect(s.happy.order.stage).toBe('delivered');
    expect(s.happy.feedback).toMatchObject({ stage: 'completed', fields: { rating: 5, orderRef: 'SO-ACME-1' } });
    expect(s.winBlockedMessage).toMatch(/blocked by link rule 'deal-win-needs-approved-contract'/);
    expect(s.late.instalment.stage).toBe('paid');
    expect(s.late.escalatedTo).toEqual(['ana']);
    expect(s.late.blockedMessage).toContain(`instalment '${s.late.instalment.id}' is in stage 'overdue'`);
    expect(s.late.order.stage).toBe('confirmed');
    expect(lines.some((l) => l.includes('escalated to the deal owner: ana'))).toBe(true);
    for (const r of [s.happy.lead, s.happy.deal, s.happy.plan, s.late.deal, s.late.instalment]) {
      expect(replay(await storage.listHistory('default', r.id))).toEqual(r);
    }
  } finally {
    await storage.close();
  }
});
