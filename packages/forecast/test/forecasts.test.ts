import { describe, expect, it } from 'vitest';
import { isDealflowError } from '@dealflow/core';
import {
  accuracy,
  brierScore,
  fitStageMarkov,
  forecastCategories,
  forecastCollections,
  kaplanMeier,
  quantile,
  timeToClose,
  weightedPipeline,
} from '../src/index.js';
import { day, deal, dataset, smallBook } from './helpers.js';

describe('weightedPipeline', () => {
  it('weights open deals closing in the period by probability', () => {
    const book = smallBook();
    const e = deal('E', [['lead', 6]], { amount: 200, closeDate: day(25), probability: 0.2 });
    const data = { ...book, records: [...book.records, e.record], history: [...book.history, e.history].flat() };
    const r = weightedPipeline({ ...data, period: { from: day(0), to: day(30) }, asOf: day(12) });
    // C: qualified (stage p 0.5) × 80 = 40; E: record probability 0.2 × 200 = 40; D closes d40 → out
    expect(r.total).toBeCloseTo(80);
    expect(r.amount).toBeCloseTo(280);
    expect(r.byStage.qualified).toEqual({ count: 1, amount: 80, weighted: 40 });
    expect(r.deals.map((d) => d.id).sort()).toEqual(['C', 'E']);
  });

  it('fails whole, naming the record, on a probability outside [0, 1]', () => {
    const bad = dataset(deal('P', [['lead', 0]], { amount: 10, closeDate: day(3), probability: 7 }));
    expect(() => weightedPipeline({ ...bad, period: { from: day(0), to: day(9) }, asOf: day(1) })).toThrowError(/record 'P'.*probability 7/);
  });
});

describe('forecastCategories', () => {
  it('rolls up closed, commit, best case and pipeline against quota', () => {
    const book = smallBook();
    const e = deal('E', [['lead', 6]], { amount: 200, closeDate: day(25) });
    const data = { ...book, records: [...book.records, e.record], history: [...book.history, e.history].flat() };
    const r = forecastCategories({ ...data, quota: 300, period: { from: day(0), to: day(30) }, asOf: day(12) });
    // closed: A 100; C has record category 'Commit' → commit 80; E lead → stage category pipeline 200
    expect(r.byCategory).toMatchObject({ closed: 100, commit: 80, best_case: 0, pipeline: 200 });
    // cumulative: 100, 180, 180, 380; gaps to 300: 200, 120, 120, −80
    expect(r.rollup).toEqual({ closed: 100, commit: 180, bestCase: 180, pipeline: 380 });
    expect(r.gapToQuota).toEqual({ closed: 200, commit: 120, bestCase: 120, pipeline: -80 });
  });
});

describe('fitStageMarkov', () => {
  it('gives eventual win probability by stage (one age band)', () => {
    const m = fitStageMarkov({ ...smallBook(), ageBands: [0], asOf: day(12) });
    // lead → qualified 3/3 (D censored); qualified → won 1/2, lost 1/2 (C censored)
    // P(win | qualified) = 1/2; P(win | lead) = 1 · 1/2
    expect(m.winProbability('qualified')).toBeCloseTo(0.5);
    expect(m.winProbability('lead')).toBeCloseTo(0.5);
    expect(m.winProbability('won')).toBe(1);
    expect(m.winProbability('lost')).toBe(0);
  });

  it('uses the age in stage through age-band states', () => {
    const m = fitStageMarkov({ ...smallBook(), ageBands: [0, 3], asOf: day(12) });
    // qualified#0: A passes 3 d (→ #1), B lost at 2 d, C open 9 d (→ #1): adv 2/3, lost 1/3
    // qualified#1: A won → 1.  So x(q#1) = 1, x(q#0) = 2/3 · 1 = 2/3
    // lead#0: A exit@2 → q, B passes 3 d (→ #1), C exit@2 → q, D open 7 d (→ #1): q 2/4, #1 2/4
    // lead#1: B → q (1/1): x(l#1) = x(q#0) = 2/3; x(l#0) = ½·2/3 + ½·2/3 = 2/3
    expect(m.winProbability('qualified', 1)).toBeCloseTo(2 / 3);
    expect(m.winProbability('qualified', 5)).toBeCloseTo(1);
    expect(m.winProbability('lead', 0)).toBeCloseTo(2 / 3);
    expect(m.winProbability('lead', 4)).toBeCloseTo(2 / 3);
    const open = m.openDeals(day(12));
    // C: qualified for 9 d → band #1 → 1; D: lead for 7 d → band #1 → 2/3
    expect(open.find((d) => d.id === 'C')!.pWin).toBeCloseTo(1);
    expect(open.find((d) => d.id === 'D')!.pWin).toBeCloseTo(2 / 3);
  });

  it('ignores transitions after asOf', () => {
    // at day 5, nothing has closed: qualified was never left → falls back to its stage probability 0.5
    const m = fitStageMarkov({ ...smallBook(), ageBands: [0], asOf: day(5) });
    expect(m.winProbability('qualified')).toBeCloseTo(0.5);
  });

  it('rejects bad age bands', () => {
    expect(() => fitStageMarkov({ ...smallBook(), ageBands: [1, 2] })).toThrowError(/ageBands/);
  });
});

describe('kaplanMeier and timeToClose', () => {
  it('handles censoring at tied times', () => {
    const km = kaplanMeier([2, 3, 3, 5], [true, false, true, true]);
    // t=2: 1 − 1/4 → 0.75; t=3: at risk 3, one event → 0.75 · 2/3 = 0.5; t=5: at risk 1 → 0
    expect(km.at(1)).toBe(1);
    expect(km.at(2)).toBeCloseTo(0.75);
    expect(km.at(3)).toBeCloseTo(0.5);
    expect(km.at(4.9)).toBeCloseTo(0.5);
    expect(km.at(5)).toBeCloseTo(0);
    expect(km.quantile(0.5)).toBe(3);
  });

  it('treats open deals as censored', () => {
    const r = timeToClose({ ...smallBook(), asOf: day(12) });
    // B closed 6 d, A closed 10 d, D open 7 d, C open 11 d (censored)
    // S(6) = 3/4; at 10 the risk set is {A, C}: S(10) = 3/4 · 1/2 = 3/8 → median 10
    expect(r.curve.at(6)).toBeCloseTo(0.75);
    expect(r.curve.at(10)).toBeCloseTo(3 / 8);
    expect(r.medianDays).toBe(10);
    expect([r.closed, r.censored]).toEqual([2, 2]);
  });
});

describe('forecastCollections', () => {
  const contract = (id: string, plan: unknown[]) => deal(id, [['won', 0]], { paymentPlan: plan }).record;

  it('forecasts collections from the plan and the delay history', () => {
    const records = [
      contract('K1', [
        { dueDate: day(0), amount: 100, paidAt: day(5) }, // delay 5
        { dueDate: day(0), amount: 100, paidAt: day(0) }, // delay 0
      ]),
      contract('K2', [
        { dueDate: day(0), amount: 300 }, // unpaid: censored at 12 d late
        { dueDate: day(5), amount: 100, paidAt: day(11) }, // delay 6
        { dueDate: day(20), amount: 1000 }, // not due yet
      ]),
    ];
    const r = forecastCollections({ records, period: { from: day(12), to: day(42) }, asOf: day(12) });
    // delays 0, 5, 6 paid; 12 censored. S(0) = 3/4, S(5) = 3/4·2/3 = 1/2, S(6) = 1/2·1/2 = 1/4, flat after.
    // K2#0 (due d0): (S(12) − S(42)) / S(12) = 0.  K2#2 (due d20): (S(−8) − S(22)) / S(−8) = 1 − 1/4 = 3/4 → 750
    expect(r.expected).toBeCloseTo(750);
    expect(r.installments.find((i) => i.recordId === 'K2' && i.index === 2)!.probability).toBeCloseTo(0.75);
    expect(r.installments.find((i) => i.recordId === 'K2' && i.index === 0)!.probability).toBeCloseTo(0);
    expect(r.scheduled).toBe(1000);
    // 3 paid, 2 of them late; median delay: first t with S ≤ 1/2 → 5
    expect(r.delays).toMatchObject({ paid: 3, censored: 1, medianDelayDays: 5 });
    expect(r.delays.lateShare).toBeCloseTo(2 / 3);
  });

  it('treats a payment after asOf as unknown', () => {
    const records = [contract('K', [{ dueDate: day(0), amount: 10, paidAt: day(30) }])];
    const r = forecastCollections({ records, period: { from: day(10), to: day(20) }, asOf: day(10) });
    expect(r.delays.paid).toBe(0);
    expect(r.installments).toHaveLength(1);
  });

  it('rejects a malformed plan naming the record and index', () => {
    const records = [contract('K9', [{ dueDate: day(0), amount: -1 }])];
    try {
      forecastCollections({ records, period: { from: day(0), to: day(9) } });
      expect.unreachable();
    } catch (e) {
      expect(isDealflowError(e, 'DATA_INVALID')).toBe(true);
      expect((e as Error).message).toMatch(/record 'K9': paymentPlan\[0\]/);
    }
  });
});

describe('accuracy metrics', () => {
  it('computes WAPE, MAPE and bias', () => {
    // errors: +20 on 100, −10 on 50 → WAPE 30/150 = 0.2; MAPE (0.2 + 0.2)/2 = 0.2; bias +10/150
    const r = accuracy([120, 40], [100, 50]);
    expect(r.wape).toBeCloseTo(0.2);
    expect(r.mape).toBeCloseTo(0.2);
    expect(r.bias).toBeCloseTo(10 / 150);
  });

  it('computes the Brier score', () => {
    // (0.8 − 1)² = 0.04, (0.3 − 0)² = 0.09 → mean 0.065
    expect(brierScore([0.8, 0.3], [true, false])).toBeCloseTo(0.065);
  });

  it('computes type-7 quantiles', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBeCloseTo(2.5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1);
  });
});
