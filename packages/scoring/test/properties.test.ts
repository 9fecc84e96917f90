import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRuleScorer, fitScoring } from '../src/index.js';
import type { FeatureSpec, ScoreCriterion } from '../src/index.js';
import { STAGES, buildRecord, collect } from './helpers.js';
import type { Step } from './helpers.js';

const DAY = 86_400_000;
const T0 = Date.parse('2024-01-01T00:00:00.000Z');
const iso = (day: number) => new Date(T0 + day * DAY).toISOString();

// A random deal: created on some day with a tier; later steps through open stages and maybe a
// close, each step possibly changing the tier and the amount.
const stepArb = fc.record({
  gap: fc.integer({ min: 1, max: 20 }),
  to: fc.constantFrom('qualified', 'proposal', 'won', 'lost'),
  tier: fc.option(fc.constantFrom('free', 'pro', 'enterprise'), { nil: undefined }),
  amount: fc.option(fc.integer({ min: 0, max: 20000 }), { nil: undefined }),
});
const dealArb = fc.record({
  start: fc.integer({ min: 0, max: 60 }),
  tier: fc.constantFrom('free', 'pro', 'enterprise'),
  steps: fc.array(stepArb, { maxLength: 4 }),
});

function buildDeals(deals: { start: number; tier: string; steps: { gap: number; to: string; tier?: string; amount?: number }[] }[]) {
  return collect(
    deals.map((d, i) => {
      let day = d.start;
      const steps: Step[] = [];
      for (const s of d.steps) {
        day += s.gap;
        const fields: Record<string, unknown> = {};
        if (s.tier !== undefined) fields['tier'] = s.tier;
        if (s.amount !== undefined) fields['amount'] = s.amount;
        steps.push({ to: s.to, at: iso(day), ...(Object.keys(fields).length ? { fields } : {}) });
        if (s.to === 'won' || s.to === 'lost') break;
      }
      return buildRecord(`d${i}`, iso(d.start), { tier: d.tier }, steps, `rep-${i % 3}`);
    }),
  );
}

const features: FeatureSpec[] = [
  { name: 'tier', kind: 'categorical', source: 'fields.tier' },
  { name: 'amount', kind: 'numeric', source: 'fields.amount', bands: [1000, 10000] },
  { name: 'age', kind: 'numeric', source: 'ageInStageDays', bands: [5, 15] },
  { name: 'reached', kind: 'categorical', source: 'stageReached' },
  { name: 'rep', kind: 'categorical', source: 'ownerId' },
];

describe('time-honesty (property-based)', () => {
  it('a fit as of T is the same whether or not events after T exist', () => {
    fc.assert(
      fc.property(fc.array(dealArb, { minLength: 2, maxLength: 25 }), fc.integer({ min: 10, max: 120 }), fc.constantFrom('naive-bayes' as const, 'logistic' as const), (deals, cut, method) => {
        const data = buildDeals(deals);
        const asOf = iso(cut);
        const known = data.history.filter((e) => e.at <= asOf);
        const fit = (history: typeof data.history) => {
          try {
            return JSON.stringify(fitScoring({ records: data.records, history, features, stages: STAGES, method, asOf }));
          } catch (e) {
            return `error:${(e as { code?: string }).code}`;
          }
        };
        expect(fit(data.history)).toBe(fit(known));
      }),
      { numRuns: 60 },
    );
  });
});

describe('rule score (property-based)', () => {
  it('equals the sum of the points of the criteria whose condition holds', () => {
    const criterionArb = fc.record({ threshold: fc.integer({ min: 0, max: 100 }), points: fc.integer({ min: -50, max: 50 }) });
    fc.assert(
      fc.property(fc.array(criterionArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 100 }), (cs, value) => {
        const criteria: ScoreCriterion[] = cs.map((c, i) => ({
          id: `c${i}`,
          when: { '>=': [{ var: 'fields.x' }, c.threshold] },
          points: c.points,
          reason: `x >= ${c.threshold}`,
        }));
        const scorer = createRuleScorer({ criteria });
        const record = buildRecord('r', iso(0), { x: value }).record;
        const got = scorer.scoreRecord(record, iso(1));
        const firing = cs.map((c, i) => ({ ...c, i })).filter((c) => value >= c.threshold);
        expect(got.points).toBe(firing.reduce((s, c) => s + c.points, 0));
        expect(got.fired.map((f) => f.index)).toEqual(firing.map((c) => c.i));
      }),
    );
  });
});
