/**
 * Scoring benchmark: how good is the learned win probability on the CRM sales-opportunities
 * dataset? Fits on deals closed before 2017-07-01, scores the deals closed after, and compares
 * with the stage-only baseline (every deal gets the historical win rate) in the same run.
 *
 * Protocols (see docs/scoring.md):
 * - weekly (the headline): each test deal scored every 7 days while it was open, from the split
 *   (or its creation) until its close, with what was known that day (what a weekly review sees);
 * - close (reference only): each test deal scored once, as it stood just before it closed; its
 *   age in stage is known only at the close, so it flatters models that use it.
 * The "trained on weekly snapshots" rows fit with `sampleEveryDays: 7` (examples = open
 * snapshots); "stage+age Markov" is the method `stage-age`; naive Bayes is the default.
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
  // Headline protocol: weekly as-of snapshots (what a weekly pipeline review sees), never at close.
  run('naive Bayes (default), weekly', 'naive-bayes', 'weekly'),
  run('stage+age Markov, weekly', 'stage-age', 'weekly', []),
  run('logistic, weekly', 'logistic', 'weekly'),
  run('naive Bayes, weekly, trained on weekly snapshots', 'naive-bayes', 'weekly', crmDatasetFeatures, 7),
  run('logistic, weekly, trained on weekly snapshots', 'logistic', 'weekly', crmDatasetFeatures, 7),
  // For reference only: scored once as each deal stood just before it closed. Its "age in stage"
  // is known only at the close, so this protocol flatters every model that uses it.
  run('naive Bayes, close (reference)', 'naive-bayes', 'close'),
  run('logistic, close (reference)', 'logistic', 'close'),
  run('naive Bayes, close, no age (reference)', 'naive-bayes', 'close', noAge),
];

const f = (n: number, d = 4) => n.toFixed(d);
const head = rows[0] as Row;
console.log(`CRM sales opportunities: fit on deals closed before ${SPLIT.slice(0, 10)} (win rate ${f(head.result.baselineRate, 3)}); ` +
  `test on deals closed after it, scored every 7 days while open (${head.result.predictions.length} weekly snapshots).`);
console.log('Baseline: every snapshot gets the historical win rate. Brier: lower is better.');
console.log('');
console.log('| model, protocol | cases | AUC | Brier | Brier baseline | Brier ratio (model/baseline) | log-loss | log-loss baseline | backtest ms |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const e = r.result.evaluation;
  const b = r.result.baselineEvaluation;
  console.log(`| ${r.label} | ${e.count} | ${f(e.auc)} | ${f(e.brier)} | ${f(b.brier)} | ${f(e.brier / b.brier, 3)} | ${f(e.logLoss)} | ${f(b.logLoss)} | ${r.fitMs.toFixed(0)} |`);
}
console.log('');
const weekly = rows.slice(0, 5);
const best = [...weekly].sort((a, b) => a.result.evaluation.brier - b.result.evaluation.brier)[0] as Row;
const gain = 1 - best.result.evaluation.brier / best.result.baselineEvaluation.brier;
console.log(`Weekly protocol: best Brier ${best.label} ${f(best.result.evaluation.brier)} vs baseline ${f(best.result.baselineEvaluation.brier)} ` +
  `(${(100 * Math.abs(gain)).toFixed(1)}% ${gain > 0 ? 'lower: the model beats the historical win rate' : 'higher: the historical win rate wins'}).`);
console.log('');
console.log(`Calibration, ${head.label} (10 bins):`);
console.log(formatCalibration(head.result.evaluation.calibration));
console.log('');

const r6 = (n: number) => Math.round(n * 1e6) / 1e6;
const markov = rows[1] as Row, lr = rows[2] as Row, closeNb = rows[5] as Row;
console.log(
  JSON.stringify({
    bench: 'scoring',
    protocol: 'weekly',
    method: 'naive-bayes',
    auc: r6(head.result.evaluation.auc),
    brier: r6(head.result.evaluation.brier),
    brier_baseline: r6(head.result.baselineEvaluation.brier),
    brier_ratio: r6(head.result.evaluation.brier / head.result.baselineEvaluation.brier),
    markov_brier: r6(markov.result.evaluation.brier),
    logistic_brier: r6(lr.result.evaluation.brier),
    naive_bayes_weekly_trained_brier: r6((rows[3] as Row).result.evaluation.brier),
    logistic_weekly_trained_brier: r6((rows[4] as Row).result.evaluation.brier),
    best_weekly: best.label,
    close_protocol_naive_bayes_brier: r6(closeNb.result.evaluation.brier),
    close_protocol_baseline: r6(closeNb.result.baselineEvaluation.brier),
    train: head.result.model.training.examples,
    test_snapshots: head.result.predictions.length,
  }),
);
