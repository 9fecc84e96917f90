import { poissonDraw } from '../stats/monte-carlo.js';
import { sfc32Next, sfc32State } from '../stats/rng.js';

/** Input of {@link runTrials}: open deals, deals not created yet, and the segment of each. */
export interface TrialInput {
  probs: Float64Array;
  values: Float64Array;
  /** Per segmentation: key index of each open deal. */
  keys: Int32Array[];
  /** Per segmentation: number of keys. */
  keyCounts: number[];
  /** Mean number of deals created and won inside the window (Poisson)… */
  newMean: number;
  /** …each valued like a won amount drawn from these… */
  newValues: Float64Array;
  /** …and given the segments of a recent deal drawn from these (per segmentation, key indexes). */
  newTemplates: Int32Array[];
  trials: number;
  seed: number;
}

/**
 * Per-trial outcomes of one window, shared by every segment: `value[t]` and `count[t]` are trial
 * t's totals and `segValue[s][t * keyCounts[s] + k]` the part of segment k of segmentation s, so
 * segments add up to the total in every trial (and hence in every mean).
 */
export interface TrialOutcomes {
  trials: number;
  value: Float64Array;
  count: Float64Array;
  segValue: Float64Array[];
  segCount: Float64Array[];
}

/** Simulates `trials` windows with a seeded sfc32 generator (same seed, same outcomes). */
export function runTrials(input: TrialInput): TrialOutcomes {
  const { probs, values, keys, keyCounts, trials } = input;
  const n = probs.length;
  const S = keys.length;
  const thr = new Uint32Array(n);
  for (let i = 0; i < n; i++) thr[i] = probs[i]! >= 1 ? 0xffffffff : Math.max(0, Math.floor(probs[i]! * 4294967296));
  const state = sfc32State(input.seed);
  const uniform = (): number => (sfc32Next(state) + 0.5) / 4294967296;
  const value = new Float64Array(trials);
  const count = new Float64Array(trials);
  const segValue = keyCounts.map((k) => new Float64Array(trials * k));
  const segCount = keyCounts.map((k) => new Float64Array(trials * k));
  const nTemplates = input.newTemplates[0]?.length ?? 0;
  // Per-segmentation key of each deal, flattened: keyFlat[i * S + s].
  const keyFlat = new Int32Array(n * S);
  for (let i = 0; i < n; i++) for (let s = 0; s < S; s++) keyFlat[i * S + s] = keys[s]![i]!;
  for (let t = 0; t < trials; t++) {
    let v = 0, c = 0;
    // sfc32 inlined with its state in locals (the hot loop); written back after the deals.
    let a = state[0]!, b = state[1]!, cc = state[2]!, d = state[3]!;
    for (let i = 0; i < n; i++) {
      const r = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (cc + (cc << 3)) | 0;
      cc = (cc << 21) | (cc >>> 11);
      cc = (cc + r) | 0;
      if (r >>> 0 >= thr[i]!) continue;
      const x = values[i]!;
      v += x;
      c++;
      for (let s = 0; s < S; s++) {
        const k = t * keyCounts[s]! + keyFlat[i * S + s]!;
        segValue[s]![k]! += x;
        segCount[s]![k]! += 1;
      }
    }
    state[0] = a;
    state[1] = b;
    state[2] = cc;
    state[3] = d;
    const m = poissonDraw(input.newMean, uniform);
    for (let j = 0; j < m && input.newValues.length > 0; j++) {
      const x = input.newValues[Math.floor(uniform() * input.newValues.length)]!;
      v += x;
      c++;
      const tpl = nTemplates > 0 ? Math.floor(uniform() * nTemplates) : -1;
      for (let s = 0; s < S; s++) {
        const key = tpl >= 0 ? input.newTemplates[s]![tpl]! : keyCounts[s]! - 1;
        const k = t * keyCounts[s]! + key;
        segValue[s]![k]! += x;
        segCount[s]![k]! += 1;
      }
    }
    value[t] = v;
    count[t] = c;
  }
  return { trials, value, count, segValue, segCount };
}

/** Standard normal draws for `trials` period shocks (seeded). */
export function shockDraws(trials: number, seed: number): Float64Array {
  const state = sfc32State(seed ^ 0x5bd1e995);
  const u = (): number => (sfc32Next(state) + 0.5) / 4294967296;
  const z = new Float64Array(trials);
  for (let t = 0; t < trials; t++) z[t] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return z;
}
