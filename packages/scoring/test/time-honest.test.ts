import { describe, expect, it } from 'vitest';
import { closedOutcome, fitScoring, groupHistory, recordAsOf, scoreRecord } from '../src/index.js';
import type { FeatureSpec, NaiveBayesModel } from '../src/index.js';
import { STAGES, buildRecord, closedDeal, collect } from './helpers.js';

describe('time-honest fitting', () => {
  it('computes features as the record stood just before it closed (a value set at close is unseen)', () => {
    // amount is set by the closing transition itself; before the close it was missing.
    const deals = collect([
      buildRecord('w', '2024-01-01T00:00:00.000Z', { src: 'web' }, [{ to: 'won', at: '2024-02-01T00:00:00.000Z', fields: { amount: 5000 } }]),
      buildRecord('l', '2024-01-01T00:00:00.000Z', { src: 'web' }, [{ to: 'lost', at: '2024-02-01T00:00:00.000Z', fields: { amount: 0 } }]),
    ]);
    const model = fitScoring({
      ...deals,
      stages: STAGES,
      method: 'naive-bayes',
      asOf: '2024-03-01',
      features: [{ name: 'amount', kind: 'numeric', source: 'fields.amount', bands: [1000] }],
    }) as NaiveBayesModel;
    expect(model.counts['amount']).toEqual({ '(missing)': [1, 1] });
  });

  it('measures age in stage at the close and takes the stage reached from history', () => {
    // new (Jan 1) -> qualified (Jan 11) -> proposal (Jan 21) -> won (Feb 20): 30 days in proposal.
    const won = buildRecord('a', '2024-01-01T00:00:00.000Z', {}, [
      { to: 'qualified', at: '2024-01-11T00:00:00.000Z' },
      { to: 'proposal', at: '2024-01-21T00:00:00.000Z' },
      { to: 'won', at: '2024-02-20T00:00:00.000Z' },
    ]);
    // new (Jan 1) -> lost (Jan 3): 2 days in new.
    const lost = buildRecord('b', '2024-01-01T00:00:00.000Z', {}, [{ to: 'lost', at: '2024-01-03T00:00:00.000Z' }]);
    const features: FeatureSpec[] = [
      { name: 'age', kind: 'numeric', source: 'ageInStageDays', bands: [7, 30] },
      { name: 'reached', kind: 'categorical', source: 'stageReached' },
    ];
    const model = fitScoring({ ...collect([won, lost]), stages: STAGES, method: 'naive-bayes', asOf: '2024-03-01', features }) as NaiveBayesModel;
    expect(model.counts['age']).toEqual({ '<7': [0, 1], '>=30': [1, 0] });
    expect(model.counts['reached']).toEqual({ new: [0, 1], proposal: [1, 0] });
  });

  it('with sampleEveryDays, learns from every open snapshot of each closed record', () => {
    // won: created Jan 1, won Jan 20 -> snapshots Jan 1, 8, 15 (ages 0, 7, 14 days in 'new')
    // lost: created Jan 1, lost Jan 3 -> one snapshot, Jan 1 (age 0)
    const deals = collect([
      buildRecord('w', '2024-01-01T00:00:00.000Z', {}, [{ to: 'won', at: '2024-01-20T00:00:00.000Z' }]),
      buildRecord('l', '2024-01-01T00:00:00.000Z', {}, [{ to: 'lost', at: '2024-01-03T00:00:00.000Z' }]),
    ]);
    const model = fitScoring({
      ...deals,
      stages: STAGES,
      method: 'naive-bayes',
      asOf: '2024-03-01',
      sampleEveryDays: 7,
      features: [{ name: 'age', kind: 'numeric', source: 'ageInStageDays', bands: [7] }],
    }) as NaiveBayesModel;
    expect(model.training).toMatchObject({ examples: 2, won: 1, lost: 1, sampleEveryDays: 7, snapshots: 4 });
    expect(model.classCounts).toEqual({ won: 3, lost: 1 });
    expect(model.counts['age']).toEqual({ '<7': [1, 1], '>=7': [2, 0] });
  });

  it('a record closed after asOf is not an example, and one reopened before asOf is open', () => {
    const deals = collect([
      closedDeal('early-won', { g: 'a' }, true, '2024-02-01T00:00:00.000Z'),
      closedDeal('early-lost', { g: 'a' }, false, '2024-02-02T00:00:00.000Z'),
      closedDeal('late', { g: 'b' }, true, '2024-04-01T00:00:00.000Z'),
      buildRecord('reopened', '2024-01-01T00:00:00.000Z', { g: 'c' }, [
        { to: 'lost', at: '2024-02-01T00:00:00.000Z' },
        { to: 'qualified', at: '2024-02-10T00:00:00.000Z' },
      ]),
    ]);
    const model = fitScoring({
      ...deals,
      stages: STAGES,
      method: 'naive-bayes',
      asOf: '2024-03-01',
      features: [{ name: 'g', kind: 'categorical', source: 'fields.g' }],
    }) as NaiveBayesModel;
    expect(model.training).toMatchObject({ examples: 2, won: 1, lost: 1 });
    expect(Object.keys(model.counts['g'] ?? {})).toEqual(['a']);
    // the reopened record was closed (lost) as of Feb 5, and open again as of Mar 1
    const reopened = deals.history.filter((e) => e.recordId === 'reopened');
    expect(closedOutcome(reopened, STAGES, '2024-02-05T00:00:00.000Z')?.won).toBe(false);
    expect(closedOutcome(reopened, STAGES, '2024-03-01T00:00:00.000Z')).toBeNull();
  });

  it('fails whole with DATA_INVALID when only one outcome is known by asOf', () => {
    const deals = collect([closedDeal('w', { g: 'a' }, true, '2024-02-01T00:00:00.000Z'), closedDeal('l', { g: 'a' }, false, '2024-05-01T00:00:00.000Z')]);
    expect(() =>
      fitScoring({ ...deals, stages: STAGES, method: 'logistic', asOf: '2024-03-01', features: [{ name: 'g', kind: 'categorical', source: 'fields.g' }] }),
    ).toThrow(expect.objectContaining({ code: 'DATA_INVALID', message: expect.stringContaining('1 won and 0 lost') }));
  });

  it('rebuilds fields and stage as of a date; scoring with history uses that view', () => {
    const b = buildRecord('r', '2024-01-01T00:00:00.000Z', { tier: 'free' }, [
      { to: 'qualified', at: '2024-01-10T00:00:00.000Z', fields: { tier: 'pro' } },
    ]);
    const view = recordAsOf(b.record, b.history, '2024-01-05T00:00:00.000Z');
    expect(view.record.stage).toBe('new');
    expect(view.record.fields).toEqual({ tier: 'free' });
    expect(recordAsOf(b.record, b.history, '2024-01-10T00:00:00.000Z').record.fields).toEqual({ tier: 'pro' });

    const train = collect([
      closedDeal('p1', { tier: 'pro' }, true, '2024-02-01T00:00:00.000Z'),
      closedDeal('f1', { tier: 'free' }, false, '2024-02-01T00:00:00.000Z'),
    ]);
    const model = fitScoring({ ...train, stages: STAGES, method: 'naive-bayes', asOf: '2024-03-01', features: [{ name: 'tier', kind: 'categorical', source: 'fields.tier' }] });
    const then = scoreRecord(model, b.record, { history: b.history, asOf: '2024-01-05T00:00:00.000Z' });
    const now = scoreRecord(model, b.record, { history: b.history, asOf: '2024-03-01T00:00:00.000Z' });
    expect(then.contributions[0]?.value).toBe('free');
    expect(now.contributions[0]?.value).toBe('pro');
    expect(now.probability).toBeGreaterThan(then.probability);
    // the same with history grouped by record id
    const grouped = groupHistory(b.history);
    expect(scoreRecord(model, b.record, { history: grouped, asOf: '2024-01-05T00:00:00.000Z' })).toEqual(then);
  });
});

describe('bad input fails whole with a named problem', () => {
  const deals = collect([closedDeal('w', { g: 'a' }, true, '2024-02-01T00:00:00.000Z'), closedDeal('l', { g: 'b' }, false, '2024-02-01T00:00:00.000Z')]);
  const base = { ...deals, stages: STAGES, method: 'naive-bayes' as const, asOf: '2024-03-01' };

  it('rejects unsorted bands and unknown sources with paths', () => {
    try {
      fitScoring({
        ...base,
        features: [
          { name: 'x', kind: 'numeric', source: 'fields.x', bands: [10, 5] },
          { name: 'y', kind: 'categorical', source: 'owner' },
        ],
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'INPUT_INVALID' });
      const paths = (e as { problems: { path: string }[] }).problems.map((p) => p.path);
      expect(paths).toEqual(expect.arrayContaining(['$.features[0].bands', '$.features[1].source']));
    }
  });

  it('rejects duplicate feature names, a bad date, a missing lost stage and an unknown method', () => {
    const f = { name: 'g', kind: 'categorical' as const, source: 'fields.g' };
    expect(() => fitScoring({ ...base, features: [f, f] })).toThrow(/duplicate feature name 'g'/);
    expect(() => fitScoring({ ...base, features: [f], asOf: 'not a date' })).toThrow(/asOf is not a valid date/);
    expect(() => fitScoring({ ...base, features: [f], stages: STAGES.filter((s) => s.kind !== 'lost') })).toThrow(/no stage of kind 'lost'/);
    expect(() => fitScoring({ ...base, features: [f], method: 'forest' as never })).toThrow(/unknown scoring method 'forest'/);
    expect(() => fitScoring({ ...base, features: [f], method: 'logistic', l2: 0 })).toThrow(/l2 must be a positive number/);
  });
});
