/**
 * `createBatchSizer`: the size of `'auto'` batches, learned from batches of at least half its size, within
 * 1…1 000 and at most doubling or halving per batch; passed as `batchSize`, it carries what one
 * batch call learned into the next.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBatchSizer, createEngine, createMemoryStorage, isDealflowError } from '../src/index.js';
import type { BlueprintInput } from '../src/index.js';

const lead: BlueprintInput = {
  id: 'lead', version: 1, recordType: 'lead', initialStage: 'new',
  fields: { name: { type: 'string', required: true } },
  stages: [{ id: 'new', kind: 'open' }, { id: 'lost', kind: 'lost' }],
  transitions: [{ event: 'lose', from: 'new', to: 'lost' }],
};

describe('createBatchSizer', () => {
  it('learns from batches of at least half its size, within half and twice that batch, in 1…1000', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 1000 }),
      fc.array(fc.tuple(fc.integer({ min: 1, max: 2000 }), fc.double({ min: 0, max: 5000, noNaN: true }))),
      (start, seen) => {
        const sizer = createBatchSizer({ start });
        for (const [n, ms] of seen) {
          const before = sizer.size;
          sizer.observe(n, ms);
          expect(Number.isInteger(sizer.size)).toBe(true);
          if (n < before / 2) {
            expect(sizer.size).toBe(before);
            continue;
          }
          expect(sizer.size).toBeGreaterThanOrEqual(Math.max(1, Math.floor(n / 2)));
          expect(sizer.size).toBeLessThanOrEqual(Math.min(1000, n * 2));
        }
      },
    ));
  });

  it('grows a fast batch toward the target and shrinks a slow one', () => {
    const fast = createBatchSizer({ start: 400, targetMs: 200 });
    fast.observe(400, 100);
    expect(fast.size).toBe(800);
    const slow = createBatchSizer({ start: 800, targetMs: 200 });
    slow.observe(800, 400);
    expect(slow.size).toBe(400);
  });

  it('refuses a bad start or target with INPUT_INVALID', () => {
    for (const bad of [{ start: 0 }, { start: 1001 }, { start: 2.5 }, { targetMs: 0 }, { targetMs: Number.NaN }]) {
      let err: unknown;
      try {
        createBatchSizer(bad);
      } catch (e) {
        err = e;
      }
      expect(isDealflowError(err, 'INPUT_INVALID')).toBe(true);
    }
  });

  it('carries what one createMany call learned into the next call', async () => {
    const engine = createEngine({ storage: createMemoryStorage(), blueprints: [lead] });
    const sizer = createBatchSizer({ start: 10, targetMs: 10_000 });
    const sizes: number[] = [];
    const items = (from: number) => Array.from({ length: 40 }, (_, i) => ({ fields: { name: `L${from + i}` } }));
    await engine.createMany('lead', items(0), { batchSize: sizer, onBatch: (b) => { sizes.push(b.to - b.from); } });
    // memory-store batches are far below 10 s: each full batch doubles (10, 20, then the 10 left)
    expect(sizes).toEqual([10, 20, 10]);
    expect(sizer.size).toBe(40);
    sizes.length = 0;
    await engine.createMany('lead', items(40), { batchSize: sizer, onBatch: (b) => { sizes.push(b.to - b.from); } });
    expect(sizes).toEqual([40]);
    expect((await engine.query({ type: 'lead' })).length).toBe(80);
  });

  it("refuses targetMs beside a sizer (the sizer has its own)", async () => {
    const engine = createEngine({ storage: createMemoryStorage(), blueprints: [lead] });
    await expect(engine.createMany('lead', [{ fields: { name: 'x' } }], { batchSize: createBatchSizer(), targetMs: 50 }))
      .rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });
});
