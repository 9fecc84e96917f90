import { createEngine, createMemoryStorage, defineBlueprint } from '@dealflow/core';

const deal = defineBlueprint({
  id: 'deal', version: 1, recordType: 'deal', initialStage: 'qualified',
  fields: { amount: { type: 'money', currency: 'EUR', requiredIn: ['proposal'] } },
  stages: [{ id: 'qualified' }, { id: 'proposal' }, { id: 'won', kind: 'won' }, { id: 'lost', kind: 'lost' }],
  transitions: [
    { event: 'propose', from: 'qualified', to: 'proposal' },
    { event: 'win', from: 'proposal', to: 'won' },
    { event: 'lose', from: '*', to: 'lost' },
  ],
});
const engine = createEngine({ storage: createMemoryStorage(), blueprints: [deal] });
const { record } = await engine.create('deal', {}, { actor: { id: 'ann' } });
const result = await engine.send(record.id, 'propose', { actor: { id: 'ann' } });
if (!result.ok) console.log(result.rejection.reason, result.rejection.missingFields); // required_fields [ 'amount' ]

export {};
