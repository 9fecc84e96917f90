import { pct, signed, table } from '../table.js';
import type { SimulationReport } from './simulate.js';

/** One count in both runs of a {@link SimulationDiff}. */
export interface SimulationDelta {
  /** In the base run. */
  base: number;
  /** In the what-if (changed policy) run. */
  policy: number;
  /** `policy - base`. */
  delta: number;
}

/** The difference between a base run and a what-if run of the same seed. */
export interface SimulationDiff {
  /** Records per stage at the end, for every stage of either run. */
  stages: Array<SimulationDelta & {
    /** The stage id. */
    stage: string;
  }>;
  /** Deadline breaches. */
  breaches: SimulationDelta;
  /** Escalations (timer-fired moves and notifications). */
  escalations: SimulationDelta;
  /** Deadline reminders. */
  reminders: SimulationDelta;
  /** Transitions that went through. */
  transitions: SimulationDelta;
  /** Rejected events per reason. */
  rejections: Array<SimulationDelta & {
    /** The rejection reason (`guard`, `required_fields`, …). */
    reason: string;
  }>;
}

/**
 * Compares two runs (same seed, records and days; a changed blueprint): stage by stage and for
 * breaches, escalations, reminders, transitions and rejections.
 *
 * @example
 * ```ts
 * const diff = compareSimulations(await simulate(base, o), await simulate(changed, o))
 * diff.breaches.delta // e.g. +412 when the SLA went from 3 to 2 days
 * ```
 */
export function compareSimulations(base: SimulationReport, policy: SimulationReport): SimulationDiff {
  const stageIds = [...new Set([...base.stages.map((s) => s.stage), ...policy.stages.map((s) => s.stage)])];
  const countOf = (r: SimulationReport, s: string) => r.stages.find((x) => x.stage === s)?.count ?? 0;
  const pair = (a: number, b: number) => ({ base: a, policy: b, delta: b - a });
  const reasons = [...new Set([...Object.keys(base.rejections), ...Object.keys(policy.rejections)])].sort();
  return {
    stages: stageIds.map((s) => ({ stage: s, ...pair(countOf(base, s), countOf(policy, s)) })),
    breaches: pair(base.breaches.total, policy.breaches.total),
    escalations: pair(base.escalations.total, policy.escalations.total),
    reminders: pair(base.reminders, policy.reminders),
    transitions: pair(base.transitions, policy.transitions),
    rejections: reasons.map((r) => ({ reason: r, ...pair(base.rejections[r] ?? 0, policy.rejections[r] ?? 0) })),
  };
}

/** The report as text tables. */
export function formatSimulation(r: SimulationReport): string {
  const out: string[] = [];
  out.push(`Simulated ${r.records.toLocaleString('en-US')} record(s) of '${r.blueprint.id}' v${r.blueprint.version} over ${r.days} day(s), seed ${r.seed}\n`);
  out.push('Stage distribution at the end');
  out.push(table(['stage', 'kind', 'records', 'share'], r.stages.map((s) => [s.stage, s.kind, s.count, pct(s.share)])));
  const byStage = Object.entries(r.breaches.byStage).sort((a, b) => b[1] - a[1]);
  out.push(`Deadline breaches: ${r.breaches.total}${byStage.length > 0 ? ` (${byStage.map(([s, n]) => `${s}: ${n}`).join(', ')})` : ''}`);
  out.push(`Reminders: ${r.reminders}`);
  const esc = Object.entries(r.escalations.byEvent);
  out.push(`Escalations: ${r.escalations.total}${esc.length > 0 ? ` (${esc.map(([e, n]) => `${e}: ${n}`).join(', ')})` : ''}`);
  out.push(`Transitions: ${r.transitions}`);
  if (r.approvals.approved + r.approvals.rejected > 0) out.push(`Approvals: ${r.approvals.approved} approved, ${r.approvals.rejected} rejected`);
  const rej = Object.entries(r.rejections);
  out.push(`Rejected events: ${rej.reduce((a, [, n]) => a + n, 0)}${rej.length > 0 ? ` (${rej.map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''}`);
  if (r.rejectedBy.length > 0) {
    out.push('Rejected by');
    out.push(
      table(
        ['count', 'event', 'in stage', 'reason', 'rule or missing fields'],
        r.rejectedBy.slice(0, 15).map((x) => [x.count, x.event, x.stage, x.reason, x.rule ?? x.fields?.join(', ') ?? '']),
      ),
    );
  }
  out.push(`Mean days to win: ${r.meanDaysToWin === null ? '–' : r.meanDaysToWin.toFixed(1)}`);
  return `${out.join('\n')}\n`;
}

/** The what-if difference as a table. */
export function formatDiff(d: SimulationDiff, baseName: string, policyName: string): string {
  const rows: Array<Array<string | number>> = [
    ...d.stages.map((s) => [`stage ${s.stage}`, s.base, s.policy, signed(s.delta)]),
    ['deadline breaches', d.breaches.base, d.breaches.policy, signed(d.breaches.delta)],
    ['escalations', d.escalations.base, d.escalations.policy, signed(d.escalations.delta)],
    ['reminders', d.reminders.base, d.reminders.policy, signed(d.reminders.delta)],
    ['transitions', d.transitions.base, d.transitions.policy, signed(d.transitions.delta)],
    ...d.rejections.map((x) => [`rejected: ${x.reason}`, x.base, x.policy, signed(x.delta)]),
  ];
  return `What-if: ${policyName} vs ${baseName} (same seed)\n${table(['measure', 'base', 'policy', 'change'], rows)}`;
}
