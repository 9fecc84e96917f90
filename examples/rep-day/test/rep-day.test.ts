import { expect, test } from 'vitest';
import { createMemoryStorage, replay } from '@dealflow/core';
import { runRepDay } from '../src/rep-day.js';

test('the rep-day walk-through edits, re-routes, hands a contract to legal and shows each rep their day', async () => {
  const lines: string[] = [];
  const res = await runRepDay(createMemoryStorage(), (l) => lines.push(l));
  const { ACME, Globex, Initech } = res.deals;
  // computed amount: 25 × 19.99 + 1500 × 0.9 + 12 × 49 = 2437.75
  expect(ACME!.fields).toMatchObject({ amount: 2437.75, email: 'buyer@acme.example', phone: '+49301234567' });
  expect(res.regionEditRefused).toBe(true);
  expect(res.rerouted).toEqual({ from: 'ann', to: 'sam' });
  expect(Initech!.ownerId).toBe('sam');
  expect(res.signRejectedFor).toEqual(['terms']);
  expect(res.wonLinesEditRefused).toBe(true);
  const acme = await res.engine.get(ACME!.id, { actor: res.engine.system });
  expect(acme).toMatchObject({ stage: 'won', ownerId: 'lea', teamId: 'legal', fields: { invoiceAddress: 'Hauptstraße 1, 10115 Berlin', amount: 2437.75 } });
  // bob's Wednesday: the proposal follow-up due today and the planned call
  expect(res.agenda.dueToday.map((t) => [t.recordId, t.title])).toEqual([[Globex!.id, 'Follow up on the proposal']]);
  expect(res.agenda.dates.map((t) => t.recordId)).toEqual([Globex!.id]);
  expect(res.overdueThursday).toEqual([`${Globex!.id}:Follow up on the proposal`]);
  expect(res.reminders).toEqual(['Globex:close-soon']);
  expect(res.report.filter((r) => r.total > 0).map((r) => [r.repId, r.bucket, r.total])).toEqual([['ann', '2026-03-02', 1], ['ann', '2026-03-03', 1], ['bob', '2026-03-02', 1]]);
  for (const d of [ACME!, Globex!, Initech!]) expect(replay(await res.engine.history(d.id, { actor: res.engine.system }))).toEqual(await res.engine.get(d.id, { actor: res.engine.system }));
  expect(lines.some((l) => l.includes("sam's Wednesday"))).toBe(true);
});
