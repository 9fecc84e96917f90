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
  /** Of them, won. */
  won: number;
  /** Of them, lost. */
  lost: number;
  /** `sampleEveryDays` of the fit (null: one example per record, at its close). */
  sampleEveryDays: number | null;
  /** Training rows (= examples, or the open snapshots when sampling). */
  snapshots: number;
  /** Earliest and latest closing time among them (null when none). */
  firstClosedAt: string | null;
  /** Latest closing time among them (null when none). */
  lastClosedAt: string | null;
}

/** Fields shared by every model. The whole model is plain JSON (`JSON.stringify` round-trips it). */
export interface ScoringModelBase {
  /** Marks the JSON as a Dealflow scoring model. */
  format: 'dealflow.scoring-model';
  /** Version of this JSON format (a model of another version is refused when loaded). */
  formatVersion: 1;
  /** The learning method, which decides the model's other fields. */
  method: ScoringMethod;
  /** The `asOf` date of the fit: no outcome or feature value known after it was used. */
  fittedAt: string;
  /** The features the model reads from a record, in order. */
  features: FeatureSpec[];
  /** Stages with their kinds (needed for `stageReached`). */
  stages: StageKind[];
  /** What it was fitted on. */
  training: TrainingSummary;
}

/** Naive Bayes: class counts and per-feature value counts `[won, lost]`, smoothed by `alpha`. */
export interface NaiveBayesModel extends ScoringModelBase {
  /** Naive Bayes. */
  method: 'naive-bayes';
  /** Laplace smoothing: added to every count (1 = add-one). */
  alpha: number;
  /** Weighted examples per outcome. */
  classCounts: {
    /** Weight of won examples. */
    won: number;
    /** Weight of lost examples. */
    lost: number;
  };
  /** feature name → value → [weight among won, weight among lost]. */
  counts: Record<string, Record<string, [number, number]>>;
}

/** Logistic regression on one-hot feature values with an L2 penalty (not on the intercept). */
export interface LogisticModel extends ScoringModelBase {
  /** Logistic regression. */
  method: 'logistic';
  /** Strength of the L2 penalty on the weights. */
  l2: number;
  /** Log-odds of winning with every feature at a weight of 0. */
  intercept: number;
  /** feature name → value → weight (unseen values weigh 0). */
  weights: Record<string, Record<string, number>>;
  /** Newton iterations run and whether the step converged. */
  iterations: number;
  /** Whether the last Newton step was below the tolerance. */
  converged: boolean;
}

/** Stage and days in stage: the eventual win probability per open stage and age band. */
export interface StageAgeModel extends ScoringModelBase {
  /** Stage and days in stage. */
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
  /** The feature's name. */
  feature: string;
  /** The record's value of it (a band label for numbers). */
  value: string;
  /** How far it moves the score, in log-odds. */
  logOdds: number;
}
