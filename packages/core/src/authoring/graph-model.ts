import type { BlueprintSpec } from '../blueprint/schema.js';
import { fromStages } from '../blueprint/checks.js';
import { ruleText } from './rule-text.js';

/** One edge of a blueprint's stage graph: a blueprint transition from one stage. */
export interface StageEdge {
  /** Index of the transition in `transitions`. */
  transition: number;
  from: string;
  to: string;
  event: string;
  /** Readable guard text, when the transition has a guard. */
  guard?: string;
  /** Readable `allow` rule (who may fire it), when the transition has one. */
  allow?: string;
  /** Approval rules (from the sales rules) that hold this event, as text. */
  approvals?: string[];
  /** Fields the transition requires. */
  requires: string[];
  /** True when `from` came from `*`. */
  wildcard: boolean;
}

/** The sales rules a diagram shows besides the blueprint (approvals on edges, escalations as notes). */
export interface DiagramRules {
  /** The `approvals` section of the sales rules: each rule's approver is written on the edges of its event. */
  approvals?: unknown;
  /** The `escalations` section of the sales rules: shown as notes on the stages they watch. */
  escalations?: unknown;
}

function who(target: unknown): string {
  if (typeof target === 'string') return target;
  if (typeof target === 'object' && target !== null) {
    const t = target as { rep?: string; role?: string };
    if (t.rep) return `rep ${t.rep}`;
    if (t.role) return `role ${t.role}`;
  }
  return JSON.stringify(target);
}

function appliesTo(types: unknown, spec: BlueprintSpec): boolean {
  return !Array.isArray(types) || types.includes(spec.recordType) || types.includes(spec.id);
}

/** Approval rules by event, as `approval by manager when …` text. */
function approvalsByEvent(spec: BlueprintSpec, rules: DiagramRules | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!Array.isArray(rules?.approvals)) return out;
  for (const a of rules.approvals as Array<{ id?: string; event?: string; types?: unknown; when?: unknown; approver?: unknown }>) {
    if (typeof a?.event !== 'string' || !appliesTo(a.types, spec)) continue;
    const text = `approval by ${who(a.approver)}${a.when !== undefined ? ` when ${ruleText(a.when)}` : ''}`;
    out.set(a.event, [...(out.get(a.event) ?? []), text]);
  }
  return out;
}

/** One escalation rule as text per stage it watches: `escalation 'id': after P2D notify manager; …`. */
export function escalationNotes(spec: BlueprintSpec, rules: DiagramRules | undefined): Array<{ stage: string; text: string }> {
  if (!Array.isArray(rules?.escalations)) return [];
  const open = spec.stages.filter((s) => s.kind === 'open').map((s) => s.id);
  const out: Array<{ stage: string; text: string }> = [];
  for (const e of rules.escalations as Array<{ id?: string; on?: string; stage?: string; stages?: string[]; types?: unknown; levels?: Array<{ after?: string; actions?: Array<Record<string, unknown>> }> }>) {
    if (!e || !appliesTo(e.types, spec)) continue;
    const stages = e.on === 'stage' && e.stage ? [e.stage] : Array.isArray(e.stages) ? e.stages : open;
    const levels = (e.levels ?? []).map((l) => `after ${l.after} ${(l.actions ?? []).map((a) => Object.entries(a).filter(([k]) => k !== 'message').map(([k, v]) => (v === true ? k : `${k} ${typeof v === 'string' ? v : who(v)}`)).join(' ')).join(', ')}`);
    const text = `escalation '${e.id}' (${e.on === 'stage' ? 'time in stage' : 'inactivity'}): ${levels.join('; ')}`;
    for (const st of stages) if (spec.stages.some((s) => s.id === st)) out.push({ stage: st, text });
  }
  return out;
}

/** Every (stage, transition) edge of a blueprint, in blueprint order (with approvals from `rules`). */
export function stageEdges(spec: BlueprintSpec, rules?: DiagramRules): StageEdge[] {
  const out: StageEdge[] = [];
  const approvals = approvalsByEvent(spec, rules);
  spec.transitions.forEach((t, i) => {
    for (const from of fromStages(spec, t.from)) {
      out.push({
        transition: i,
        from,
        to: t.to,
        event: t.event,
        ...(t.guard !== undefined ? { guard: ruleText(t.guard) } : {}),
        ...(t.allow !== undefined ? { allow: ruleText(t.allow) } : {}),
        ...(approvals.has(t.event) ? { approvals: approvals.get(t.event)! } : {}),
        requires: t.requires ?? [],
        wildcard: t.from === '*',
      });
    }
  });
  return out;
}

/**
 * Layers for a left-to-right layout: breadth-first distance from the initial stage; stages not
 * reached go in a last layer. Final stages sit one layer after the deepest open stage that
 * leads to them, so outcomes line up on the right.
 */
export function stageLayers(spec: BlueprintSpec, edges: StageEdge[]): string[][] {
  const depth = new Map<string, number>([[spec.initialStage, 0]]);
  const queue = [spec.initialStage];
  while (queue.length > 0) {
    const cur = queue.shift()!;
    for (const e of edges) {
      if (e.from !== cur || depth.has(e.to)) continue;
      depth.set(e.to, depth.get(cur)! + 1);
      queue.push(e.to);
    }
  }
  const maxOpen = Math.max(0, ...spec.stages.filter((s) => s.kind === 'open').map((s) => depth.get(s.id) ?? 0));
  const layers: string[][] = [];
  for (const s of spec.stages) {
    let d = depth.get(s.id);
    if (d === undefined) d = s.kind !== 'open' ? maxOpen + 1 : maxOpen + 2;
    else if (s.kind !== 'open') d = Math.max(d, maxOpen + 1);
    (layers[d] ??= []).push(s.id);
  }
  return layers.filter((l) => l !== undefined && l.length > 0);
}
