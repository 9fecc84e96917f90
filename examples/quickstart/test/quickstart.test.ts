import { expect, test } from 'vitest';
import { createMemoryStorage, replay } from '@dealflow/core';
import { runQuickstart } from '../src/quickstart.js';

test('the quickstart wins one deal, loses one and escalates the stalled one after 3 business days', async () => {
  const storage = createMemoryStorage();
  const { deals, escalations, rejections } = await runQuickstart(storage);
  const byName = Object.fromEntries(deals.map((d) => [d.fields.name, d]));
  expect(byName['ACME rollout']?.stage).toBe('won');
  expect(byName['Initech renewal']?.stage).toBe('lost');
  expect(byName['Globex pilot']).toMatchObject({ stage: 'qualified', fields: { escalated: true } });
  expect(escalations).toHaveLength(1);
  expect(escalations[0]).toMatchObject({ to: 'manager', channel: 'email', data: { deal: 'Globex pilot', owner: 'mia' } });
  expect(rejections.map((r) => r.split(':')[0])).toEqual(['guard', 'forbidden']);
  // qualified Thu 17 Dec 10:10 Berlin + 3 business days (Fri 18, Mon 21, Tue 22) → breach Tue 22 Dec 10:10 Berlin
  const globex = byName['Globex pilot']!;
  const history = await storage.listHistory('default', globex.id);
  expect(history.find((e) => e.event === 'qualified.overdue')?.data.timer).toBeDefined();
  for (const d of deals) expect(replay(await storage.listHistory('default', d.id))).toEqual(d);
});
