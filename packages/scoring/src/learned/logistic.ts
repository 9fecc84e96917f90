import type { FeatureSpec } from '../features/spec.js';
import { solveSpd } from './linalg.js';
import type { Contribution, LogisticModel, TrainingExample } from './types.js';

/** The parameters a logistic fit adds to a model. */
export type LogisticParams = Pick<LogisticModel, 'l2' | 'intercept' | 'weights' | 'iterations' | 'converged'>;

/** A tiny ridge on the intercept keeps the Newton system positive definite when all outcomes agree. */
const INTERCEPT_RIDGE = 1e-9;

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * Fits `logit P(won) = b + Σ_f w[f][value]` by Newton's method on the weighted log-loss plus
 * `l2/2·Σ w²` (the intercept is not penalized). Columns are ordered by feature, then by sorted
 * value, and the start is all zeros, so the fit is deterministic.
 */
export function fitLogistic(
  features: readonly FeatureSpec[],
  examples: readonly TrainingExample[],
  options: { l2: number; maxIterations: number; tolerance: number },
): LogisticParams {
  // Column index: 0 = intercept, then one column per (feature, value).
  const columns: { feature: string; value: string }[] = [];
  const index: Map<string, number>[] = features.map(() => new Map());
  features.forEach((f, i) => {
    const values = [...new Set(examples.map((e) => e.values[i] as string))].sort();
    for (const v of values) {
      (index[i] as Map<string, number>).set(v, columns.length + 1);
      columns.push({ feature: f.name, value: v });
    }
  });
  const n = columns.length + 1;
  const rows = examples.map((e) => features.map((_, i) => (index[i] as Map<string, number>).get(e.values[i] as string) as number));
  const beta = new Float64Array(n);
  let iterations = 0;
  let converged = false;
  while (iterations < options.maxIterations) {
    iterations++;
    const grad = new Float64Array(n);
    const hess = new Float64Array(n * n);
    examples.forEach((ex, r) => {
      const cols = rows[r] as number[];
      let z = beta[0] as number;
      for (const c of cols) z += beta[c] as number;
      const p = sigmoid(z);
      const g = ex.weight * (p - (ex.won ? 1 : 0));
      const h = ex.weight * p * (1 - p);
      const all = [0, ...cols];
      for (const a of all) {
        grad[a] = (grad[a] as number) + g;
        for (const b of all) hess[a * n + b] = (hess[a * n + b] as number) + h;
      }
    });
    hess[0] = (hess[0] as number) + INTERCEPT_RIDGE;
    for (let c = 1; c < n; c++) {
      grad[c] = (grad[c] as number) + options.l2 * (beta[c] as number);
      hess[c * n + c] = (hess[c * n + c] as number) + options.l2;
    }
    const step = solveSpd(hess, grad, n);
    let maxStep = 0;
    for (let c = 0; c < n; c++) {
      beta[c] = (beta[c] as number) - (step[c] as number);
      maxStep = Math.max(maxStep, Math.abs(step[c] as number));
    }
    if (maxStep < options.tolerance) {
      converged = true;
      break;
    }
  }
  const weights: Record<string, Record<string, number>> = {};
  for (const f of features) weights[f.name] = {};
  columns.forEach((col, i) => {
    (weights[col.feature] as Record<string, number>)[col.value] = beta[i + 1] as number;
  });
  return { l2: options.l2, intercept: beta[0] as number, weights, iterations, converged };
}

/** Log-odds of winning: the intercept plus each feature value's weight (0 when unseen). */
export function logisticLogOdds(model: LogisticParams & { features: FeatureSpec[] }, values: readonly string[]): {
  base: number;
  contributions: Contribution[];
} {
  const contributions = model.features.map((f, i) => {
    const value = values[i] as string;
    const table = model.weights[f.name] ?? {};
    const w = Object.prototype.hasOwnProperty.call(table, value) ? (table[value] as number) : 0;
    return { feature: f.name, value, logOdds: w };
  });
  return { base: model.intercept, contributions };
}

export { sigmoid };
