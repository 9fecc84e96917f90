import { compileRule } from '@dealflow/logic'

compileRule({ var: ['deal.amount', 0] })({ deal: {} }) // → 0
compileRule({ missing: ['email', 'phone'] })({ email: 'a@b.c' }) // → ['phone']
compileRule({ missing_some: [1, ['email', 'phone']] })({ phone: '1' }) // → []
compileRule({ if: [{ '<': [{ var: 'n' }, 10] }, 'small', 'large'] })({ n: 3 }) // → 'small'
compileRule({ '==': [1, '1'] })(null) // → true
compileRule({ '!!': [[]] })(null) // → false
compileRule({ or: [0, '', 'x'] })(null) // → 'x'
compileRule({ '<': [1, { var: 'n' }, 10] })({ n: 5 }) // → true
compileRule({ max: [1, 7, 3] })(null) // → 7
compileRule({ '+': ['1', 2] })(null) // → 3
compileRule({ in: ['ell', 'hello'] })(null) // → true
compileRule({ cat: ['Deal ', 42] })(null) // → 'Deal 42'
compileRule({ substr: ['Dealflow', -4] })(null) // → 'flow'
compileRule({ merge: [[1], 2, [3]] })(null) // → [1, 2, 3]
compileRule({ map: [{ var: 'xs' }, { '*': [{ var: '' }, 2] }] })({ xs: [1, 2] }) // → [2, 4]
compileRule({ filter: [{ var: 'xs' }, { '>': [{ var: '' }, 1] }] })({ xs: [1, 2, 3] }) // → [2, 3]
compileRule({ reduce: [[1, 2, 3], { '+': [{ var: 'current' }, { var: 'accumulator' }] }, 0] })(null) // → 6
compileRule({ some: [{ var: 'items' }, { '>': [{ var: 'qty' }, 9] }] })({ items: [{ qty: 10 }] }) // → true
compileRule({ all: [[], true] })(null) // → false
compileRule({ none: [[1, 2], { '>': [{ var: '' }, 5] }] })(null) // → true

export {};
