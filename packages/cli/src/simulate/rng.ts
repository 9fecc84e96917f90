/** A seeded pseudo-random source (mulberry32): the same seed gives the same run. */
export interface SimRng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Exponentially distributed with this mean. */
  exp(mean: number): number;
  pick<T>(items: readonly T[]): T;
}

/** mulberry32 over a 32-bit seed. */
export function createSimRng(seed: number): SimRng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    exp: (mean) => -Math.log(1 - next()) * mean,
    pick: (items) => items[Math.floor(next() * items.length)]!,
  };
}

/** A seed for record `index` of a run seeded `seed`: each record has its own stream, so a changed policy does not shift other records' draws. */
export function recordSeed(seed: number, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ index, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
