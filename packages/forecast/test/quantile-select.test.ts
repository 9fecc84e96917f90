import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quantile } from '../src/index.js';
import { quantilesBySelection } from '../src/stats/quantile.js';

describe('quantiles by selection', () => {
  it('equal the type-7 quantiles of the sorted values (ties, duplicates, any order)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 300 }), (xs) => {
        const qs = [0.1, 0.5, 0.9];
        const got = quantilesBySelection(xs, qs, new Float64Array(xs.length));
        qs.forEach((q, i) => expect(got[i]).toBeCloseTo(quantile(xs, q), 9));
      }),
    );
  });
});
