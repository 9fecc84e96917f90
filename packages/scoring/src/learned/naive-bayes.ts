import type { FeatureSpec } from '../features/spec.js';
import type { Contribution, NaiveBayesModel, TrainingExample } from './types.js';

/** The parameters a naive Bayes fit adds to a model. */
export type NaiveBayesParams = Pick<NaiveBayesModel, 'alpha' | 'classCounts' | 'counts'>;

/**
 * Counts (weighted) outcomes per feature value. Deterministic: values are stored in sorted order.
 */
export function fitNaiveBayes(features: readonly FeatureSpec[], examples: readonly TrainingExample[], alpha: number): NaiveBayesParams {
  let won = 0;
  let lost = 0;
  const counts: Record<string, Map<string, [number, number]>> = {};
  for (const f of features) counts[f.name] = new Map();
  for (const ex of examples) {
    if (ex.won) won += ex.weight;
    else lost += ex.weight;
    features.forEach((f, i) => {
      const value = ex.values[i] as string;
      const table = counts[f.name] as Map<string, [number, number]>;
      const cell = table.get(value) ?? [0, 0];
      cell[ex.won ? 0 : 1] += ex.weight;
      table.set(value, cell);
    });
  }
  const out: Record<string, Record<string, [number, number]>> = {};
  for (const f of features) {
    const table = counts[f.name] as Map<string, [number, number]>;
    out[f.name] = Object.fromEntries([...table.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return { alpha, classCounts: { won, lost }, counts: out };
}

/**
 * Log-odds of winning and each feature's part:
 * `log((Nw+α)/(Nl+α)) + Σ_f log(P(v|won) / P(v|lost))` with
 * `P(v|c) = (count(c,v)+α) / (N_c + α·(V_f+1))`, where `V_f` is the number of values seen for the
 * feature and the `+1` reserves mass for a value never seen in training.
 */
export function naiveBayesLogOdds(model: NaiveBayesParams & { features: FeatureSpec[] }, values: readonly string[]): {
  base: number;
  contributions: Contribution[];
} {
  const { alpha } = model;
  const { won: nw, lost: nl } = model.classCounts;
  const base = Math.log((nw + alpha) / (nl + alpha));
  const contributions = model.features.map((f, i) => {
    const value = values[i] as string;
    const table = model.counts[f.name] ?? {};
    const seen = Object.keys(table).length;
    const cell: [number, number] = Object.prototype.hasOwnProperty.call(table, value) ? (table[value] as [number, number]) : [0, 0];
    const pWon = (cell[0] + alpha) / (nw + alpha * (seen + 1));
    const pLost = (cell[1] + alpha) / (nl + alpha * (seen + 1));
    return { feature: f.name, value, logOdds: Math.log(pWon / pLost) };
  });
  return { base, contributions };
}
