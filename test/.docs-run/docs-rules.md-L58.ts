import { validateRule } from '@dealflow/logic'

const problems = validateRule(
  { and: [{ '==': [{ var: 'record.stage' }, 'won'] }, { '>': [{ var: 'deal.amount' }, 5] }] },
  { fields: ['record', 'actor'], path: '$.transitions[3].guard' },
)
problems.map((p) => p.path) // → ['$.transitions[3].guard.and[1][">"][0].var']
problems[0].code // → 'unknown_field'

export {};
