import { describe, expect, it } from 'vitest';
import { backtestScoring } from '../src/index.js';
import type { ScoringMethod } from '../src/index.js';
import { CRM_STAGES, crmDatasetFeatures, loadCrmDataset } from './crm-dataset.js';

// The CRM sales-opportunities fixture: fit on deals closed before 2017-07-01, score the deals
// closed after it (each as it stood just before it closed), and compare with the stage-only
// baseline that gives every deal the historical win rate.
const data = loadCrmDataset();
const SPLIT = '2017-07-01T00:00:00.000Z';

describe('CRM dataset mapping', () => {
  it('joins pipeline, accounts, products and teams', () => {
    const closed = data.records.filter((r) => r.stage === 'won' || r.stage === 'lost');
    expect(closed).toHaveLength(4238 + 2473);
    const deal = data.records.find((r) => r.id === 'Z063OYW0');
    // pipeline row: Darcel Schlecht, GTXPro (spelled "GTX Pro" in products.csv, list price 4821), Isdom
    expect(deal).toMatchObject({ ownerId: 'Darcel Schlecht', stage: 'won', fields: { product: 'GTX Pro', listPrice: 4821, account: 'Isdom' } });
    expect(typeof deal?.fields['sector']).toBe('string');
    expect(typeof deal?.fields['region']).toBe('string');
  });
});

describe.each<ScoringMethod>(['naive-bayes', 'logistic'])('%s on the CRM dataset', (method) => {
  const result = backtestScoring({ ...data, stages: CRM_STAGES, features: crmDatasetFeatures, method, splitAt: SPLIT });

  it('fits only on deals closed before the split and tests on every deal closed after', () => {
    expect(result.model.fittedAt).toBe(SPLIT);
    expect(result.model.training.lastClosedAt! < SPLIT).toBe(true);
    const closedAfter = data.history.filter((e) => e.kind === 'transition' && e.at > SPLIT).length;
    expect(result.predictions).toHaveLength(closedAfter);
    expect(result.model.training.examples + closedAfter).toBe(4238 + 2473);
  });

  it('beats the stage-only baseline on Brier score and ranks better than chance', () => {
    expect(result.evaluation.brier).toBeLessThan(result.baselineEvaluation.brier);
    expect(result.evaluation.auc).toBeGreaterThan(0.5);
    expect(result.baselineEvaluation.auc).toBe(0.5);
    expect(result.evaluation.calibration.reduce((s, b) => s + b.count, 0)).toBe(result.predictions.length);
  });
});
