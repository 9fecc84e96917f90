import { createRuleEngine } from '@dealflow/logic'

const rules = createRuleEngine({
  operators: {
    isVip: { fn: (tier) => tier === 'gold' || tier === 'platinum', minArgs: 1, maxArgs: 1 },
  },
})
rules.addOperator('discount', (amount, pct) => Number(amount) * (1 - Number(pct) / 100))

rules.apply({ and: [{ isVip: { var: 'tier' } }, { '>=': [{ discount: [{ var: 'amount' }, 10] }, 900] }] }, { tier: 'gold', amount: 1000 }) // → true
rules.validate({ isVip: [] })[0].code // → 'arity'
createRuleEngine().hasOperator('isVip') // → false

export {};
