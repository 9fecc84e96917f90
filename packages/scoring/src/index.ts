export { assertFeatures, bandLabel, MISSING } from './features/spec.js';
export type { CategoricalFeature, FeatureSource, FeatureSpec, NumericFeature } from './features/spec.js';
export { closedOutcome, recordAsOf } from './features/as-of.js';
export type { ClosedOutcome, RecordAsOf, StageKind } from './features/as-of.js';
export { fitScoring, groupHistory } from './learned/fit.js';
export type { FitScoringOptions, HistoryInput } from './learned/fit.js';
export { parseScoringModel, probabilityFor, scoreRecord } from './learned/score.js';
export type { RecordScore, ScoreRecordOptions } from './learned/score.js';
export { evaluateProbabilities, formatCalibration } from './learned/evaluate.js';
export type { CalibrationBin, ProbabilityEvaluation, ScoredOutcome } from './learned/evaluate.js';
export { backtestScoring } from './learned/backtest.js';
export { STAGE_AGE_BANDS } from './learned/stage-age.js';
export type { BacktestPrediction, BacktestProtocol, BacktestResult, BacktestScoringOptions } from './learned/backtest.js';
export type {
  Contribution,
  LogisticModel,
  NaiveBayesModel,
  ScoringMethod,
  ScoringModel,
  ScoringModelBase,
  StageAgeModel,
  TrainingSummary,
} from './learned/types.js';
export { createRuleScorer, explainScore, scoreDataOf, SCORE_DATA_ROOTS } from './rules/criteria.js';
export type { CreateRuleScorerOptions, FiredCriterion, RuleScore, RuleScorer, ScoreCriterion, ScoreData } from './rules/criteria.js';
export { scoringPlugin } from './rules/plugin.js';
export type { ScoringChange, ScoringPlugin, ScoringPluginOptions } from './rules/plugin.js';
