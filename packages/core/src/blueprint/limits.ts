import { DealflowError } from '@dealflow/logic';

/** How big a blueprint may be before it is parsed (a blueprint is input too). */
export const BLUEPRINT_LIMITS = Object.freeze({
  /** Most JSON values (objects, arrays, scalars) in one blueprint. */
  maxValues: 200_000,
  /** Deepest nesting. */
  maxDepth: 64,
  /** Most stages. */
  maxStages: 500,
  /** Most transitions. */
  maxTransitions: 5_000,
  /** Longest string. */
  maxStringLength: 65_536,
});

/**
 * Refuses an over-large blueprint with `INPUT_LIMIT` before any parsing, in time linear in its
 * size and without recursion (a 7 MB blueprint of junk took 9–13 s to refuse, a 20 000-stage
 * chain 20 s to define).
 *
 * @example
 * ```ts
 * checkBlueprintSize({ stages: Array.from({ length: 20_000 }, (_, i) => ({ id: `s${i}` })) }) // throws INPUT_LIMIT
 * ```
 */
export function checkBlueprintSize(json: unknown): void {
  const limit = (message: string): never => {
    throw new DealflowError('INPUT_LIMIT', `blueprint is too large: ${message}`, { problems: [{ path: '$', message }] });
  };
  if (typeof json === 'object' && json !== null) {
    const { stages, transitions } = json as { stages?: unknown; transitions?: unknown };
    if (Array.isArray(stages) && stages.length > BLUEPRINT_LIMITS.maxStages) limit(`${stages.length} stages, more than ${BLUEPRINT_LIMITS.maxStages}`);
    if (Array.isArray(transitions) && transitions.length > BLUEPRINT_LIMITS.maxTransitions) {
      limit(`${transitions.length} transitions, more than ${BLUEPRINT_LIMITS.maxTransitions}`);
    }
  }
  // (a cyclic blueprint never ends this walk's count, so it is refused by maxValues; shared
  // subtrees are counted each time they are reached)
  let count = 0;
  const stack: Array<[unknown, number]> = [[json, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (++count > BLUEPRINT_LIMITS.maxValues) limit(`more than ${BLUEPRINT_LIMITS.maxValues} values`);
    if (typeof v === 'string' && v.length > BLUEPRINT_LIMITS.maxStringLength) limit(`a string of ${v.length} characters, more than ${BLUEPRINT_LIMITS.maxStringLength}`);
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= BLUEPRINT_LIMITS.maxDepth) limit(`nested deeper than ${BLUEPRINT_LIMITS.maxDepth} levels`);
    if (Array.isArray(v)) for (const x of v) stack.push([x, depth + 1]);
    else {
      for (const k of Object.keys(v)) {
        // an own `__proto__` key (from JSON.parse) would be dropped or become a prototype when copied
        if (k === '__proto__') {
          throw new DealflowError('BLUEPRINT_INVALID', "blueprint has a '__proto__' key: prototype names are never keys", { problems: [{ path: '$', code: 'forbidden_name', message: "'__proto__' key" }] });
        }
        stack.push([(v as Record<string, unknown>)[k], depth + 1]);
      }
    }
  }
}
