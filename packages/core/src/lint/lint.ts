import { checkBlueprint } from '../blueprint/checks.js';
import { rulesOf, ruleVariables } from '../blueprint/define.js';
import type { Blueprint } from '../blueprint/define.js';
import { blueprintSchema } from '../blueprint/schema.js';
import type { BlueprintInput, BlueprintSpec } from '../blueprint/schema.js';
import { createCoreRuleEngine } from '../rules.js';
import { computedFieldProblems } from '../fields/computed.js';
import type { CoreRuleEngine } from '../rules.js';
import type { SalesRulesInput } from '../sales/types.js';
import { graphFindings } from './graph.js';
import { salesRuleFindings } from './rules.js';
import { deadlineFindings, guardFindings, requiredFieldFindings } from './stages.js';
import type { LintFinding, LintOptions, LintSeverity } from './types.js';

const ORDER: Record<LintSeverity, number> = { error: 0, warning: 1, info: 2 };

function isBlueprint(x: unknown): x is Blueprint {
  return typeof x === 'object' && x !== null && 'spec' in x && 'machine' in x && 'ruleEngine' in x;
}

/** Problems `defineBlueprint` would reject with, as error findings (rules included). */
function validity(spec: BlueprintSpec, engine: CoreRuleEngine): LintFinding[] {
  const out: LintFinding[] = [];
  for (const p of checkBlueprint(spec)) {
    if (p.code === 'unreachable_stage') continue; // reported by the graph analysis, with a hint
    out.push({ severity: 'error', code: p.code ?? 'invalid', path: p.path, message: p.message, hint: p.hint ?? 'fix the reference' });
  }
  const vars = ruleVariables(spec);
  for (const { path, rule } of rulesOf(spec)) {
    for (const p of engine.validate(rule, { fields: vars, path })) {
      out.push({ severity: 'error', code: p.code ?? 'rule_invalid', path: p.path, message: p.message, hint: p.hint ?? 'fix the JSON-logic rule' });
    }
  }
  for (const p of computedFieldProblems(spec.fields, engine)) {
    out.push({ severity: 'error', code: p.code ?? 'rule_invalid', path: p.path, message: p.message, hint: p.hint ?? 'fix the formula' });
  }
  return out;
}

/**
 * Static analysis of a blueprint (and optionally the engine-level sales rules that apply to it):
 * finds what would break records in production before any record exists. Never throws on a bad
 * blueprint: schema and reference problems come back as `error` findings.
 *
 * Findings (code → severity): `unreachable_stage`, `dead_end_stage`, `no_final_reachable`,
 * `guard_never_true` (errors); `guard_always_true`, `stage_without_deadline` (warnings; silence per
 * stage with `"lint": { "ignore": ["stage_without_deadline"] }`); `reminder_not_before_deadline`,
 * `required_field_unsupplied` (errors), `timer_transition_lacks_field` (warning);
 * `assignment_rule_shadowed` (error), `assignment_rule_never_matches`, `assignment_no_default`
 * (warnings); `escalation_unknown_stage`, `escalation_unknown_transition`,
 * `escalation_unknown_target`, `unknown_rep`, `unknown_team` (errors); plus every problem
 * `defineBlueprint` rejects. Sorted errors first, then by path.
 *
 * @example
 * ```ts
 * const findings = lintBlueprint(json, { assignment: { rules: [...] } })
 * for (const f of findings) console.log(`${f.severity} ${f.path} ${f.message} (${f.hint})`)
 * const ok = findings.every((f) => f.severity !== 'error')
 * ```
 */
export function lintBlueprint(blueprint: Blueprint | BlueprintInput | unknown, rules?: SalesRulesInput, options: LintOptions = {}): LintFinding[] {
  let spec: BlueprintSpec;
  let engine: CoreRuleEngine;
  const findings: LintFinding[] = [];
  if (isBlueprint(blueprint)) {
    spec = blueprint.spec;
    engine = blueprint.ruleEngine;
  } else {
    const parsed = blueprintSchema.safeParse(blueprint);
    if (!parsed.success) {
      return parsed.error.issues.map((i) => {
        let path = '$';
        for (const k of i.path) path += typeof k === 'number' ? `[${k}]` : `.${String(k)}`;
        return { severity: 'error' as const, code: 'schema', path, message: i.message, hint: 'see the blueprint JSON Schema (docs/blueprints.md)' };
      });
    }
    spec = parsed.data;
    engine = createCoreRuleEngine();
    findings.push(...validity(spec, engine));
  }
  const guards = guardFindings(spec, engine);
  findings.push(...guards.findings);
  findings.push(...graphFindings(spec, guards.dead));
  findings.push(...deadlineFindings(spec));
  const sales = salesRuleFindings(spec, rules, engine, options);
  findings.push(...sales.findings);
  findings.push(...requiredFieldFindings(spec, sales.systemEvents));

  const ignoredEverywhere = new Set(options.ignore ?? []);
  const stageIgnores = spec.stages.map((s) => new Set(s.lint?.ignore ?? []));
  const kept = findings.filter((f) => {
    if (ignoredEverywhere.has(f.code)) return false;
    const m = /^\$\.stages\[(\d+)\]/.exec(f.path);
    return !(m && stageIgnores[Number(m[1])]?.has(f.code));
  });
  return kept.sort((a, b) => ORDER[a.severity] - ORDER[b.severity] || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
