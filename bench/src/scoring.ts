/**
 * Scoring benchmark: how good is the learned win probability on the CRM sales-opportunities
 * dataset? Fits on deals closed before 2017-07-01, scores the deals closed after, and compares
 * with the stage-only baseline (every deal gets the historical win rate) in the same run.
 *
 * Protocols (see docs/scoring.md):
 * - close:  each test deal scored once, as it stood just before it closed;
 * - weekly: each test deal scored every 7 days while it was open (what a weekly review sees).
 * The "no age" rows drop the age-in-stage feature, to show where the signal comes from; the
 * "trained on weekly snapshots" rows fit with `sampleEveryDays: 7` (examples = open snapshots).
 *
 * Run: pnpm --dir bench run scoring. The last line is one JSON object of the figures.
 */
import { backtestScoring, formatCalibration } from '@dealflow/scoring';
import type { BacktestProtocol, BacktestResult, ScoringMethod } from '@dealflow/scoring';
import { CRM_STAGES, crmDatasetFeatures, loadCrmDataset } from '../../packages/scoring/test/crm-dataset.js';

const SPLIT = '2017-07-01T00:00:00.000Z';
const data = loadCrmDataset();
const noAge = crmDatasetFeatures.filter((f) => f.source !== 'ageInStageDays');

interface Row {
  label: string;
  result: BacktestResult;
  fitMs: number;
}

function run(label: string, method: ScoringMethod, protocol: BacktestProtocol, features = crmDatasetFeatures, sampleEveryDays?: number): Row {
  const t0 = performance.now();
  const result = backtestScoring({
    ...data,
    stages: CRM_STAGES,
    features,
    method,
    splitAt: SPLIT,
    protocol,
    ...(sampleEveryDays ? { sampleEveryDays } : {}),
  });
  return { label, result, fitMs: performance.now() - t0 };
}

const rows: Row[] = [
  run('naive Bayes, close', 'naive-bayes', 'close'),
  run('logistic, close', 'logistic', 'close'),
  run('naive Bayes, close, no age', 'naive-bayes', 'close', noAge),
  run('logistic, close, no age', 'logistic', 'close', noAge),
  run('naive Bayes, weekly', 'naive-bayes', 'weekly'),
  run('logistic, weekly', 'logistic', 'weekly'),
  run('naive Bayes, weekly, trained on weekly snapshots', 'naive-bayes', 'weekly', crmDatasetFeatures, 7),
  run('logistic, weekly, trained on weekly snapshots', 'logistic', 'weekly', crmDatasetFeatures, 7),
];

const f = (n: number, d = 4) => n.toFixed(d);
const primary = rows[0] as Row;
const logistic = rows[1] as Row;
console.log(`CRM sales opportunities: fit on ${primary.result.model.training.examples} deals closed before ${SPLIT.slice(0, 10)} ` +
  `(win rate ${f(primary.result.baselineRate, 3)}), test on deals closed after (${primary.result.predictions.length}).`);
console.log('');
console.log('| model, protocol | cases | AUC | Brier | Brier baseline | Brier ratio (model/baseline) | log-loss | log-loss baseline | backtest ms |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const e = r.result.evaluation;
  const b = r.result.baselineEvaluation;
  console.log(`| ${r.label} | ${e.count} | ${f(e.auc)} | ${f(e.brier)} | ${f(b.brier)} | ${f(e.brier / b.brier, 3)} | ${f(e.logLoss)} | ${f(b.logLoss)} | ${r.fitMs.toFixed(0)} |`);
}
console.log('');
console.log(`Calibration, ${primary.label} (10 bins; the baseline puts every deal in the ${f(primary.result.baselineRate, 2)} bin):`);
console.log(formatCalibration(primary.result.evaluation.calibration));
console.log('');
console.log(`Calibration, ${logistic.label}:`);
console.log(formatCalibration(logistic.result.evaluation.calibration));
console.log('');

const r6 = (n: number) => Math.round(n * 1e6) / 1e6;
const weeklyNb = rows[4] as Row;
console.log(
  JSON.stringify({
    bench: 'scoring',
    method: 'naive-bayes',
    protocol: 'close',
    auc: r6(primary.result.evaluation.auc),
    brier: r6(primary.result.evaluation.brier),
    brier_baseline: r6(primary.result.baselineEvaluation.brier),
    brier_ratio: r6(primary.result.evaluation.brier / primary.result.baselineEvaluation.brier),
    logistic_auc: r6(logistic.result.evaluation.auc),
    logistic_brier: r6(logistic.result.evaluation.brier),
    no_age_brier: r6((rows[2] as Row).result.evaluation.brier),
    weekly_auc: r6(weeklyNb.result.evaluation.auc),
    weekly_brier: r6(weeklyNb.result.evaluation.brier),
    weekly_brier_baseline: r6(weeklyNb.result.baselineEvaluation.brier),
    weekly_snapshot_brier: r6((rows[6] as Row).result.evaluation.brier),
    train: primary.result.model.training.examples,
    test: primary.result.predictions.length,
  }),
);
