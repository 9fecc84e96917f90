import { lintBlueprint } from '@dealflow/core';

const deal = {
  id: 'deal', version: 1, recordType: 'deal', initialStage: 'open',
  fields: { amount: { type: 'money', currency: 'EUR' } },
  stages: [{ id: 'open', deadline: { within: 'P5D', onBreach: 'stale' } }, { id: 'won', kind: 'won' }],
  transitions: [{ event: 'win', from: 'open', to: 'won' }, { event: 'stale', from: 'open', to: 'open' }],
};
const findings = lintBlueprint(deal, {
  assignment: {
    rules: [
      { id: 'big', when: { '>': [{ var: 'fields.amount' }, 1000] }, assign: { strategy: 'owner', owner: 'ann' } },
      { id: 'huge', when: { '>=': [{ var: 'fields.amount' }, 50000] }, assign: { strategy: 'owner', owner: 'bob' } },
      { id: 'rest', assign: { strategy: 'pool', pool: 'general' } },
    ],
  },
});
console.log(findings.filter((f) => f.code === 'assignment_rule_shadowed'));
// [{ severity: 'error', code: 'assignment_rule_shadowed', path: 'rules.assignment.rules[1]',
//    message: "assignment rule 'huge' never runs: every record it matches is already taken by earlier rule 'big' (rules[0])",
//    hint: "move 'huge' before 'big', or narrow 'big'" }]

export {};
