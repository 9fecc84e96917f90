import { createEngine, createLinkRules, createLinks, nextSteps } from '@dealflow/core';
import type { Actor, CreateEngineOptions, Engine, Guidance, LinkApi, LinkRules, LinkRulesInput } from '@dealflow/core';
import { loadTemplates } from './catalog.js';
import { fullCycleLinkRules } from './link-rules.js';

/** Options of {@link setupFullCycle}: the engine options minus `blueprints` (all templates are loaded). */
export interface SetupFullCycleOptions extends Omit<CreateEngineOptions, 'blueprints'> {
  /** Cross-record rules (default: {@link fullCycleLinkRules}). */
  linkRules?: LinkRulesInput;
}

/** An engine running every template, with links, cross-record rules and guidance. */
export interface FullCycle {
  /** The engine, with every template blueprint and the link rules as a plugin. */
  engine: Engine;
  /** Links between records (link, unlink, follow), over the engine's store. */
  links: LinkApi;
  /** The compiled cross-record rules (what blocks an event, what cascades). */
  linkRules: LinkRules;
  /** `nextSteps` with the cross-record rules applied. */
  guide(recordId: string, actor?: Actor): Promise<Guidance>;
}

/**
 * Creates an engine with every template and the full-cycle link rules, plus the link API and a
 * guidance helper. Your own plugins (options.plugins) run before the link rules.
 *
 * @example
 * ```ts
 * const { engine, links, guide } = setupFullCycle({ storage: createSqliteStorage({ filename: 'crm.db' }) })
 * const { record: lead } = await engine.create('lead', { fields: { name: 'Li Wei', source: 'web_form' }, ownerId: 'ana' })
 * console.log((await guide(lead.id)).todo)
 * ```
 */
export function setupFullCycle(options: SetupFullCycleOptions): FullCycle {
  const { linkRules: rulesInput, ...engineOptions } = options;
  const linkRules = createLinkRules(rulesInput ?? fullCycleLinkRules);
  const engine = createEngine({ ...engineOptions, blueprints: loadTemplates(), plugins: [...(engineOptions.plugins ?? []), linkRules.plugin] });
  return {
    engine,
    links: createLinks(engine),
    linkRules,
    guide: (recordId, actor) => nextSteps(engine, recordId, { linkRules, ...(actor ? { actor } : {}) }),
  };
}
