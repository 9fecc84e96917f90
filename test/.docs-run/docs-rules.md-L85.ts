import { createRuleEngine } from '@dealflow/logic'

const rules = createRuleEngine()
rules.varsOf({ and: [{ '>': [{ var: 'deal.amount' }, 0] }, { missing: ['owner'] }] }) // → ['deal.amount', 'owner']

export {};
