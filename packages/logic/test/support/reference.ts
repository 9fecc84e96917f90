/**
 * json-logic-js, the reference semantics, for tests outside this package (test/security) that
 * compare with it: it is a dev dependency of @dealflow/logic only, and resolves from here.
 */
import jsonLogic from 'json-logic-js';

/** json-logic-js's `apply`. */
export function referenceApply(rule: unknown, data: unknown): unknown {
  return jsonLogic.apply(rule as jsonLogic.RulesLogic, data);
}
