import { createEngine, createLinkRules, createLinks, nextSteps } from '@dealflow/core';
import type { Actor, CreateEngineOptions, Engine, Guidance, LinkApi, LinkRules, LinkRulesInput, SalesRulesInput } from '@dealflow/core';
import { loadTemplates } from './catalog.js';
import { fullCycleLinkRules } from './link-rules.js';
import { loadAllSalesRules, workweekCalendar } from './sales-rules.js';
import { createFollowUps } from './follow-ups.js';
import type { FollowUps } from './follow-ups.js';

/** Options of {@link setupFullCycle}: the engine options; `blueprints` defaults to every template. */
export interface SetupFullCycleOptions extends Omit<CreateEngineOptions, 'blueprints' | 'rules'> {
  /**
   * The blueprints to run (default: every template, {@link loadTemplates}). Pass edited copies of
   * the templates (e.g. a checklist on a stage) or extra blueprints of your own; the link rules and
   * follow-ups expect the templates' record types and stages.
   */
  blueprints?: CreateEngineOptions['blueprints'];
  /** Cross-record rules (default: {@link fullCycleLinkRules}). */
  linkRules?: LinkRulesInput;
  /**
   * Sales rules (default: every template's preset, {@link loadAllSalesRules}). The lead template
   * returns leads to the public pool, which needs sales rules (any, even `{}`).
   */
  rules?: SalesRulesInput;
}

/** An engine running every template, with links, cross-record rules, sales rules and guidance. */
export interface FullCycle {
  /** The engine, with every template blueprint and the link rules as a plugin. */
  engine: Engine;
  /** Links between records (link, unlink, follow), over the engine's store. */
  links: LinkApi;
  /** The compiled cross-record rules (what blocks an event, what cascades). */
  linkRules: LinkRules;
  /** The outbox-driven follow-ups (quote accepted → deal moves; last instalment paid → plan settled). */
  followUps: FollowUps;
  /** `nextSteps` with the cross-record rules applied. */
  guide(recordId: string, actor?: Actor): Promise<Guidance>;
}

/**
 * Creates an engine with every template, the preset sales rules, the working-week calendar and
 * the full-cycle link rules, plus the link API, the follow-ups and a guidance helper. Your own
 * plugins (options.plugins) run before the link rules; your calendars come before the templates'.
 *
 * @example
 * ```ts
 * const { engine, links, guide } = setupFullCycle({ storage: createSqliteStorage({ filename: 'crm.db' }), directory })
 * const { record: lead } = await engine.create('lead', { fields: { name: 'Li Wei', source: 'web_form' }, ownerId: 'ana' })
 * console.log((await guide(lead.id)).todo)
 * ```
 */
export function setupFullCycle(options: SetupFullCycleOptions): FullCycle {
  const { linkRules: rulesInput, rules, blueprints, ...engineOptions } = options;
  const linkRules = createLinkRules(rulesInput ?? fullCycleLinkRules);
  const engine = createEngine({
    ...engineOptions,
    blueprints: blueprints ?? loadTemplates(),
    calendars: [...(engineOptions.calendars ?? []), workweekCalendar()],
    rules: rules ?? loadAllSalesRules(),
    plugins: [...(engineOptions.plugins ?? []), linkRules.plugin],
  });
  const links = createLinks(engine);
  return {
    engine,
    links,
    linkRules,
    followUps: createFollowUps(engine, links),
    guide: (recordId, actor) => nextSteps(engine, recordId, { linkRules, ...(actor ? { actor } : {}) }),
  };
}
