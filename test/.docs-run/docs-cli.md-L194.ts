import { defineBlueprint } from '@dealflow/core';
import { simulate } from '@dealflow/cli';

const deal = defineBlueprint({
  id: 'deal', version: 1, recordType: 'deal', initialStage: 'open',
  fields: { budgetConfirmed: { type: 'boolean', default: false } },
  stages: [{ id: 'open' }, { id: 'won', kind: 'won' }, { id: 'lost', kind: 'lost' }],
  transitions: [
    { event: 'win', from: 'open', to: 'won', guard: { '==': [{ var: 'fields.budgetConfirmed' }, true] } },
    { event: 'lose', from: 'open', to: 'lost' },
  ],
});
const report = await simulate(deal, { records: 2000, days: 60, seed: 1, scenario: { fields: { budgetConfirmed: { p: 0.7 } } } });
console.log(report.stages.map((s) => `${s.stage}: ${s.count}`));
console.log(report.rejectedBy[0]); // { reason: 'guard', event: 'win', stage: 'open', rule: '$.transitions[0].guard', count: … }

export {};
