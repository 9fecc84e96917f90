import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DealflowError } from '@dealflow/core';
import type { CalendarSpec, SalesRulesInput } from '@dealflow/core';
import { loadTemplate } from './catalog.js';

/**
 * Every template ships a preset sales-rules file (`rules/<id>.rules.json`): routing by region and
 * product, "no follow-up in 3 working days → next rep → pool", duplicate keys, discount approvals,
 * complaint routing with SLAs, stalled-onboarding and dormant-customer reminders, contract approval
 * and signature chasing, delayed-order escalation, cancellation and write-off approvals, overdue
 * escalation.
 */
export const SALES_RULES_IDS = ['lead', 'contact', 'customer', 'deal-b2b', 'deal-project', 'quote', 'order', 'contract', 'payment-plan', 'feedback', 'instalment'] as const;

/** A template that ships a preset sales-rules file. */
export type SalesRulesId = (typeof SALES_RULES_IDS)[number];

/** Absolute path of a template's preset sales-rules file. */
export function salesRulesPath(id: SalesRulesId): string {
  return fileURLToPath(new URL(`../rules/${id}.rules.json`, import.meta.url));
}

/**
 * A fresh copy of one template's preset sales rules (the `rules` option of `createEngine`).
 *
 * @example
 * ```ts
 * const engine = createEngine({ storage, blueprints: [loadTemplate('lead')], rules: loadSalesRules('lead'), directory })
 * ```
 */
export function loadSalesRules(id: SalesRulesId): SalesRulesInput {
  if (typeof id !== 'string' || !(SALES_RULES_IDS as readonly string[]).includes(id)) {
    throw new DealflowError('NOT_FOUND', `loadSalesRules: no sales rules for '${String(id)}'; known: ${SALES_RULES_IDS.join(', ')}`, { details: { id } });
  }
  return JSON.parse(readFileSync(salesRulesPath(id), 'utf8')) as SalesRulesInput;
}

/**
 * The working-week calendar the templates count business time on (`cn-workweek`: Monday to
 * Friday, 09:00–18:00, Asia/Shanghai). The lead template declares it; rules of other templates
 * name it too, so pass it to `createEngine({ calendars })` when the lead template is not loaded.
 * Copy and change it (holidays, time zone) for your country.
 *
 * @example
 * ```ts
 * const cal = workweekCalendar()
 * cal.holidays = ['2026-10-01']
 * createEngine({ storage, blueprints, calendars: [cal], rules: loadAllSalesRules(), directory })
 * ```
 */
export function workweekCalendar(): CalendarSpec {
  const cal = loadTemplate('lead').calendars?.[0];
  if (!cal) throw new DealflowError('NOT_FOUND', 'workweekCalendar: the lead template declares no calendar');
  return cal as CalendarSpec;
}

type Rule = { id: string; when?: unknown } & Record<string, unknown>;
type AssignmentSection = { types?: string[]; rules: Rule[] } & Record<string, unknown>;

function invalid(message: string, path: string): never {
  throw new DealflowError('RULE_INVALID', `mergeSalesRules: ${path} ${message}`, { problems: [{ path, message, code: 'merge_conflict' }] });
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Merges several sales-rules objects into one engine's rules. Assignment rules keep their order,
 * each limited to its own section's record types (a section's default rule stays that type's
 * default); escalations and approvals are concatenated (ids must differ); pool and duplicate-key
 * sections must agree on everything but their record types, which are united. A conflict fails
 * with `RULE_INVALID` naming the section.
 *
 * @example
 * ```ts
 * const rules = mergeSalesRules([loadSalesRules('lead'), myOwnRules])
 * ```
 */
export function mergeSalesRules(parts: readonly SalesRulesInput[]): SalesRulesInput {
  const out: SalesRulesInput = {};
  const assignments = parts.map((p) => p.assignment as AssignmentSection | undefined).filter((a): a is AssignmentSection => a !== undefined);
  if (assignments.length === 1) out.assignment = structuredClone(assignments[0]);
  else if (assignments.length > 1) {
    const rules: Rule[] = [];
    const types = new Set<string>();
    assignments.forEach((a, i) => {
      if (!a.types || a.types.length === 0) invalid('every merged assignment section needs its record types (types)', `[${i}].assignment.types`);
      for (const t of a.types) types.add(t);
      for (const r of a.rules) {
        const only = { in: [{ var: 'record.type' }, a.types] };
        rules.push({ ...structuredClone(r), when: r.when === undefined ? only : { and: [only, structuredClone(r.when)] } });
      }
    });
    rules.push({ id: 'templates.default', description: 'Never reached: every section ends with a default for its types.', assign: { strategy: 'pool', pool: 'general' } });
    const extra = Object.fromEntries(assignments.flatMap((a) => Object.entries(a).filter(([k]) => k !== 'rules' && k !== 'types')));
    out.assignment = { ...extra, types: [...types], rules };
  }
  for (const key of ['escalations', 'approvals'] as const) {
    const all = parts.flatMap((p) => (Array.isArray(p[key]) ? (structuredClone(p[key]) as Rule[]) : []));
    if (all.length === 0) continue;
    const seen = new Set<string>();
    all.forEach((r, i) => {
      if (seen.has(r.id)) invalid(`rule id '${r.id}' is used twice`, `$.${key}[${i}].id`);
      seen.add(r.id);
    });
    out[key] = all;
  }
  for (const key of ['pool', 'duplicates'] as const) {
    const all = parts.map((p) => p[key] as ({ types?: string[] } & Record<string, unknown>) | undefined).filter((x) => x !== undefined);
    if (all.length === 0) continue;
    const { types: _t, ...first } = all[0]!;
    void _t;
    for (const [i, s] of all.entries()) {
      const { types: _x, ...rest } = s;
      void _x;
      if (!sameJson(rest, first)) invalid(`differs from the first ${key} section in more than its types; merge them by hand`, `[${i}].${key}`);
    }
    const types = all.some((s) => !s.types) ? undefined : [...new Set(all.flatMap((s) => s.types!))];
    out[key] = { ...structuredClone(first), ...(types ? { types } : {}) };
  }
  const permissions = parts.filter((p) => p.permissions !== undefined);
  if (permissions.length > 1) invalid('more than one permissions section; merge them by hand', '$.permissions');
  if (permissions.length === 1) out.permissions = structuredClone(permissions[0]!.permissions);
  return out;
}

/**
 * Every template's preset sales rules merged into one (default: all of them).
 *
 * @example
 * ```ts
 * const engine = createEngine({ storage, blueprints: loadTemplates(), rules: loadAllSalesRules(), directory })
 * ```
 */
export function loadAllSalesRules(ids: readonly SalesRulesId[] = SALES_RULES_IDS): SalesRulesInput {
  return mergeSalesRules(ids.map((id) => loadSalesRules(id)));
}
