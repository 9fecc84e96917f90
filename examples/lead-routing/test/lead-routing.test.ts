import { expect, test } from 'vitest';
import { createMemoryStorage, replay } from '@dealflow/core';
import { runLeadRouting } from '../src/lead-routing.js';

test('the lead-routing walk-through routes, guards, escalates, pools and hands over', async () => {
  const storage = createMemoryStorage();
  const lines: string[] = [];
  const res = await runLeadRouting(storage, (l) => lines.push(l));
  const byName = Object.fromEntries(res.leads.map((l) => [l.fields.name, l]));
  // VIP to the manager, North by product skill, South round robin, no region → pool (then claimed)
  expect(byName['Grace Ho']!.ownerId).toBe('nina');
  expect(byName['Anna Berg']!.ownerId).toBe('ada');
  expect(res.claimedBy).toBe('fay');
  expect(byName['Finn Olsen']!.ownerId).toBe('fay');
  // the duplicate names Anna's record
  expect(res.duplicateOf).toBe(byName['Anna Berg']!.id);
  // Bo Chen was not called for 3 business days: next rep of the team, manager notified
  expect(res.escalatedTo).toBe('ada');
  expect(res.notified).toEqual(['nina']);
  // eli left: both of eli's leads went to fay in one batch
  expect(res.handedOver).toBe(2);
  expect(byName['Carla Diaz']!.ownerId).toBe('fay');
  expect(lines.some((l) => l.includes('rejected: Record'))).toBe(true);
  // every record equals the replay of its history
  for (const l of res.leads) expect(replay(await storage.listHistory('default', l.id))).toEqual(l);
});
