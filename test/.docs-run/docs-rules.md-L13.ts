import { compileRule, validateRule } from '@dealflow/logic'

const isBigEuDeal = compileRule({
  and: [
    { in: [{ var: 'region' }, ['DE', 'FR', 'NL']] },
    { '>=': [{ var: 'amount' }, 10000] },
  ],
})
isBigEuDeal({ region: 'DE', amount: 25000 }) // → true
isBigEuDeal({ region: 'US', amount: 25000 }) // → false

validateRule({ '>=': [{ var: 'amout' }, 10000] }, { fields: ['region', 'amount'] })[0].hint // → "did you mean 'amount'?"

export {};
