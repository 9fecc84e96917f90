/**
 * The q-quantile of numbers by linear interpolation between order statistics (the common
 * "type 7" definition: position `(n - 1) * q`). Returns NaN for an empty list.
 *
 * @example
 * ```ts
 * quantile([1, 2, 3, 4], 0.5) // 2.5
 * ```
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return quantileSorted(sorted, q);
}

/** {@link quantile} on an already ascending-sorted array. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/** Summary of a list of durations or values. */
export interface Summary {
  count: number;
  mean: number;
  median: number;
  p90: number;
}

/** Count, mean, median and p90 (type-7 quantiles) of values; NaN fields when empty. */
export function summarize(values: ArrayLike<number>): Summary {
  const n = values.length;
  if (n === 0) return { count: 0, mean: Number.NaN, median: Number.NaN, p90: Number.NaN };
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i] as number;
  return { count: n, mean: sum / n, median: quantileSorted(sorted, 0.5), p90: quantileSorted(sorted, 0.9) };
}
