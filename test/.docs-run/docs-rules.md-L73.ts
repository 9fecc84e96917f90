import { compileRule, isDealflowError } from '@dealflow/logic'

const error = (() => { try { compileRule({ or: [{ '=>': [1, 2] }, { var: '__proto__.polluted' }] }); return null } catch (e) { return e } })()
isDealflowError(error, 'RULE_INVALID') // → true
isDealflowError(error) && error.problems.map((p) => p.code) // → ['unknown_operator', 'forbidden_name']

export {};
