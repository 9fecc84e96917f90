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
  /** Fields the transition requires. */
  requires: string[];
  /** True when `from` came from `*`. */
  wildcard: boolean;
}

/** Every (stage, transition) edge of a blueprint, in blueprint order. */
export function stageEdges(spec: BlueprintSpec): StageEdge[] {
  const out: StageEdge[] = [];
  spec.transitions.forEach((t, i) => {
    for (const from of fromStages(spec, t.from)) {
      out.push({
        transition: i,
        from,
        to: t.to,
        event: t.event,
        ...(t.guard !== undefined ? { guard: ruleText(t.guard) } : {}),
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
