import { createActor } from 'xstate';
import { defineBlueprint } from '@dealflow/core';

const bp = defineBlueprint({
  id: 'deal', version: 1, recordType: 'deal', initialStage: 'new',
  fields: { amount: { type: 'money', currency: 'EUR' } },
  stages: [{ id: 'new' }, { id: 'qualified' }, { id: 'won', kind: 'won' }],
  transitions: [{ event: 'qualify', from: 'new', to: 'qualified' }, { event: 'win', from: 'qualified', to: 'won' }],
});
const actor = createActor(bp.machine, { input: { fields: { amount: 10 } } }).start();
actor.send({ type: 'qualify' });
console.log(actor.getSnapshot().value); // 'qualified'

export {};
