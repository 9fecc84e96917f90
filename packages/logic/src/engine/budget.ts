import { DealflowError, isDealflowError } from '../errors.js';
import type { RuleFn } from './types.js';

/**
 * The evaluation budget of one rule engine. Straight-line rules cost at most their size (which
 * validation bounds), so only what can multiply work is metered: every item a `map`, `filter`,
 * `reduce`, `all`, `some` or `none` visits and every element `merge` produces count as steps
 * against `limits.maxSteps`, and no `merge` or `cat` result may exceed `limits.maxValueLength`.
 * The count restarts at each outermost evaluation (a custom operator that evaluates another rule
 * of the same engine shares its caller's budget).
 */
export class Meter {
  private steps = 0;
  private depth = 0;

  constructor(
    readonly maxSteps: number,
    readonly maxValueLength: number,
  ) {}

  /** Counts `n` steps of `op`; `RULE_LIMIT` when the evaluation has used up `maxSteps`. */
  charge(n: number, op: string): void {
    this.steps += n;
    if (this.steps > this.maxSteps) {
      throw new DealflowError('RULE_LIMIT', `rule evaluation took more than ${this.maxSteps} steps (limits.maxSteps), at '${op}'`, {
        details: { operator: op, limit: 'maxSteps' },
      });
    }
  }

  /** `RULE_LIMIT` when a produced string or array is longer than `maxValueLength`. */
  checkSize<T extends { length: number }>(value: T, op: string): T {
    if (value.length > this.maxValueLength) {
      throw new DealflowError(
        'RULE_LIMIT',
        `'${op}' produced a value of length ${value.length}, more than ${this.maxValueLength} (limits.maxValueLength)`,
        { details: { operator: op, limit: 'maxValueLength' } },
      );
    }
    return value;
  }

  /**
   * Wraps a compiled rule as an outermost evaluation: the step count starts at zero, a stack
   * overflow becomes `RULE_LIMIT`, and any other error that is not a `DealflowError` becomes
   * `RULE_ERROR` (with the original as `cause`).
   */
  guard(fn: RuleFn): RuleFn {
    return (d) => {
      if (this.depth === 0) this.steps = 0;
      this.depth++;
      try {
        return fn(d);
      } catch (e) {
        throw toRuleError(e);
      } finally {
        this.depth--;
      }
    };
  }
}

/** The coded form of an error thrown while a rule ran. */
export function toRuleError(e: unknown): unknown {
  if (isDealflowError(e)) return e;
  if (e instanceof RangeError) {
    return new DealflowError('RULE_LIMIT', `rule evaluation exceeded a size or depth limit of the runtime: ${e.message}`, { cause: e });
  }
  return new DealflowError('RULE_ERROR', `rule evaluation failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}
