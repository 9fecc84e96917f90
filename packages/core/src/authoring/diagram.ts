import type { Blueprint } from '../blueprint/define.js';
import type { BlueprintSpec } from '../blueprint/schema.js';
import { escalationNotes, stageEdges, stageLayers } from './graph-model.js';
import type { DiagramRules, StageEdge } from './graph-model.js';

/** Options of {@link renderMermaid}. */
export interface RenderMermaidOptions {
  /** The process's sales rules: approvals show on the arrows they hold, escalations as notes. */
  rules?: DiagramRules;
}

function specOf(blueprint: Blueprint | BlueprintSpec): BlueprintSpec {
  return 'spec' in blueprint && 'machine' in blueprint ? blueprint.spec : (blueprint as BlueprintSpec);
}

/** Mermaid label text: no characters that end a label or open markup. */
function mermaidText(s: string): string {
  return s
    .replace(/"/g, "'")
    .replace(/[;]/g, ',')
    .replace(/[{}]/g, '')
    .replace(/</g, '‹')
    .replace(/>/g, '›')
    .replace(/\n/g, ' ');
}

function edgeLabel(e: StageEdge): string {
  let label = e.event;
  if (e.guard) label += ` [${e.guard}]`;
  if (e.allow) label += ` allow: ${e.allow}`;
  if (e.requires.length > 0) label += ` requires ${e.requires.join(', ')}`;
  for (const a of e.approvals ?? []) label += ` ⏸ ${a}`;
  return label;
}

/**
 * Renders a blueprint as a Mermaid `stateDiagram-v2`: one state per stage (final stages lead to
 * `[*]`), one arrow per transition labelled with its event, guard, `allow` rule, required fields
 * and (with `options.rules`) the approvals that hold it; each stage deadline and each escalation
 * rule watching a stage as a note.
 *
 * @example
 * ```ts
 * const text = renderMermaid(defineBlueprint(json))
 * // stateDiagram-v2
 * //   [*] --> new
 * //   new --> qualified : qualify [fields.amount › 0]
 * ```
 */
export function renderMermaid(blueprint: Blueprint | BlueprintSpec, options: RenderMermaidOptions = {}): string {
  const spec = specOf(blueprint);
  const lines = ['stateDiagram-v2', `  direction LR`];
  for (const s of spec.stages) {
    const label = s.label ?? s.id;
    lines.push(`  state "${mermaidText(label)}${s.kind !== 'open' ? ` (${s.kind})` : ''}" as ${s.id}`);
  }
  lines.push(`  [*] --> ${spec.initialStage}`);
  for (const e of stageEdges(spec, options.rules)) lines.push(`  ${e.from} --> ${e.to} : ${mermaidText(edgeLabel(e))}`);
  for (const s of spec.stages) if (s.kind !== 'open') lines.push(`  ${s.id} --> [*]`);
  for (const s of spec.stages) {
    if (!s.deadline) continue;
    const d = s.deadline;
    let text = `deadline ${d.within}${d.businessTime ? ` business time (${d.businessTime})` : ''}, on breach: ${d.onBreach}`;
    if (d.remindBefore?.length) text += `, reminders ${d.remindBefore.join(', ')} before`;
    lines.push(`  note right of ${s.id} : ${mermaidText(text)}`);
  }
  for (const n of escalationNotes(spec, options.rules)) lines.push(`  note left of ${n.stage} : ${mermaidText(n.text)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The XState machine config of a blueprint as JSON, in the shape the Stately editor and
 * inspector import (`id`, `initial`, `states`, `on`, guards as `{ type: 'rule', params }`,
 * final stages `type: 'final'`, deadlines in `meta` and `description`). It mirrors the machine
 * `defineBlueprint` compiles.
 *
 * @example
 * ```ts
 * const config = toStatelyConfig(defineBlueprint(json))
 * fs.writeFileSync('deal.machine.json', JSON.stringify(config, null, 2))
 * ```
 */
export function toStatelyConfig(blueprint: Blueprint | BlueprintSpec): Record<string, unknown> {
  const spec = specOf(blueprint);
  type On = Record<string, Array<Record<string, unknown>>>;
  const stateOn: Record<string, On> = {};
  const rootOn: On = {};
  spec.transitions.forEach((t, i) => {
    const def = (target: string): Record<string, unknown> => ({
      target,
      ...(t.guard !== undefined ? { guard: { type: 'rule', params: { transition: i, rule: t.guard } } } : {}),
      ...(t.label ? { description: t.label } : {}),
      meta: { transition: i, ...(t.requires ? { requires: t.requires } : {}) },
    });
    if (t.from === '*') (rootOn[t.event] ??= []).push(def(`.${t.to}`));
    else for (const f of Array.isArray(t.from) ? t.from : [t.from]) ((stateOn[f] ??= {})[t.event] ??= []).push(def(t.to));
  });
  const states: Record<string, unknown> = {};
  for (const s of spec.stages) {
    const d = s.deadline;
    const description = [s.label, s.description, d ? `Deadline ${d.within}${d.businessTime ? ` (business time, ${d.businessTime})` : ''}; on breach sends '${d.onBreach}'.` : undefined]
      .filter(Boolean)
      .join(' — ');
    states[s.id] = {
      ...(s.kind !== 'open' ? { type: 'final' } : {}),
      ...(description ? { description } : {}),
      ...(stateOn[s.id] ? { on: stateOn[s.id] } : {}),
      meta: { kind: s.kind, ...(s.probability !== undefined ? { probability: s.probability } : {}), ...(d ? { deadline: d } : {}) },
    };
  }
  return {
    id: spec.id,
    initial: spec.initialStage,
    ...(spec.description ? { description: spec.description } : {}),
    context: { fields: {}, record: null },
    ...(Object.keys(rootOn).length > 0 ? { on: rootOn } : {}),
    states,
  };
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const KIND_FILL: Record<string, string> = { open: '#eef4ff', won: '#e3f7e6', lost: '#fdeaea', closed: '#eeeeee' };
const KIND_STROKE: Record<string, string> = { open: '#3b6fd8', won: '#2e9d48', lost: '#cc3b3b', closed: '#777777' };

/** Options of {@link renderSvg}. */
export interface RenderSvgOptions {
  /** Width of a stage box (default 150). */
  boxWidth?: number;
  /** Horizontal gap between layers (default 120). */
  gapX?: number;
  /** The process's sales rules: approvals show on the arrows they hold. */
  rules?: DiagramRules;
}

/**
 * Renders a blueprint as a standalone layered SVG (no browser needed): stages left to right by
 * distance from the initial stage, final stages on the right, arrows labelled with events (and
 * guards, `allow` rules and approvals), deadlines printed under their stage.
 *
 * @example
 * ```ts
 * fs.writeFileSync('deal.svg', renderSvg(defineBlueprint(json)))
 * ```
 */
export function renderSvg(blueprint: Blueprint | BlueprintSpec, options: RenderSvgOptions = {}): string {
  const spec = specOf(blueprint);
  const all = stageEdges(spec, options.rules);
  const edges = all.filter((e) => !e.wildcard);
  const wildcards = all.filter((e) => e.wildcard);
  const layers = stageLayers(spec, edges.length > 0 ? edges : all);
  const boxW = options.boxWidth ?? 150;
  const boxH = 54;
  const gapX = options.gapX ?? 150;
  const gapY = 90;
  const margin = 40;
  const top = margin + 70; // title, then room for self-loops
  const pos = new Map<string, { x: number; y: number }>();
  const tallest = Math.max(...layers.map((l) => l.length));
  layers.forEach((layer, li) => {
    const offset = ((tallest - layer.length) * (boxH + gapY)) / 2;
    layer.forEach((id, k) => pos.set(id, { x: margin + li * (boxW + gapX), y: top + offset + k * (boxH + gapY) }));
  });
  const width = margin * 2 + layers.length * boxW + (layers.length - 1) * gapX;
  const layerOf = new Map<string, number>();
  layers.forEach((l, i) => l.forEach((id) => layerOf.set(id, i)));
  const maxSpan = Math.max(1, ...edges.filter((e) => (layerOf.get(e.to) ?? 0) <= (layerOf.get(e.from) ?? 0)).map((e) => (layerOf.get(e.from) ?? 0) - (layerOf.get(e.to) ?? 0)));
  const height = top + tallest * boxH + (tallest - 1) * gapY + 70 + maxSpan * 14 + (wildcards.length > 0 ? 30 : 0) + margin;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`);
  out.push(`<title>${esc(spec.name ?? spec.id)} v${spec.version}</title>`);
  out.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>');
  out.push(`<text x="${margin}" y="${margin}" font-size="16" font-weight="bold">${esc(spec.name ?? spec.id)} (v${spec.version})</text>`);
  // edges (grouped by stage pair so parallel edges get distinct curves)
  const pairCount = new Map<string, number>();
  for (const e of edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    const key = `${e.from}->${e.to}`;
    const n = pairCount.get(key) ?? 0;
    pairCount.set(key, n + 1);
    const cond = [e.guard ? `[${e.guard}]` : '', e.allow ? `allow: ${e.allow}` : '', e.approvals?.length ? '⏸ approval' : ''].filter(Boolean).join(' ');
    const guard = cond ? esc(cond.length > 28 ? `${cond.slice(0, 27)}…` : cond) : '';
    const label = esc(e.event);
    if (e.from === e.to) {
      const x = a.x + boxW / 2;
      const y = a.y;
      out.push(`<path d="M${x - 20},${y} C${x - 40},${y - 50 - n * 15} ${x + 40},${y - 50 - n * 15} ${x + 20},${y}" fill="none" stroke="#555" marker-end="url(#arrow)"/>`);
      out.push(`<text x="${x}" y="${y - 42 - n * 15}" text-anchor="middle" fill="#333">${label}</text>`);
      continue;
    }
    const forward = b.x > a.x;
    if (forward) {
      const x1 = a.x + boxW;
      const y1 = a.y + boxH / 2;
      const x2 = b.x;
      const y2 = b.y + boxH / 2;
      const cx = (x1 + x2) / 2;
      const cy = (y1 + y2) / 2 + n * 22;
      out.push(`<path d="M${x1},${y1} Q${cx},${cy} ${x2},${y2}" fill="none" stroke="#555" marker-end="url(#arrow)"/>`);
      const ly = (y1 + cy) / 2 + (cy + y2) / 2 - (y1 + y2) / 2;
      out.push(`<text x="${cx}" y="${ly - 6}" text-anchor="middle" fill="#333">${label}</text>`);
      if (guard) out.push(`<text x="${cx}" y="${ly + 14}" text-anchor="middle" fill="#666" font-size="10">${guard}</text>`);
    } else {
      // backwards (or up/down within a layer): below the boxes, deeper for longer spans
      const span = Math.abs((layerOf.get(e.from) ?? 0) - (layerOf.get(e.to) ?? 0));
      const x1 = a.x + boxW / 2 + 12;
      const y1 = a.y + boxH;
      const x2 = b.x + boxW / 2 - 12;
      const y2 = b.y + boxH;
      const depth = 44 + span * 14 + n * 12;
      const low = Math.max(y1, y2) + depth;
      out.push(`<path d="M${x1},${y1} C${x1},${low} ${x2},${low} ${x2},${y2}" fill="none" stroke="#888" stroke-dasharray="4 3" marker-end="url(#arrow)"/>`);
      out.push(`<text x="${(x1 + x2) / 2}" y="${low - depth * 0.25 + 12}" text-anchor="middle" fill="#555">${label}${guard ? ` ${guard}` : ''}</text>`);
    }
  }
  // stages
  for (const s of spec.stages) {
    const p = pos.get(s.id);
    if (!p) continue;
    const initial = s.id === spec.initialStage;
    out.push(
      `<g data-stage="${esc(s.id)}"><rect x="${p.x}" y="${p.y}" width="${boxW}" height="${boxH}" rx="${s.kind === 'open' ? 8 : 24}" fill="${KIND_FILL[s.kind] ?? '#fff'}" stroke="${KIND_STROKE[s.kind] ?? '#333'}" stroke-width="${initial ? 3 : 1.5}"/>`,
    );
    out.push(`<text x="${p.x + boxW / 2}" y="${p.y + 22}" text-anchor="middle" font-weight="bold">${esc(s.label ?? s.id)}</text>`);
    const sub = [s.kind !== 'open' ? s.kind : '', s.probability !== undefined ? `p=${s.probability}` : ''].filter(Boolean).join(' · ');
    if (sub) out.push(`<text x="${p.x + boxW / 2}" y="${p.y + 40}" text-anchor="middle" fill="#555">${esc(sub)}</text>`);
    if (s.deadline) {
      out.push(`<text x="${p.x + boxW / 2}" y="${p.y + boxH + 16}" text-anchor="middle" fill="#b35c00" font-size="11">deadline ${esc(`${s.deadline.within}${s.deadline.businessTime ? ' (business)' : ''} → ${s.deadline.onBreach}`)}</text>`);
    }
    out.push('</g>');
  }
  if (wildcards.length > 0) {
    const seen = new Set<number>();
    const text = wildcards
      .filter((w) => (seen.has(w.transition) ? false : (seen.add(w.transition), true)))
      .map((w) => `${w.event} → ${w.to}${w.guard ? ` [${w.guard}]` : ''}`)
      .join('; ');
    out.push(`<text x="${margin}" y="${height - margin / 2}" fill="#333">From every open stage: ${esc(text)}</text>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
