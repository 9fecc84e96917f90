import { createEngine, defineBlueprint, lintBlueprint, planMigration, previewMigration, renderSvg } from '@dealflow/core';
import type { BlueprintInput, SalesRulesInput } from '@dealflow/core';
import { SALES_RULES_IDS, loadSalesRules, loadTemplates, workweekCalendar } from '@dealflow/templates';
import type { SalesRulesId } from '@dealflow/templates';
import type { Desk } from './desk.js';
import { DESK_PERMISSIONS, deskRules } from './desk.js';
import { bilingual } from './texts.js';

/** The process page: a blueprint's diagram, its lint findings, and its stages' deadlines. */
export function processView(desk: Desk, type: string) {
  const bp = desk.engine.blueprint(type);
  // the template's own preset rules (the merged set also holds deal-project's, which would not fit deal-b2b)
  const own = (SALES_RULES_IDS as readonly string[]).includes(bp.id) ? loadSalesRules(bp.id as SalesRulesId) : {};
  const rules: SalesRulesInput = { ...own, permissions: DESK_PERMISSIONS };
  return {
    type,
    name: bilingual(bp.spec.name),
    svg: renderSvg(bp, { rules }),
    findings: lintBlueprint(bp, rules),
    stages: bp.spec.stages.map((s) => ({ id: s.id, label: bilingual(s.label, s.id), deadline: s.deadline?.within ?? null, onBreach: s.deadline?.onBreach ?? null })),
  };
}

/**
 * What if a stage's deadline were different: the changed blueprint as the next version, and a
 * dry run of moving today's records onto it (deadlines recomputed). Writes nothing.
 */
export async function whatIfDeadline(desk: Desk, type: string, stage: string, within: string) {
  const from = desk.engine.blueprint(type);
  const spec = structuredClone(from.spec) as unknown as BlueprintInput & { stages: Array<{ id: string; deadline?: { within: string } }> };
  const target = spec.stages.find((s) => s.id === stage);
  if (!target?.deadline) return { ok: false, said: { en: `Stage '${stage}' has no deadline to change.`, zh: `阶段「${stage}」没有时限。` } };
  const before = target.deadline.within;
  target.deadline.within = within;
  const to = defineBlueprint({ ...spec, version: from.version + 1 });
  const plan = planMigration(from, to, { deadlinePolicy: { '*': 'keepDueTime', [stage]: 'recompute' } });
  // a dry-run engine on the same store that knows both versions (writes nothing)
  const dryRun = createEngine({ storage: desk.engine.storage, clock: desk.clock, blueprints: [...loadTemplates(), to], calendars: [workweekCalendar()], rules: deskRules(), directory: desk.people.directory });
  const report = await previewMigration(dryRun, plan);
  const change = report.deadlines.find((d) => d.stage === stage) ?? null;
  return { ok: true, stage, before, after: within, examined: report.examined, change };
}
