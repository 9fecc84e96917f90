import { describe, expect, it } from 'vitest';
import { fitScoring, scoreRecord } from '../src/index.js';
import type { LogisticModel } from '../src/index.js';
import { STAGES, closedDeal, collect } from './helpers.js';

const at = (i: number) => new Date(Date.UTC(2024, 1, 1 + i)).toISOString();

describe('logistic regression (hand-computed)', () => {
  it('with a constant feature, learns the base rate: intercept ln 3, weight 0', () => {
    // 3 won, 1 lost, all with g = 'x'. Gradient for the intercept: 4σ(b+w) − 3 = 0; for w:
    // 4σ(b+w) − 3 + l2·w = 0, so w = 0 and σ(b) = 3/4, b = ln 3.
    const deals = collect([true, true, true, false].map((won, i) => closedDeal(`c${i}`, { g: 'x' }, won, at(i))));
    const model = fitScoring({
      ...deals,
      stages: STAGES,
      method: 'logistic',
      l2: 1,
      asOf: '2024-03-01',
      features: [{ name: 'g', kind: 'categorical', source: 'fields.g' }],
    }) as LogisticModel;
    expect(model.converged).toBe(true);
    expect(model.intercept).toBeCloseTo(Math.log(3), 8);
    expect(model.weights['g']?.['x']).toBeCloseTo(0, 8);
  });

  it('with two symmetric groups and l2 = 1, solves 4σ(w) + w = 3 (w ≈ 0.50524)', () => {
    // Group a: 3 won, 1 lost; group b: 1 won, 3 lost. By symmetry b = 0 and w_b = −w_a = −w.
    // Gradient for w_a: Σ_a (σ(w) − y) + 1·w = 4σ(w) − 3 + w = 0. Newton by hand from w = 0.5:
    // f(0.5) = 4·0.62246 − 3 + 0.5 = −0.0102, f'(0.5) = 4·0.62246·0.37754 + 1 = 1.94000,
    // w = 0.5 + 0.0102/1.94 = 0.50524; σ(0.50524) = 0.62369.
    const groups: [string, boolean][] = [
      ['a', true], ['a', true], ['a', true], ['a', false],
      ['b', true], ['b', false], ['b', false], ['b', false],
    ];
    const deals = collect(groups.map(([g, won], i) => closedDeal(`d${i}`, { g }, won, at(i))));
    const model = fitScoring({
      ...deals,
      stages: STAGES,
      method: 'logistic',
      l2: 1,
      asOf: '2024-03-01',
      features: [{ name: 'g', kind: 'categorical', source: 'fields.g' }],
    }) as LogisticModel;
    expect(model.intercept).toBeCloseTo(0, 8);
    expect(model.weights['g']?.['a']).toBeCloseTo(0.50524, 4);
    expect(model.weights['g']?.['b']).toBeCloseTo(-0.50524, 4);
    const rec = { ...deals.records[0]!, stage: 'new', fields: { g: 'a' } };
    expect(scoreRecord(model, rec, { asOf: '2024-03-01' }).probability).toBeCloseTo(0.62369, 4);
    // An unseen value weighs 0: back to the intercept, p = 1/2.
    expect(scoreRecord(model, { ...rec, fields: { g: 'zzz' } }, { asOf: '2024-03-01' }).probability).toBeCloseTo(0.5, 8);
  });
});
