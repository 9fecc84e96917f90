import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEngine, createMemoryDirectory, createMemoryStorage, defineProcess, isDealflowError, lintBlueprint, processRulesSchema } from '@dealflow/core';
import { SALES_RULES_IDS, TEMPLATE_IDS, loadAllSalesRules, loadSalesRules, loadTemplate, loadTemplates, mergeSalesRules, salesRulesPath, workweekCalendar } from '@dealflow/templates';

describe('preset sales rules', () => {
  it.each(SALES_RULES_IDS)('%s: a template id; the file is valid rules JSON that compiles with the templates', (id) => {
    expect(TEMPLATE_IDS).toContain(id);
    const rules = JSON.parse(readFileSync(salesRulesPath(id), 'utf8')) as unknown;
    expect(processRulesSchema.safeParse(rules).success).toBe(true);
    // createEngine compiles every rule (JSON-logic, calendars, paths) and refuses on any problem
    expect(() => createEngine({ storage: createMemoryStorage(), blueprints: loadTemplates(), rules: loadSalesRules(id), directory: createMemoryDirectory() })).not.toThrow();
  });

  it('every template ships a preset', () => {
    expect([...SALES_RULES_IDS].sort()).toEqual([...TEMPLATE_IDS].sort());
  });

  it.each(SALES_RULES_IDS)('%s: the template linted with its preset has no finding at all', (id) => {
    expect(lintBlueprint(loadTemplate(id), loadSalesRules(id))).toEqual([]);
  });

  it('all presets merge into one process file that passes defineProcess', () => {
    const rules = loadAllSalesRules();
    expect(() => defineProcess({ blueprints: loadTemplates(), calendars: [workweekCalendar()], rules })).not.toThrow();
    // each section's rules stay limited to its record types
    const assignment = rules.assignment as { types: string[]; rules: Array<{ id: string; when?: unknown }> };
    expect(assignment.types.sort()).toEqual(['deal', 'feedback', 'lead']);
    expect(assignment.rules.find((r) => r.id === 'lead.pool')!.when).toEqual({ in: [{ var: 'record.type' }, ['lead']] });
    expect(assignment.rules.at(-1)!.when).toBeUndefined();
    expect((rules.duplicates as { types: string[] }).types.sort()).toEqual(['contact', 'lead']);
  });

  it('merging refuses what it cannot combine, naming the section', () => {
    const lead = loadSalesRules('lead');
    const other = { pool: { types: ['deal'], cooldown: 'P1D' } };
    let err: unknown;
    try {
      mergeSalesRules([lead, other]);
    } catch (e) {
      err = e;
    }
    expect(isDealflowError(err, 'RULE_INVALID')).toBe(true);
    expect((err as { problems: Array<{ path: string }> }).problems[0]!.path).toBe('[1].pool');
    expect(() => mergeSalesRules([lead, lead])).toThrow(/rule id 'lead.no-follow-up' is used twice/);
    expect(() => loadSalesRules('invoice' as never)).toThrow(/no sales rules for 'invoice'/);
  });

  it('loadSalesRules returns independent copies', () => {
    const a = loadSalesRules('quote');
    (a.approvals as unknown[]).length = 0;
    expect((loadSalesRules('quote').approvals as unknown[]).length).toBe(1);
  });
});
