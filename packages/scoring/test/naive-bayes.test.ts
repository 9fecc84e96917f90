import { describe, expect, it } from 'vitest';
import { fitScoring, scoreRecord } from '../src/index.js';
import type { FeatureSpec, NaiveBayesModel } from '../src/index.js';
import { STAGES, closedDeal, collect } from './helpers.js';

const features: FeatureSpec[] = [
  { name: 'size', kind: 'categorical', source: 'fields.size' },
  { name: 'src', kind: 'categorical', source: 'fields.src' },
];

// Five closed deals (alpha = 1):
//   r1 big/web won, r2 big/ref won, r3 small/web lost, r4 big/web lost, r5 small/ref won
// Nw = 3, Nl = 2; prior odds (Nw+1)/(Nl+1) = 4/3.
// size: 2 values seen, so denominators won 3+1·(2+1) = 6, lost 2+1·3 = 5.
//   big: won 2, lost 1 -> P(big|won) = 3/6 = 1/2, P(big|lost) = 2/5 -> ratio 5/4
//   unseen 'huge': P = 1/6 vs 1/5 -> ratio 5/6
// src: web won 1, lost 2 -> (2/6)/(3/5) = 5/9; ref won 2, lost 0 -> (3/6)/(1/5) = 5/2
// big + web: odds 4/3 · 5/4 · 5/9 = 25/27 -> p = 25/52
// huge + ref: odds 4/3 · 5/6 · 5/2 = 25/9 -> p = 25/34
const deals = collect([
  closedDeal('r1', { size: 'big', src: 'web' }, true, '2024-02-01T00:00:00.000Z'),
  closedDeal('r2', { size: 'big', src: 'ref' }, true, '2024-02-02T00:00:00.000Z'),
  closedDeal('r3', { size: 'small', src: 'web' }, false, '2024-02-03T00:00:00.000Z'),
  closedDeal('r4', { size: 'big', src: 'web' }, false, '2024-02-04T00:00:00.000Z'),
  closedDeal('r5', { size: 'small', src: 'ref' }, true, '2024-02-05T00:00:00.000Z'),
]);
const open = (id: string, fields: Record<string, unknown>) => ({
  ...deals.records[0]!,
  id,
  stage: 'qualified',
  fields,
});

describe('naive Bayes with Laplace smoothing (hand-computed)', () => {
  const model = fitScoring({ ...deals, features, stages: STAGES, method: 'naive-bayes', asOf: '2024-03-01' }) as NaiveBayesModel;

  it('counts outcomes per value', () => {
    expect(model.classCounts).toEqual({ won: 3, lost: 2 });
    expect(model.counts['size']).toEqual({ big: [2, 1], small: [1, 1] });
    expect(model.counts['src']).toEqual({ ref: [2, 0], web: [1, 2] });
    expect(model.training).toMatchObject({ examples: 5, won: 3, lost: 2 });
  });

  it('scores a seen combination as 25/52', () => {
    const s = scoreRecord(model, open('x', { size: 'big', src: 'web' }), { asOf: '2024-03-01' });
    expect(s.probability).toBeCloseTo(25 / 52, 12);
    expect(s.base).toBeCloseTo(Math.log(4 / 3), 12);
    expect(s.contributions).toEqual([
      { feature: 'size', value: 'big', logOdds: expect.closeTo(Math.log(5 / 4), 12) },
      { feature: 'src', value: 'web', logOdds: expect.closeTo(Math.log(5 / 9), 12) },
    ]);
  });

  it('gives an unseen value the smoothed share: 25/34', () => {
    const s = scoreRecord(model, open('y', { size: 'huge', src: 'ref' }), { asOf: '2024-03-01' });
    expect(s.probability).toBeCloseTo(25 / 34, 12);
  });

  it('ignores outcomes after asOf (only r1..r3 closed by Feb 3)', () => {
    const early = fitScoring({ ...deals, features, stages: STAGES, method: 'naive-bayes', asOf: '2024-02-03T00:00:00.000Z' }) as NaiveBayesModel;
    expect(early.classCounts).toEqual({ won: 2, lost: 1 });
    expect(early.fittedAt).toBe('2024-02-03T00:00:00.000Z');
  });
});
