import { describe, expect, it } from 'vitest';
import { createRuleEngine } from '@dealflow/logic';
import { createRuleScorer, explainScore, fitScoring, scoringPlugin } from '../src/index.js';
import type { ScoreCriterion } from '../src/index.js';
import { STAGES, buildRecord, closedDeal, collect } from './helpers.js';

const criteria: ScoreCriterion[] = [
  { id: 'enterprise', when: { '>=': [{ var: 'fields.employees' }, 1000] }, points: 30, reason: 'Enterprise account (1000+ employees)' },
  { id: 'repeat', when: { '>': [{ var: 'fields.pastOrders' }, 0] }, points: 20, reason: 'Has bought before' },
  { id: 'urgent', when: { '==': [{ var: 'fields.urgency' }, 'high'] }, points: 25, reason: 'Urgent need' },
  { id: 'student', when: { '==': [{ var: 'fields.sector' }, 'education'] }, points: -10, reason: 'Education sector' },
];

const lead = (fields: Record<string, unknown>) => buildRecord('L-1', '2024-01-01T00:00:00.000Z', fields).record;

describe('rule-based score', () => {
  const scorer = createRuleScorer({ criteria });

  it('sums the points of the criteria that fired and lists them', () => {
    const s = scorer.scoreRecord(lead({ employees: 5000, pastOrders: 0, urgency: 'high', sector: 'education' }), '2024-01-02T00:00:00.000Z');
    expect(s.points).toBe(30 + 25 - 10);
    expect(s.fired.map((f) => f.id)).toEqual(['enterprise', 'urgent', 'student']);
    expect(s.fired[0]).toEqual({ index: 0, id: 'enterprise', points: 30, reason: 'Enterprise account (1000+ employees)' });
    expect(scorer.scoreRecord(lead({}), '2024-01-02T00:00:00.000Z')).toEqual({ points: 0, fired: [] });
  });

  it('knows which fields the criteria read', () => {
    expect(scorer.reads).toEqual(['fields.employees', 'fields.pastOrders', 'fields.sector', 'fields.urgency']);
  });

  it('can read the record view and a custom operator of the given rule engine', () => {
    const ruleEngine = createRuleEngine({ operators: { isVip: (name: unknown) => name === 'ACME' } });
    const s = createRuleScorer({
      ruleEngine,
      criteria: [
        { when: { isVip: [{ var: 'fields.company' }] }, points: 50, reason: 'VIP' },
        { when: { '==': [{ var: 'record.stage' }, 'new'] }, points: 1, reason: 'Fresh' },
      ],
    });
    expect(s.scoreRecord(lead({ company: 'ACME' })).points).toBe(51);
  });

  it('rejects bad criteria all at once, with paths', () => {
    try {
      createRuleScorer({
        fields: ['employees'],
        criteria: [
          { when: { '>=': [{ var: 'fields.employees' }, 1] }, points: Number.NaN, reason: '' },
          { when: { frobnicate: [1] }, points: 1, reason: 'x' },
          { when: { '==': [{ var: 'fields.budget' }, 1] }, points: 1, reason: 'y' },
        ],
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'RULE_INVALID' });
      const problems = (e as { problems: { path: string; message: string }[] }).problems;
      const paths = problems.map((p) => p.path);
      expect(paths).toEqual(expect.arrayContaining(['$.criteria[0].points', '$.criteria[0].reason']));
      expect(paths.some((p) => p.startsWith('$.criteria[1].when'))).toBe(true);
      expect(problems.find((p) => p.path === '$.criteria[2].when')?.message).toContain("undeclared field 'budget'");
    }
  });

  it('explainScore re-evaluates with a scorer, or reads what the plugin stored', () => {
    const r = lead({ employees: 2000 });
    expect(explainScore(r, scorer).map((f) => f.reason)).toEqual(['Enterprise account (1000+ employees)']);
    expect(explainScore(r)).toEqual([]);
  });
});

describe('scoringPlugin (engine hook, driven directly)', () => {
  const at = '2024-01-05T00:00:00.000Z';
  const event = (recordId: string) => [{ tenantId: 't1', id: 'e', recordId, seq: 2, at, kind: 'fields', data: {} }];

  it('scores a new record, and rescoring happens only when a read field changes', async () => {
    const plugin = scoringPlugin({ criteria, scoreField: 'leadScore' });
    const after = lead({ employees: 5000 });
    await plugin.beforeCommit({ before: null, after, events: event('L-1') });
    expect(after.meta).toMatchObject({ score: 30, scoredAt: at });
    expect(after.fields['leadScore']).toBe(30);
    expect(explainScore(after).map((f) => f.id)).toEqual(['enterprise']);

    // unrelated field changes: nothing is rewritten
    const before = structuredClone(after);
    const next = { ...structuredClone(after), fields: { ...after.fields, note: 'called' } };
    next.meta = { ...next.meta, scoredAt: 'untouched' };
    await plugin.beforeCommit({ before, after: next, events: event('L-1') });
    expect(next.meta['scoredAt']).toBe('untouched');

    // a read field changes: rescored
    const urgent = { ...structuredClone(after), fields: { ...after.fields, urgency: 'high' } as Record<string, unknown> };
    await plugin.beforeCommit({ before, after: urgent, events: event('L-1') });
    expect(urgent.meta['score']).toBe(55);
    expect(urgent.fields['leadScore']).toBe(55);
  });

  it('writes the learned win probability when given a model, and watches its inputs', async () => {
    const train = collect([
      closedDeal('a', { sector: 'retail' }, true, '2024-01-02T00:00:00.000Z'),
      closedDeal('b', { sector: 'retail' }, true, '2024-01-02T00:00:00.000Z'),
      closedDeal('c', { sector: 'education' }, false, '2024-01-02T00:00:00.000Z'),
    ]);
    const model = fitScoring({ ...train, stages: STAGES, method: 'naive-bayes', asOf: '2024-01-03', features: [{ name: 'sector', kind: 'categorical', source: 'fields.sector' }] });
    const plugin = scoringPlugin({ criteria, model, probabilityField: 'winProbability' });
    expect(plugin.watches).toContain('fields.sector');
    const retail = lead({ sector: 'retail' });
    const edu = lead({ sector: 'education' });
    await plugin.beforeCommit({ before: null, after: retail, events: event('L-1') });
    await plugin.beforeCommit({ before: null, after: edu, events: event('L-1') });
    expect(retail.meta['winProbability']).toBeGreaterThan(edu.meta['winProbability'] as number);
    expect(retail.fields['winProbability']).toBe(retail.meta['winProbability']);
  });
});
