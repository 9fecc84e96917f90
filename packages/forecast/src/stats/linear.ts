import { DealflowError } from '@dealflow/core';

/**
 * Solves A x = b (n × n, row-major Float64Array) by Gaussian elimination with partial pivoting.
 * Throws `INPUT_INVALID` when A is singular.
 */
export function solveLinear(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r * n + col]!) > Math.abs(m[piv * n + col]!)) piv = r;
    if (Math.abs(m[piv * n + col]!) < 1e-12) throw new DealflowError('INPUT_INVALID', `singular system at column ${col}`);
    if (piv !== col) {
      for (let c = 0; c < n; c++) {
        const tmp = m[col * n + c]!;
        m[col * n + c] = m[piv * n + c]!;
        m[piv * n + c] = tmp;
      }
      const tb = x[col]!;
      x[col] = x[piv]!;
      x[piv] = tb;
    }
    const d = m[col * n + col]!;
    for (let r = col + 1; r < n; r++) {
      const f = m[r * n + col]! / d;
      if (f === 0) continue;
      for (let c = col; c < n; c++) m[r * n + c]! -= f * m[col * n + c]!;
      x[r]! -= f * x[col]!;
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r]!;
    for (let c = r + 1; c < n; c++) s -= m[r * n + c]! * x[c]!;
    x[r] = s / m[r * n + r]!;
  }
  return x;
}
