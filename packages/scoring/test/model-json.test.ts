import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitScoring, parseScoringModel, probabilityFor, scoreRecord } from '../src/index.js';
import type { FeatureSpec, ScoringMethod } from '../src/index.js';
import { STAGES, closedDeal, collect } from './helpers.js';

const features: FeatureSpec[] = [
  { name: 'tier', kind: 'categorical', source: 'fields.tier' },
  { name: 'amount', kind: 'numeric', source: 'fields.amount', bands: [1000, 10000] },
  { name: 'rep', kind: 'categorical', source: 'ownerId' },
];

const deal = fc.record({
  tier: fc.constantFrom('free', 'pro', 'enterprise', null),
  amount: fc.option(fc.integer({ min: 0, max: 50000 }), { nil: null }),
  won: fc.boolean(),
  day: fc.integer({ min: 0, max: 27 }),
});
const dataset = fc
  .array(deal, { minLength: 2, maxLength: 40 })
  .filter((ds) => ds.some((d) => d.won) && ds.some((d) => !d.won));

function build(ds: { tier: string | null; amount: number | null; won: boolean; day: number }[]) {
  return collect(
    ds.map((d, i) => closedDeal(`d${i}`, { tier: d.tier, amount: d.amount }, d.won, new Date(Date.UTC(2024, 1, 1 + d.day)).toISOString())),
  );
}

describe.each<ScoringMethod>(['naive-bayes', 'logistic'])('%s model as JSON', (method) => {
  it('is deterministic, survives JSON and parseScoringModel, and gives probabilities in (0, 1)', () => {
    fc.assert(
      fc.property(dataset, (ds) => {
        const data = build(ds);
        const opts = { ...data, features, stages: STAGES, method, asOf: '2024-03-01' };
        const model = fitScoring(opts);
        expect(JSON.stringify(fitScoring(opts))).toBe(JSON.stringify(model));
        const restored = parseScoringModel(JSON.stringify(model));
        expect(restored).toEqual(model);
        for (const r of data.records) {
          const p = probabilityFor(model, r, { asOf: '2024-03-01' });
          expect(p).toBeGreaterThan(0);
          expect(p).toBeLessThan(1);
          expect(probabilityFor(restored, r, { asOf: '2024-03-01' })).toBe(p);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('does not depend on the order of the records', () => {
    fc.assert(
      fc.property(dataset, (ds) => {
        const data = build(ds);
        const a = fitScoring({ ...data, features, stages: STAGES, method, asOf: '2024-03-01' });
        const b = fitScoring({ ...data, records: [...data.records].reverse(), features, stages: STAGES, method, asOf: '2024-03-01' });
        for (const r of data.records) {
          expect(probabilityFor(b, r, { asOf: '2024-03-01' })).toBeCloseTo(probabilityFor(a, r, { asOf: '2024-03-01' }), 9);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('records its feature list and fit date', () => {
    const model = fitScoring({ ...build([{ tier: 'pro', amount: 5, won: true, day: 1 }, { tier: 'free', amount: 5, won: false, day: 2 }]), features, stages: STAGES, method, asOf: new Date('2024-03-01T00:00:00Z') });
    expect(model).toMatchObject({ format: 'dealflow.scoring-model', formatVersion: 1, method, fittedAt: '2024-03-01T00:00:00.000Z', features });
    const s = scoreRecord(model, { ...closedDeal('x', { tier: 'pro', amount: 20000 }, true, '2024-02-01T00:00:00.000Z').record, stage: 'new' });
    expect(s.contributions.map((c) => [c.feature, c.value])).toEqual([
      ['tier', 'pro'],
      ['amount', '>=10000'],
      ['rep', 'rep-1'],
    ]);
  });
});

describe('parseScoringModel', () => {
  it('rejects broken JSON and wrong shapes with paths', () => {
    expect(() => parseScoringModel('{')).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    try {
      parseScoringModel({ format: 'dealflow.scoring-model', formatVersion: 1, method: 'logistic', intercept: 'x' });
      expect.unreachable();
    } catch (e) {
      const paths = (e as { problems: { path: string }[] }).problems.map((p) => p.path);
      expect(paths).toEqual(expect.arrayContaining(['$.intercept', '$.features']));
    }
  });
});
