import { createEngine, createManualClock, createMemoryStorage, defineBlueprint } from '@dealflow/core';

const deal = defineBlueprint({
  id: 'deal', version: 1, recordType: 'deal', initialStage: 'qualified',
  stages: [
    { id: 'qualified', deadline: { within: 'P3D', businessTime: 'office', onBreach: 'overdue' } },
    { id: 'escalated' },
    { id: 'won', kind: 'won' },
  ],
  transitions: [
    { event: 'overdue', from: 'qualified', to: 'escalated' },
    { event: 'win', from: ['qualified', 'escalated'], to: 'won' },
  ],
  calendars: [{
    id: 'office', timeZone: 'Europe/Berlin',
    workingHours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
  }],
});

const clock = createManualClock('2026-01-09T14:00:00Z'); // a Friday afternoon
const engine = createEngine({ storage: createMemoryStorage(), blueprints: [deal], clock });
const { record } = await engine.create('deal', {}, { actor: { id: 'ana' } });
clock.advance('P5D');
await engine.runDue(); // 3 business days from Friday 15:00 Berlin end on Wednesday: passed
console.log((await engine.get(record.id))?.stage); // 'escalated'

export {};
