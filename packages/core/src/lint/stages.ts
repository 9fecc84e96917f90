import { Duration } from 'luxon';
import type { BlueprintSpec } from '../blueprint/schema.js';
import type { CoreRuleEngine } from '../rules.js';
import { analyzeCondition } from './analyze.js';
import { sourcesOf } from './graph.js';
import type { LintFinding } from './types.js';

/** Nominal length of an ISO duration in ms (months as 30 days), for comparing two durations. */
export function durationMs(iso: string): number {
  const d = Duration.fromISO(iso);
  return d.isValid ? d.toMillis() : NaN;
}

/** Guards never true (error: the transition can never fire) or always true (warning: dead weight). */
export function guardFindings(spec: BlueprintSpec, engine: CoreRuleEngine | undefined): { findings: LintFinding[]; dead: Set<number> } {
  const findings: LintFinding[] = [];
  const dead = new Set<number>();
  spec.transitions.forEach((t, i) => {
    if (t.guard === undefined) return;
    const a = analyzeCondition(t.guard, spec.fields, engine);
    const path = `$.transitions[${i}].guard`;
    if (a.verdict === 'never') {
      dead.add(i);
      findings.push({
        severity: 'error',
        code: 'guard_never_true',
        path,
        message: `guard of transition '${t.event}' (to '${t.to}') can never be true: ${a.why}`,
        hint: 'compare the field with a value of its declared type, or fix the contradictory bounds',
      });
    } else if (a.verdict === 'always') {
      findings.push({
        severity: 'warning',
        code: 'guard_always_true',
        path,
        message: `guard of transition '${t.event}' (to '${t.to}') is always true: ${a.why}`,
        hint: 'remove the guard, or make it test what was meant',
      });
    }
  });
  return { findings, dead };
}

/** Open stages without deadline, and deadlines not longer than their own reminders. */
export function deadlineFindings(spec: BlueprintSpec): LintFinding[] {
  const findings: LintFinding[] = [];
  spec.stages.forEach((s, i) => {
    if (s.kind !== 'open') return;
    if (!s.deadline) {
      if (s.pause) return; // a pause stage stops SLA clocks on purpose
      findings.push({
        severity: 'warning',
        code: 'stage_without_deadline',
        path: `$.stages[${i}]`,
        message: `open stage '${s.id}' has no deadline: records can wait in it forever without anyone being told`,
        hint: `add "deadline": { "within": "P3D", "onBreach": "..." }, or silence with "lint": { "ignore": ["stage_without_deadline"] } on stage '${s.id}'`,
      });
      return;
    }
    const within = durationMs(s.deadline.within);
    (s.deadline.remindBefore ?? []).forEach((before, j) => {
      if (durationMs(before) >= within) {
        findings.push({
          severity: 'error',
          code: 'reminder_not_before_deadline',
          path: `$.stages[${i}].deadline.remindBefore[${j}]`,
          message: `stage '${s.id}': reminder ${before} before the deadline is not shorter than the deadline itself (${s.deadline!.within}), so it would fall at or before stage entry and is never sent`,
          hint: `use a reminder offset shorter than ${s.deadline!.within}, or lengthen the deadline`,
        });
      }
    });
  });
  return findings;
}

/** Whether a field is present on every record from creation on (required, or has a default). */
function alwaysPresent(spec: BlueprintSpec, field: string): boolean {
  const f = spec.fields[field];
  return f !== undefined && (f.required === true || f.default !== undefined);
}

function requiredIn(spec: BlueprintSpec, stage: string): string[] {
  return Object.entries(spec.fields)
    .filter(([, f]) => f.requiredIn === '*' || (Array.isArray(f.requiredIn) && f.requiredIn.includes(stage)))
    .map(([n]) => n);
}

/**
 * Required fields a transition cannot supply. A user-fired event may carry the field, so only
 * transitions fired by the process itself count as unable: deadline breaches (`onBreach`) and
 * escalation `transition` actions carry no fields. A field is supplied by such a transition when it
 * is in `requires` (then checked before), set by a `set` action, required in every source stage,
 * or present from creation (required / default).
 */
export function requiredFieldFindings(spec: BlueprintSpec, systemEvents: ReadonlySet<string>): LintFinding[] {
  const findings: LintFinding[] = [];
  const breachEvents = new Map<string, Set<string>>(); // stage -> events its deadline sends
  for (const s of spec.stages) if (s.deadline) breachEvents.set(s.id, new Set([s.deadline.onBreach]));
  spec.stages.forEach((s) => {
    const need = requiredIn(spec, s.id);
    if (need.length === 0 || s.id === spec.initialStage) return;
    const incoming = spec.transitions.map((t, i) => ({ t, i })).filter(({ t }) => t.to === s.id);
    if (incoming.length === 0) return;
    for (const field of need) {
      if (alwaysPresent(spec, field)) continue;
      let userCanSupply = false;
      const unable: number[] = [];
      for (const { t, i } of incoming) {
        const sources = sourcesOf(spec, t.from).filter((src) => src !== s.id);
        const supplied =
          (t.requires ?? []).includes(field) ||
          (t.actions ?? []).some((a) => a.type === 'set' && a.field === field) ||
          (sources.length > 0 && sources.every((src) => requiredIn(spec, src).includes(field)));
        if (supplied) {
          userCanSupply = true;
          continue;
        }
        const bySystem = sources.some((src) => breachEvents.get(src)?.has(t.event)) || systemEvents.has(t.event);
        if (bySystem) unable.push(i);
        else userCanSupply = true;
      }
      if (!userCanSupply) {
        findings.push({
          severity: 'error',
          code: 'required_field_unsupplied',
          path: `$.fields.${field}.requiredIn`,
          message: `stage '${s.id}' requires field '${field}', but every transition into it is fired by a deadline or escalation (${unable.map((i) => `'${spec.transitions[i]!.event}'`).join(', ')}) and none supplies it: those transitions are always rejected for records without '${field}'`,
          hint: `add a 'set' action for '${field}' to the transition, require '${field}' in the source stage, or give '${field}' a default`,
        });
        continue;
      }
      for (const i of unable) {
        const t = spec.transitions[i]!;
        findings.push({
          severity: 'warning',
          code: 'timer_transition_lacks_field',
          path: `$.transitions[${i}]`,
          message: `transition '${t.event}' into '${s.id}' is fired by a deadline or escalation, which carries no fields, but '${s.id}' requires '${field}': records without it stay put past their deadline`,
          hint: `add a 'set' action for '${field}', require '${field}' in the source stage, or point the breach at a stage that does not require it`,
        });
      }
    }
  });
  return findings;
}
