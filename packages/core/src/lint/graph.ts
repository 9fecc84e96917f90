import type { BlueprintSpec } from '../blueprint/schema.js';
import type { LintFinding } from './types.js';

/** Stage ids a transition leaves from (`*` = every open stage). */
export function sourcesOf(spec: BlueprintSpec, from: string | string[]): string[] {
  if (from === '*') return spec.stages.filter((s) => s.kind === 'open').map((s) => s.id);
  return Array.isArray(from) ? from : [from];
}

/** Edges stage → stages, over transitions whose stages exist (guards ignored). */
export function edgesOf(spec: BlueprintSpec, skip: ReadonlySet<number> = new Set()): Map<string, Set<string>> {
  const ids = new Set(spec.stages.map((s) => s.id));
  const out = new Map<string, Set<string>>(spec.stages.map((s) => [s.id, new Set<string>()]));
  spec.transitions.forEach((t, i) => {
    if (skip.has(i) || !ids.has(t.to)) return;
    for (const s of sourcesOf(spec, t.from)) out.get(s)?.add(t.to);
  });
  return out;
}

function closure(start: Iterable<string>, next: (s: string) => Iterable<string>): Set<string> {
  const seen = new Set(start);
  const queue = [...seen];
  while (queue.length > 0) {
    const cur = queue.shift()!;
    for (const n of next(cur)) {
      if (!seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
    }
  }
  return seen;
}

/**
 * Graph findings: unreachable stages, dead-end open stages (nothing leaves them), and stages from
 * which no final stage can be reached (a record entering them can never close). Transitions whose
 * guard is never true (indexes in `deadTransitions`) do not count as ways out.
 */
export function graphFindings(spec: BlueprintSpec, deadTransitions: ReadonlySet<number>): LintFinding[] {
  const findings: LintFinding[] = [];
  const ids = new Set(spec.stages.map((s) => s.id));
  if (!ids.has(spec.initialStage)) return findings;
  const edges = edgesOf(spec, deadTransitions);
  const finals = spec.stages.filter((s) => s.kind !== 'open').map((s) => s.id);
  const reached = closure([spec.initialStage], (s) => (finals.includes(s) ? [] : edges.get(s) ?? []));
  const reverse = new Map<string, string[]>();
  for (const [from, tos] of edges) for (const to of tos) reverse.set(to, [...(reverse.get(to) ?? []), from]);
  const canFinish = closure(finals, (s) => reverse.get(s) ?? []);

  spec.stages.forEach((s, i) => {
    const path = `$.stages[${i}]`;
    if (!reached.has(s.id)) {
      findings.push({
        severity: 'error',
        code: 'unreachable_stage',
        path,
        message: `stage '${s.id}' cannot be reached from initial stage '${spec.initialStage}'`,
        hint: `add a transition into '${s.id}' from a reachable stage, or remove the stage`,
      });
    }
    if (s.kind !== 'open') return;
    const out = edges.get(s.id) ?? new Set();
    const leaves = [...out].some((to) => to !== s.id);
    if (!leaves) {
      findings.push({
        severity: 'error',
        code: 'dead_end_stage',
        path,
        message: `open stage '${s.id}' has no transition to another stage and is not final: records entering it are stuck`,
        hint: `add a transition out of '${s.id}' (e.g. to a lost stage), or make it final with kind 'won', 'lost' or 'closed'`,
      });
      return;
    }
    if (!canFinish.has(s.id)) {
      findings.push({
        severity: 'error',
        code: 'no_final_reachable',
        path,
        message: `no final stage can be reached from stage '${s.id}': records entering it can never be closed`,
        hint: `add a transition from '${s.id}' (or a stage it leads to) into a won, lost or closed stage`,
      });
    }
  });
  return findings;
}
