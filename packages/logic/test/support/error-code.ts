import { isDealflowError } from '../../src/index.js';

/**
 * Runs `f` and returns the `code` of the DealflowError it throws, or undefined when it returns.
 * Any other error (a raw RangeError or TypeError escaping) is rethrown, so it fails the test.
 */
export function codeOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (isDealflowError(e)) return e.code;
    throw e;
  }
}
