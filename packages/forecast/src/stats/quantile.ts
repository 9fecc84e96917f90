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
  /** Values summarized. */
  count: number;
  /** Their mean (NaN when empty). */
  mean: number;
  /** Their median (NaN when empty). */
  median: number;
  /** Their 90th percentile (NaN when empty). */
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

/**
 * Type-7 quantiles of `values` (ascending `qs`) by selection instead of a full sort: `scratch`
 * (at least as long) receives a copy that is partly reordered. Same results as
 * {@link quantileSorted} on the sorted values.
 */
export function quantilesBySelection(values: ArrayLike<number>, qs: readonly number[], scratch: Float64Array): number[] {
  const n = values.length;
  if (n === 0) return qs.map(() => Number.NaN);
  const a = scratch;
  for (let i = 0; i < n; i++) a[i] = values[i]!;
  // Order statistics needed, ascending; each selection works on what lies right of the previous one.
  let from = 0;
  let last = -1;
  const stat = new Map<number, number>();
  const need = [...new Set(qs.flatMap((q) => {
    const pos = (n - 1) * Math.min(1, Math.max(0, q));
    return [Math.floor(pos), Math.min(n - 1, Math.floor(pos) + 1)];
  }))].sort((x, y) => x - y);
  for (const r of need) {
    if (r === last + 1 && last >= 0 && from === r) {
      // the next order statistic is the minimum of the rest
      let m = r;
      for (let i = r + 1; i < n; i++) if (a[i]! < a[m]!) m = i;
      const t = a[r]!; a[r] = a[m]!; a[m] = t;
    } else select(a, from, n - 1, r);
    stat.set(r, a[r]!);
    last = r;
    from = r + 1;
  }
  return qs.map((q) => {
    const pos = (n - 1) * Math.min(1, Math.max(0, q));
    const lo = Math.floor(pos);
    const x = stat.get(lo)!, y = stat.get(Math.min(n - 1, lo + 1))!;
    return x + (y - x) * (pos - lo);
  });
}

/** Reorders a[lo..hi] so that a[k] is the value it would hold if sorted (Hoare quickselect, median-of-three pivots). */
function select(a: Float64Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // median of three as pivot
    let x = a[lo]!, y = a[mid]!, z = a[hi]!;
    if (x > y) { const t = x; x = y; y = t; }
    if (y > z) { y = z; if (x > y) y = x; }
    const pivot = y;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!; a[i] = a[j]!; a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}
