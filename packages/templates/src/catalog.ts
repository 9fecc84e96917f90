import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DealflowError } from '@dealflow/core';
import type { BlueprintInput } from '@dealflow/core';

/** Ids of the ready-made blueprints (file `blueprints/<id>.json`). */
export const TEMPLATE_IDS = ['lead', 'quote', 'customer', 'contact', 'deal-b2b', 'deal-project', 'contract', 'order', 'payment-plan', 'instalment', 'feedback'] as const;

/** One template id. */
export type TemplateId = (typeof TEMPLATE_IDS)[number];

const cache = new Map<TemplateId, string>();

function isTemplateId(id: string): id is TemplateId {
  return (TEMPLATE_IDS as readonly string[]).includes(id);
}

/** Absolute path of a template's JSON file (for the CLI, editors, `dealflow validate`). */
export function templatePath(id: TemplateId): string {
  return fileURLToPath(new URL(`../blueprints/${id}.json`, import.meta.url));
}

/**
 * A fresh copy of one template's blueprint JSON, ready for `defineBlueprint` or `createEngine`.
 * Change the copy freely (add fields, rename labels) before giving it to the engine.
 *
 * @example
 * ```ts
 * const lead = loadTemplate('lead')
 * lead.fields!.campaign = { type: 'string', label: 'Campaign / 活动' }
 * const engine = createEngine({ storage, blueprints: [lead, ...loadTemplates(['customer', 'contact', 'deal-b2b', 'contract', 'payment-plan'])] })
 * ```
 */
export function loadTemplate(id: TemplateId): BlueprintInput {
  if (typeof id !== 'string' || !isTemplateId(id)) {
    throw new DealflowError('NOT_FOUND', `loadTemplate: no template '${String(id)}'; known: ${TEMPLATE_IDS.join(', ')}`, { details: { id } });
  }
  let text = cache.get(id);
  if (text === undefined) {
    text = readFileSync(templatePath(id), 'utf8');
    cache.set(id, text);
  }
  return JSON.parse(text) as BlueprintInput;
}

/**
 * Fresh copies of several templates (default: all of them, which is what the full sales cycle needs:
 * a lead converts to customer, contact and deal; a deal drafts a contract; a signed contract gets a
 * payment plan; a delivered order asks for feedback).
 *
 * @example
 * ```ts
 * const engine = createEngine({ storage, blueprints: loadTemplates(), plugins: [createLinkRules(fullCycleLinkRules).plugin] })
 * ```
 */
export function loadTemplates(ids: readonly TemplateId[] = TEMPLATE_IDS): BlueprintInput[] {
  return ids.map((id) => loadTemplate(id));
}
