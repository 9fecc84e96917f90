/**
 * A small, fast, seeded pseudo-random generator (sfc32 on 32-bit integers) so that every
 * simulation in Dealflow is reproducible. Not for cryptography.
 *
 * @example
 * ```ts
 * const rng = createRng(42)
 * rng.next() // a float in [0, 1), the same for every run with seed 42
 * ```
 */
export interface Rng {
  /** A uniform float in [0, 1). */
  next(): number;
  /** A standard normal draw (Box–Muller). */
  normal(): number;
}

/**
 * The sfc32 state for `seed`, already past its 15 warm-up rounds: `[a, b, c, d]` as 32-bit
 * integers. {@link sfc32Next} steps it; a hot loop may keep it in locals and write it back.
 *
 * @example
 * ```ts
 * const state = sfc32State(7)
 * sfc32Next(state) // an unsigned 32-bit integer
 * ```
 */
export function sfc32State(seed: number): Int32Array {
  const state = new Int32Array([0x9e3779b9 ^ (seed | 0), 0x243f6a88 ^ Math.imul(seed | 0, 0x85ebca6b), 0xb7e15162 | 0, 1]);
  for (let i = 0; i < 15; i++) sfc32Next(state);
  return state;
}

/**
 * One sfc32 step: advances `state` and returns an unsigned 32-bit integer.
 *
 * @example
 * ```ts
 * const u = sfc32Next(state) / 4294967296 // a float in [0, 1)
 * ```
 */
export function sfc32Next(state: Int32Array): number {
  let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!;
  const t = (((a + b) | 0) + d) | 0;
  d = (d + 1) | 0;
  a = b ^ (b >>> 9);
  b = (c + (c << 3)) | 0;
  c = (c << 21) | (c >>> 11);
  c = (c + t) | 0;
  state[0] = a; state[1] = b; state[2] = c; state[3] = d;
  return t >>> 0;
}

/** Creates a seeded {@link Rng}. */
export function createRng(seed: number): Rng {
  const state = sfc32State(seed);
  const next = (): number => sfc32Next(state) / 4294967296;
  let spare: number | null = null;
  const normal = (): number => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = next();
    while (u === 0) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return { next, normal };
}
