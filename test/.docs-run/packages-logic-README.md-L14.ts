import { createRuleEngine } from '@dealflow/logic';

const rules = createRuleEngine();
const bigDeal = rules.compile({ '>': [{ var: 'fields.amount' }, 50000] });
console.log(bigDeal({ fields: { amount: 80000 } })); // true

export {};
