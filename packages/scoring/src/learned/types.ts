import type { FeatureSpec } from '../features/spec.js';
import type { StageKind } from '../features/as-of.js';

/**
 * The learning methods: naive Bayes with Laplace smoothing (Odoo's method; the default, the best
 * calibrated of the three on weekly snapshots of the CRM dataset, see docs/scoring.md), logistic
 * regression over features, and `stage-age` (P(eventually won) by stage and days in stage, from
 * the absorbing Markov chain of `@dealflow/forecast`).
 */
export type ScoringMethod = 'stage-age' | 'naive-bayes' | 'logistic';

/** One training example: feature values (in feature order), the outcome and a weight. */
export interface TrainingExample {
  values: string[];
  won: boolean;
  weight: number;
}

/** What the model was fitted on. */
export interface TrainingSummary {
  /** Closed records used. */
  examples: number;
  won: number;
  lost: number;
  /** `sampleEveryDays` of the fit (null: one example per record, at its close). */
  sampleEveryDays: number | null;
  /** Training rows (= examples, or the open snapshots when sampling). */
  snapshots: number;
  /** Earliest and latest closing time among them (null when none). */
  firstClosedAt: string | null;
  lastClosedAt: string | null;
}

/** Fields shared by every model. The whole model is plain JSON (`JSON.stringify` round-trips it). */
export interface ScoringModelBase {
  format: 'dealflow.scoring-model';
  formatVersion: 1;
  method: ScoringMethod;
  /** The `asOf` date of the fit: no outcome or feature value known after it was used. */
  fittedAt: string;
  features: FeatureSpec[];
  /** Stages with their kinds (needed for `stageReached`). */
  stages: StageKind[];
  training: TrainingSummary;
}

/** Naive Bayes: class counts and per-feature value counts `[won, lost]`, smoothed by `alpha`. */
export interface NaiveBayesModel extends ScoringModelBase {
  method: 'naive-bayes';
  alpha: number;
  classCounts: { won: number; lost: number };
  /** feature name → value → [weight among won, weight among lost]. */
  counts: Record<string, Record<string, [number, number]>>;
}

/** Logistic regression on one-hot feature values with an L2 penalty (not on the intercept). */
export interface LogisticModel extends ScoringModelBase {
  method: 'logistic';
  l2: number;
  intercept: number;
  /** feature name → value → weight (unseen values weigh 0). */
  weights: Record<string, Record<string, number>>;
  /** Newton iterations run and whether the step converged. */
  iterations: number;
  converged: boolean;
}

/** Stage and days in stage: the eventual win probability per open stage and age band. */
export interface StageAgeModel extends ScoringModelBase {
  method: 'stage-age';
  /** Band starts in days spent in the current stage (first 0). */
  ageBands: number[];
  /** open stage → P(eventually won) per band. */
  probabilities: Record<string, number[]>;
}

/** A fitted, serializable scoring model. */
export type ScoringModel = StageAgeModel | NaiveBayesModel | LogisticModel;

/** One feature's part in a score, in log-odds (positive pushes towards won). */
export interface Contribution {
  feature: string;
  value: string;
  logOdds: number;
}
