import { compileRule, createRuleEngine, isDealflowError } from '@dealflow/logic'

let deep = JSON.parse('{ "var": "a" }')
for (let i = 0; i < 10000; i++) deep = { '!': [deep] }
const error = (() => { try { compileRule(deep); return null } catch (e) { return e } })()
isDealflowError(error, 'RULE_LIMIT') // → true

compileRule({ var: { var: 'path' } })({ path: '__proto__' }) // → null
createRuleEngine().validate({ matches: [{ var: 'x' }, '(a+)+$'] })[0].code // → 'unsafe_regex'

export {};
