import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { replay } from '../packages/core/src/index.js';
import { createSqliteStorage } from '../packages/storage-sqlite/src/index.js';
import { runQuickstart } from '../examples/quickstart/src/quickstart.js';

test('the quickstart runs on a SQLite file and everything survives closing and reopening it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dealflow-qs-test-'));
  try {
    const filename = join(dir, 'qs.db');
    const storage = createSqliteStorage({ filename });
    const { deals, escalations } = await runQuickstart(storage);
    expect(escalations).toHaveLength(1);
    await storage.close();

    const reopened = createSqliteStorage({ filename });
    for (const d of deals) {
      expect(await reopened.getRecord('default', d.id)).toEqual(d);
      const history = await reopened.listHistory('default', d.id);
      expect(history.map((e) => e.seq)).toEqual(Array.from({ length: d.version }, (_, i) => i + 1));
      expect(replay(history)).toEqual(d);
    }
    const stages = Object.fromEntries(deals.map((d) => [d.fields.name, d.stage]));
    expect(stages).toMatchObject({ 'ACME rollout': 'won', 'Initech renewal': 'lost', 'Globex pilot': 'qualified' });
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
