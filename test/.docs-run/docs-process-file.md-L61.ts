import { createEngine, createMemoryStorage, defineProcess, isDealflowError } from '@dealflow/core';

const process = defineProcess({
  blueprints: [{
    id: 'deal', version: 1, recordType: 'deal', initialStage: 'open',
    fields: { amount: { type: 'money', currency: 'EUR' } },
    stages: [{ id: 'open', deadline: { within: 'P2D', businessTime: 'office', onBreach: 'stale' } }, { id: 'won', kind: 'won' }],
    transitions: [{ event: 'win', from: 'open', to: 'won' }, { event: 'stale', from: 'open', to: 'open' }],
  }],
  calendars: [{ id: 'office', timeZone: 'Europe/Paris', workingHours: { mon: [['09:00', '18:00']], tue: [['09:00', '18:00']] } }],
  rules: { approvals: [{ id: 'big', event: 'win', when: { '>': [{ var: 'fields.amount' }, 50000] }, approver: 'manager' }] },
});
const engine = createEngine({ storage: createMemoryStorage(), ...process });
console.log(engine.blueprint('deal').id); // 'deal'

try {
  defineProcess({ blueprints: [{ id: 'deal', version: 1, recordType: 'deal', initialStage: 'open',
    stages: [{ id: 'open', deadline: { within: 'P2D', businessTime: 'ofice', onBreach: 'stale' } }], transitions: [] }] });
} catch (e) {
  if (isDealflowError(e)) console.log(e.problems.map((p) => `${p.path}: ${p.message}`));
  // [ "$.blueprints[0].stages[0].deadline.onBreach: …", "$.blueprints[0].stages[0].deadline.businessTime: … unknown calendar 'ofice'" ]
}

export {};
