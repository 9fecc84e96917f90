import { createEngine, createWorker, defineBlueprint } from '@dealflow/core';
import type { CalendarSpec } from '@dealflow/core';
import { createSqliteStorage } from '@dealflow/storage-sqlite';

const office: CalendarSpec = {
  id: 'office', timeZone: 'Europe/Berlin',
  workingHours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
  holidays: ['2026-12-25'],
};

const deal = defineBlueprint({
  id: 'deal', version: 1, recordType: 'deal',
  fields: { amount: { type: 'money', currency: 'EUR', requiredIn: ['proposal'] } },
  initialStage: 'qualified',
  stages: [
    { id: 'qualified', kind: 'open', probability: 0.2,
      deadline: { within: 'P3D', businessTime: 'office', remindBefore: ['PT4H'], onBreach: 'qualified.overdue' } },
    { id: 'proposal', kind: 'open', probability: 0.5 },
    { id: 'won', kind: 'won' }, { id: 'lost', kind: 'lost' },
  ],
  transitions: [
    { event: 'propose', from: 'qualified', to: 'proposal', guard: { '>': [{ var: 'fields.amount' }, 0] } },
    { event: 'qualified.overdue', from: 'qualified', to: 'qualified',
      actions: [{ type: 'notify', to: 'manager', message: 'Deal stuck in Qualified' }] },
    { event: 'win', from: 'proposal', to: 'won' },
    { event: 'lose', from: '*', to: 'lost' },
  ],
});

const storage = createSqliteStorage({ filename: 'deals.db' });
const engine = createEngine({ storage, blueprints: [deal], calendars: [office] });
engine.on('notify', (n) => console.log(`notify ${String(n.to)}: ${n.message}`));
engine.on('reminder', (r) => console.log(`reminder: ${r.record.id} in ${r.stage}`));

const { record } = await engine.create('deal', { fields: { amount: 12000 } }, { actor: { id: 'ann' } });
const result = await engine.send(record.id, { type: 'propose' }, { actor: { id: 'ann' } });
if (!result.ok) console.log(result.rejection);   // typed: reason, stage, rule, missing fields; nothing written
const worker = createWorker({ engine });         // fires deadlines durably, once, across instances
worker.start();
// … on shutdown:
await worker.stop();
await storage.close();

export {};
