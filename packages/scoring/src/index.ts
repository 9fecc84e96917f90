export { assertFeatures, bandLabel, MISSING } from './features/spec.js';
export type { CategoricalFeature, FeatureSource, FeatureSpec, NumericFeature } from './features/spec.js';
export { closedOutcome, recordAsOf } from './features/as-of.js';
export type { ClosedOutcome, RecordAsOf, StageKind } from './features/as-of.js';
export { fitScoring } from './learned/fit.js';
export type { FitScoringOptions, HistoryInput } from './learned/fit.js';
export { parseScoringModel, probabilityFor, scoreRecord } from './learned/score.js';
export type { RecordScore, ScoreRecordOptions } from './learned/score.js';
export { evaluateProbabilities, formatCalibration } from './learned/evaluate.js';
export type { CalibrationBin, ProbabilityEvaluation, ScoredOutcome } from './learned/evaluate.js';
export { backtestScoring } from './learned/backtest.js';
export type { BacktestPrediction, BacktestProtocol, BacktestResult, BacktestScoringOptions } from './learned/backtest.js';
export type {
  Contribution,
  LogisticModel,
  NaiveBayesModel,
  ScoringMethod,
  ScoringModel,
  ScoringModelBase,
  TrainingSummary,
} from './learned/types.js';
