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

/**
 * mulberry32 over a 32-bit seed. A class (methods on the prototype, one number of state) rather
 * than closures: a simulation holds one per record, so its size is per-record memory.
 */
class Mulberry32 implements SimRng {
  private a: number;

  constructor(seed: number) {
    this.a = seed >>> 0;
  }

  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

/**
 * A seeded mulberry32 source.
 *
 * @example
 * ```ts
 * const rng = createSimRng(42)
 * rng.int(6) // the same number on every run with seed 42
 * ```
 */
export function createSimRng(seed: number): SimRng {
  return new Mulberry32(seed);
}

/** A seed for record `index` of a run seeded `seed`: each record has its own stream, so a changed policy does not shift other records' draws. */
export function recordSeed(seed: number, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ index, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
