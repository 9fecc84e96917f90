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

/** Creates a seeded {@link Rng}. */
export function createRng(seed: number): Rng {
  let a = 0x9e3779b9 ^ (seed | 0);
  let b = 0x243f6a88 ^ Math.imul(seed | 0, 0x85ebca6b);
  let c = 0xb7e15162;
  let d = 1;
  const next = (): number => {
    a |= 0; b |= 0; c |= 0; d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
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
