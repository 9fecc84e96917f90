import type { Problem } from '@dealflow/logic';
import { assignmentConfigSchema } from './schema.js';
import type { AssignmentConfig, AssignmentRule, Strategy } from './schema.js';
import { compileInto, throwProblems, zodProblems } from './rules.js';
import type { CompiledRule } from './rules.js';
import { buildRuleIndex } from './rule-index.js';
import type { CreateAssignerOptions } from './assigner.js';

/** One assignment rule, compiled. */
export interface CompiledAssignmentRule {
  rule: AssignmentRule;
  index: number;
  when: CompiledRule | null;
  /** The parts of a top-level `and` (for explanations: which part failed). */
  whenParts: Array<{ part: unknown; test: CompiledRule }> | null;
  match: Array<{ attribute: string; value: CompiledRule }>;
  base: { ruleId: string; ruleIndex: number; strategy: Strategy['strategy'] };
}

/** The assignment section, validated and compiled. */
export interface CompiledAssignment {
  config: AssignmentConfig;
  compiled: CompiledAssignmentRule[];
  index: ReturnType<typeof buildRuleIndex>;
}

/**
 * Validates the assignment section (zod) and compiles its rules (`@dealflow/logic`); throws
 * `RULE_INVALID` naming every bad rule path.
 *
 * @example
 * ```ts
 * const { config, compiled } = compileAssignment({ config: { rules }, directory, compiler })
 * ```
 */
export function compileAssignment(options: CreateAssignerOptions): CompiledAssignment {
  const root = options.path ?? '$.assignment';
  const parsed = assignmentConfigSchema.safeParse(options.config);
  if (!parsed.success) throwProblems('assignment rules', zodProblems(parsed.error, root));
  const config = parsed.data as AssignmentConfig;
  const problems: Problem[] = [];
  const ids = new Set<string>();
  config.rules.forEach((rule, index) => {
    if (ids.has(rule.id)) problems.push({ path: `${root}.rules[${index}].id`, message: `duplicate assignment rule id '${rule.id}'`, code: 'duplicate_id' });
    ids.add(rule.id);
    const s = rule.assign;
    if ((s.strategy === 'roundRobin' || s.strategy === 'leastLoaded') && !s.team && !s.reps && !s.match) {
      problems.push({ path: `${root}.rules[${index}].assign`, message: `rule '${rule.id}': ${s.strategy} needs a team, reps or match`, code: 'missing_target' });
    }
  });
  const last = config.rules[config.rules.length - 1]!;
  if (last.when !== undefined && last.when !== true) {
    problems.push({ path: `${root}.rules[${config.rules.length - 1}].when`, message: `the last assignment rule ('${last.id}') is the default and must have no 'when'`, code: 'default_required', hint: 'add a final rule without when, e.g. { id: "default", assign: { strategy: "pool", pool: "general" } }' });
  }
  const compiled: CompiledAssignmentRule[] = config.rules.map((rule, index) => {
    const path = `${root}.rules[${index}]`;
    const when = rule.when === undefined ? null : compileInto(options.compiler, rule.when, `${path}.when`, problems);
    const andParts = rule.when && typeof rule.when === 'object' && !Array.isArray(rule.when) && Object.keys(rule.when).length === 1 && Array.isArray((rule.when as Record<string, unknown>).and)
      ? ((rule.when as Record<string, unknown>).and as unknown[])
      : null;
    const whenParts = andParts ? andParts.map((part, i) => ({ part, test: compileInto(options.compiler, part, `${path}.when.and[${i}]`, []) })) : null;
    const s = rule.assign;
    const match = s.strategy === 'roundRobin' || s.strategy === 'leastLoaded'
      ? Object.entries(s.match ?? {}).map(([attribute, value]) => ({ attribute, value: compileInto(options.compiler, value, `${path}.assign.match.${attribute}`, problems) }))
      : [];
    return { rule, index, when, whenParts, match, base: { ruleId: rule.id, ruleIndex: index, strategy: rule.assign.strategy } };
  });
  throwProblems('assignment rules', problems);
  const index = buildRuleIndex(config.rules.map((r) => r.when));

  return { config, compiled, index };
}
