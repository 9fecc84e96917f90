import { createEngine, createWorker, defineBlueprint } from '@dealflow/core';
import type { NotifyEvent } from '@dealflow/core';
import { createSqliteStorage } from '@dealflow/storage-sqlite';

// 1. The blueprint: stages, transitions, guards, required fields, a deadline on the office calendar
const deal = defineBlueprint({
  id: 'deal',
  version: 1,
  recordType: 'deal',
  initialStage: 'prospecting',
  fields: {
    name: { type: 'string', required: true },
    amount: { type: 'money', currency: 'EUR', requiredIn: ['proposal', 'won'] },
    escalated: { type: 'boolean', default: false },
  },
  stages: [
    { id: 'prospecting', kind: 'open', probability: 0.1 },
    {
      id: 'qualified', kind: 'open', probability: 0.25,
      deadline: { within: 'P3D', businessTime: 'office', remindBefore: ['PT4H'], onBreach: 'qualified.overdue' },
    },
    { id: 'proposal', kind: 'open', probability: 0.5 },
    { id: 'won', kind: 'won', probability: 1 },
    { id: 'lost', kind: 'lost', probability: 0 },
  ],
  transitions: [
    { event: 'qualify', from: 'prospecting', to: 'qualified' },
    { event: 'propose', from: 'qualified', to: 'proposal', guard: { '>': [{ var: 'fields.amount' }, 0] } },
    { event: 'win', from: 'proposal', to: 'won', allow: { in: ['manager', { var: 'actor.roles' }] } },
    { event: 'lose', from: '*', to: 'lost' },
    {
      event: 'qualified.overdue', from: 'qualified', to: 'qualified',
      actions: [
        { type: 'set', field: 'escalated', value: true },
        { type: 'notify', to: 'manager', message: 'Deal stuck in Qualified' },
      ],
    },
  ],
  calendars: [{
    id: 'office',
    timeZone: 'Europe/Berlin',
    workingHours: {
      mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']],
      thu: [['09:00', '17:00']], fri: [['09:00', '17:00']],
    },
    holidays: ['2026-12-25'],
  }],
});

// 2. The engine over a SQLite file (':memory:' for a throwaway database)
const storage = createSqliteStorage({ filename: 'deals.db' });
const engine = createEngine({ storage, blueprints: [deal] });

// 3. Events: emitted after each transaction commits (and written to the store's outbox with it)
const sendToManager = (n: NotifyEvent) => console.log(`to ${String(n.to)}: ${n.message}`);
engine.on('transition', (e) => console.log(`${e.record.id}: ${e.from} → ${e.to}`));
engine.on('reminder', (r) => console.log(`reminder: ${r.record.id} is due in ${r.stage} soon`));
engine.on('deadline.breached', (d) => console.log(`late: ${d.record.id} in ${d.stage}`));
engine.on('notify', sendToManager);

// 4. Records and events
const ana = { actor: { id: 'ana', roles: ['rep'] } };
const { record } = await engine.create('deal', { fields: { name: 'ACME' }, ownerId: 'ana' }, ana);
await engine.send(record.id, 'qualify', ana);

const rejected = await engine.send(record.id, 'propose', ana); // no amount yet: the guard says no
if (!rejected.ok) console.log(rejected.rejection.reason, rejected.rejection.rule); // guard $.transitions[1].guard

// fields can travel with the event
const proposed = await engine.send(record.id, { type: 'propose', fields: { amount: 12_000 } }, ana);
console.log(proposed.ok); // true

// 5. The worker fires deadlines and reminders durably, once in effect, across app instances
const worker = createWorker({ engine, pollMs: 1_000 });
worker.start();

// 6. History: every change, in order; any past state
const history = await engine.history(record.id);
console.log(history.map((h) => `${h.kind} ${h.event ?? ''} ${h.from ?? ''} → ${h.to ?? ''}`));

// 7. Shutdown: stop the worker (it finishes the timer it is firing), then close the store
await worker.stop();
await storage.close();

export {};
