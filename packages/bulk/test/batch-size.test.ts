/**
 * The size an import carries from one `createMany` window to the next: a fixed size stays fixed;
 * `'auto'` stays `'auto'` until a batch committed, then keeps each transaction near the target
 * within createMany's bounds, and a window's small remainder does not shrink it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBatchSizer } from '../src/batch-size.js';

describe('createBatchSizer', () => {
  it('passes a fixed size through whatever the batches took', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000 }), fc.array(fc.tuple(fc.integer({ min: 1, max: 2000 }), fc.double({ min: 0, max: 5000, noNaN: true }))), (size, seen) => {
      const sizer = createBatchSizer(size);
      for (const [n, ms] of seen) sizer.observe(n, ms);
      expect(sizer.next()).toBe(size);
    }));
  });

  it("answers 'auto' before any batch, then a size in 1…1000 within half and twice the batch it learned from", () => {
    expect(createBatchSizer(undefined).next()).toBe('auto');
    fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0, max: 5000, noNaN: true }), (n, ms) => {
      const sizer = createBatchSizer('auto');
      expect(sizer.next()).toBe('auto');
      sizer.observe(n, ms);
      const next = sizer.next() as number;
      expect(Number.isInteger(next)).toBe(true);
      expect(next).toBeGreaterThanOrEqual(Math.max(1, Math.floor(n / 2)));
      expect(next).toBeLessThanOrEqual(Math.min(1000, n * 2));
    }));
  });

  it('grows a fast batch toward the target and shrinks a slow one', () => {
    const fast = createBatchSizer('auto', 200);
    fast.observe(400, 100);
    expect(fast.next()).toBe(800);
    const slow = createBatchSizer('auto', 200);
    slow.observe(800, 400);
    expect(slow.next()).toBe(400);
  });

  it("ignores a window's remainder smaller than half the carried size", () => {
    const sizer = createBatchSizer('auto', 200);
    sizer.observe(1000, 200);
    sizer.observe(30, 5);
    expect(sizer.next()).toBe(1000);
  });
});
