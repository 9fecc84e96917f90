import type { Problem } from '@dealflow/logic';
import type { EscalationRule } from '../escalation/schema.js';
import type { ApprovalRule } from '../approvals/schema.js';
import type { PermissionsConfig } from '../permissions/schema.js';
import type { AssignmentConfig } from '../assignment/schema.js';
import { suggest } from '../blueprint/checks.js';

/** The stage ids and event names the engine's blueprints declare. */
export interface KnownNames {
  stages: ReadonlySet<string>;
  events: ReadonlySet<string>;
}

/** The declared name closest to `name` (letter case counts: stage ids and events are exact). */
function closest(name: string, known: ReadonlySet<string>): string | undefined {
  return suggest(name, known, { ignoreCase: false });
}

/**
 * Stage and event names the sales rules refer to that no blueprint of the engine declares: a typo
 * in `stages: ['negotiaton']` would otherwise make an escalation silently never fire.
 */
export function checkReferences(
  known: KnownNames,
  parts: { escalations: readonly EscalationRule[]; approvals: readonly ApprovalRule[]; permissions: PermissionsConfig; assignment: AssignmentConfig | null },
): Problem[] {
  const problems: Problem[] = [];
  const stage = (name: string, path: string): void => {
    if (known.stages.has(name)) return;
    const hint = closest(name, known.stages);
    problems.push({ path, code: 'unknown_stage', value: name, message: `${path}: no blueprint of this engine has a stage '${name}'`, ...(hint ? { hint: `did you mean '${hint}'?` } : {}) });
  };
  const event = (name: string, path: string): void => {
    if (known.events.has(name)) return;
    const hint = closest(name, known.events);
    problems.push({ path, code: 'unknown_event', value: name, message: `${path}: no blueprint of this engine has a transition '${name}'`, ...(hint ? { hint: `did you mean '${hint}'?` } : {}) });
  };
  parts.escalations.forEach((e, i) => {
    if (e.id.startsWith('pool.')) return; // engine-made
    if (e.stage !== undefined) stage(e.stage, `$.escalations[${i}].stage`);
    e.stages?.forEach((s, j) => stage(s, `$.escalations[${i}].stages[${j}]`));
    e.levels.forEach((l, li) => l.actions.forEach((a, ai) => {
      if ('transition' in a) event(a.transition, `$.escalations[${i}].levels[${li}].actions[${ai}].transition`);
    }));
  });
  parts.approvals.forEach((a, i) => event(a.event, `$.approvals[${i}].event`));
  for (const name of Object.keys(parts.permissions.transitions ?? {})) if (name !== '*') event(name, `$.permissions.transitions.${name}`);
  parts.assignment?.openStages?.forEach((s, i) => stage(s, `$.assignment.openStages[${i}]`));
  return problems;
}
