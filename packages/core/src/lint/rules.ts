import type { BlueprintSpec } from '../blueprint/schema.js';
import { assignmentConfigSchema } from '../assignment/schema.js';
import type { Strategy } from '../assignment/schema.js';
import { escalationSchema } from '../escalation/schema.js';
import type { EscalationTarget } from '../escalation/schema.js';
import type { CoreRuleEngine } from '../rules.js';
import type { SalesRulesInput } from '../sales/types.js';
import { analyzeCondition, implies } from './analyze.js';
import { sourcesOf } from './graph.js';
import type { LintFinding, LintOptions } from './types.js';

function zodPath(base: string, path: readonly PropertyKey[]): string {
  let p = base;
  for (const k of path) p += typeof k === 'number' ? `[${k}]` : `.${String(k)}`;
  return p;
}

function strategyTargets(s: Strategy, path: string, options: LintOptions): LintFinding[] {
  const out: LintFinding[] = [];
  const reps = options.reps ? new Set(options.reps) : undefined;
  const teams = options.teams ? new Set(options.teams) : undefined;
  const rep = (id: string, p: string) => {
    if (reps && !reps.has(id)) {
      out.push({ severity: 'error', code: 'unknown_rep', path: p, message: `rep '${id}' does not exist`, hint: `use one of: ${[...reps].slice(0, 10).join(', ')}` });
    }
  };
  if (s.strategy === 'owner') rep(s.owner, `${path}.owner`);
  if (s.strategy === 'roundRobin' || s.strategy === 'leastLoaded') {
    if (s.team !== undefined && teams && !teams.has(s.team)) {
      out.push({ severity: 'error', code: 'unknown_team', path: `${path}.team`, message: `team '${s.team}' does not exist`, hint: `use one of: ${[...teams].slice(0, 10).join(', ')}` });
    }
    s.reps?.forEach((r, i) => rep(r, `${path}.reps[${i}]`));
    if (s.strategy === 'roundRobin') for (const id of Object.keys(s.weights ?? {})) rep(id, `${path}.weights.${id}`);
  }
  return out;
}

/** Assignment rules: invalid config, never-matching rules, rules shadowed by earlier ones, no default. */
export function assignmentFindings(spec: BlueprintSpec, input: unknown, engine: CoreRuleEngine | undefined, options: LintOptions): LintFinding[] {
  const base = 'rules.assignment';
  const parsed = assignmentConfigSchema.safeParse(input);
  if (!parsed.success) {
    return parsed.error.issues.map((i) => ({ severity: 'error' as const, code: 'rules_invalid', path: zodPath(base, i.path), message: i.message, hint: 'see docs/assignment.md for the assignment rule format' }));
  }
  const config = parsed.data;
  if (config.types && !config.types.includes(spec.recordType)) return [];
  const findings: LintFinding[] = [];
  const rules = config.rules;
  const verdicts = rules.map((r) => (r.when === undefined ? { verdict: 'always' as const, why: 'it has no condition' } : analyzeCondition(r.when, spec.fields, engine)));
  rules.forEach((r, i) => {
    const path = `${base}.rules[${i}]`;
    findings.push(...strategyTargets(r.assign, `${path}.assign`, options));
    const v = verdicts[i]!;
    if (v.verdict === 'never') {
      findings.push({ severity: 'warning', code: 'assignment_rule_never_matches', path: `${path}.when`, message: `assignment rule '${r.id}' can never match: ${v.why}`, hint: 'fix the condition or remove the rule' });
      return;
    }
    for (let j = 0; j < i; j++) {
      const e = rules[j]!;
      const ev = verdicts[j]!;
      const catchAll = ev.verdict === 'always';
      if (catchAll || (e.when !== undefined && r.when !== undefined && implies(r.when, e.when, spec.fields))) {
        findings.push({
          severity: 'error',
          code: 'assignment_rule_shadowed',
          path,
          message: catchAll
            ? `assignment rule '${r.id}' never runs: earlier rule '${e.id}' (rules[${j}]) matches every record (${ev.why})`
            : `assignment rule '${r.id}' never runs: every record it matches is already taken by earlier rule '${e.id}' (rules[${j}])`,
          hint: `move '${r.id}' before '${e.id}', or narrow '${e.id}'`,
        });
        break;
      }
    }
  });
  const last = rules[rules.length - 1];
  if (last && verdicts[verdicts.length - 1]!.verdict !== 'always') {
    findings.push({
      severity: 'warning',
      code: 'assignment_no_default',
      path: `${base}.rules`,
      message: `the last assignment rule '${last.id}' has a condition, so records matching no rule are left unassigned`,
      hint: 'end the list with a default rule without "when" (e.g. a pool or a round robin over everyone)',
    });
  }
  return findings;
}

function targetFindings(t: EscalationTarget, path: string, options: LintOptions): LintFinding[] {
  if (typeof t === 'string' || !options.reps || options.reps.includes(t.rep)) return [];
  return [{ severity: 'error', code: 'escalation_unknown_target', path: `${path}.rep`, message: `escalation target rep '${t.rep}' does not exist`, hint: `use one of: ${options.reps.slice(0, 10).join(', ')}, or a relative target ('owner', 'manager', 'director', 'teamManager')` }];
}

/** Escalation rules: unknown stages, transitions no stage handles, targets that do not exist. */
export function escalationFindings(spec: BlueprintSpec, input: unknown, options: LintOptions): { findings: LintFinding[]; events: Set<string> } {
  const findings: LintFinding[] = [];
  const events = new Set<string>();
  if (!Array.isArray(input)) {
    findings.push({ severity: 'error', code: 'rules_invalid', path: 'rules.escalations', message: 'escalations must be a list of escalation rules', hint: 'see docs/assignment.md' });
    return { findings, events };
  }
  const stageIds = new Set(spec.stages.map((s) => s.id));
  input.forEach((raw, i) => {
    const base = `rules.escalations[${i}]`;
    const parsed = escalationSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) findings.push({ severity: 'error', code: 'rules_invalid', path: zodPath(base, issue.path), message: issue.message, hint: 'see docs/assignment.md for the escalation format' });
      return;
    }
    const e = parsed.data;
    if (e.types && !e.types.includes(spec.recordType)) return;
    const explicit = e.types !== undefined;
    const stages: string[] = [];
    const stageRef = (s: string, p: string) => {
      if (stageIds.has(s)) {
        stages.push(s);
        return;
      }
      findings.push({
        severity: explicit ? 'error' : 'warning',
        code: 'escalation_unknown_stage',
        path: p,
        message: `escalation '${e.id}' names stage '${s}', which blueprint '${spec.id}' does not have`,
        hint: explicit ? `use one of: ${[...stageIds].join(', ')}` : `limit the escalation with "types" to the record type that has '${s}', or fix the stage id`,
      });
    };
    if (e.stage !== undefined) stageRef(e.stage, `${base}.stage`);
    e.stages?.forEach((s, j) => stageRef(s, `${base}.stages[${j}]`));
    const from = stages.length > 0 ? stages : spec.stages.filter((s) => s.kind === 'open').map((s) => s.id);
    e.levels.forEach((level, li) =>
      level.actions.forEach((a, ai) => {
        const p = `${base}.levels[${li}].actions[${ai}]`;
        if ('transition' in a) {
          events.add(a.transition);
          const handled = spec.transitions.some((t) => t.event === a.transition && sourcesOf(spec, t.from).some((s) => from.includes(s)));
          if (!handled) {
            findings.push({
              severity: 'error',
              code: 'escalation_unknown_transition',
              path: `${p}.transition`,
              message: `escalation '${e.id}' fires '${a.transition}', but no transition handles '${a.transition}' from ${from.map((s) => `'${s}'`).join(', ')}`,
              hint: `add a transition with event '${a.transition}' from those stages, or fix the event name`,
            });
          }
        }
        if ('notify' in a) (Array.isArray(a.notify) ? a.notify : [a.notify]).forEach((t, ti) => findings.push(...targetFindings(t, Array.isArray(a.notify) ? `${p}.notify[${ti}]` : `${p}.notify`, options)));
        if ('addFollower' in a) findings.push(...targetFindings(a.addFollower, `${p}.addFollower`, options));
        if ('reassign' in a && typeof a.reassign === 'object') findings.push(...strategyTargets(a.reassign, `${p}.reassign`, options));
      }),
    );
  });
  return { findings, events };
}

/** Findings for the engine-level rules that touch this blueprint. */
export function salesRuleFindings(spec: BlueprintSpec, rules: SalesRulesInput | undefined, engine: CoreRuleEngine | undefined, options: LintOptions): { findings: LintFinding[]; systemEvents: Set<string> } {
  const findings: LintFinding[] = [];
  let systemEvents = new Set<string>();
  if (rules?.assignment !== undefined) findings.push(...assignmentFindings(spec, rules.assignment, engine, options));
  if (rules?.escalations !== undefined) {
    const esc = escalationFindings(spec, rules.escalations, options);
    findings.push(...esc.findings);
    systemEvents = esc.events;
  }
  return { findings, systemEvents };
}
