import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectDealflowError, type SuiteContext } from '../context.js';
import { at } from '../fixtures.js';

const T = 'tenant-a';

/** Idempotency keys, counters (round-robin cursors, per-rep load) and unique (duplicate-guard) keys. */
export function keyCases(ctx: SuiteContext): void {
  describe('idempotency keys', () => {
    it('stores a result under a key once and returns it; a second put is a CONFLICT', async () => {
      await ctx.withStore(async (s) => {
        expect(await s.transaction(T, (tx) => tx.getIdempotency('send:d1:abc'))).toBeUndefined();
        const result = { recordId: 'd1', version: 2, events: [{ kind: 'transition', to: 'won' }] };
        await s.transaction(T, (tx) => tx.putIdempotency('send:d1:abc', 'fp-1', result, at(0)));
        expect(await s.transaction(T, (tx) => tx.getIdempotency('send:d1:abc'))).toEqual({ fingerprint: 'fp-1', result });
        const err = await expectDealflowError(
          s.transaction(T, (tx) => tx.putIdempotency('send:d1:abc', 'fp-2', { other: true }, at(1))),
          'CONFLICT',
        );
        expect(err.message).toContain('send:d1:abc');
        expect(await s.transaction(T, (tx) => tx.getIdempotency('send:d1:abc'))).toEqual({ fingerprint: 'fp-1', result });
      });
    });

    it('keeps scalar and null results as they were stored', async () => {
      await ctx.withStore(async (s) => {
        await s.transaction(T, async (tx) => {
          await tx.putIdempotency('k-null', 'f', null, at(0));
          await tx.putIdempotency('k-num', 'f', 42, at(0));
          await tx.putIdempotency('k-str', 'f', 'ok', at(0));
        });
        const got = await s.transaction(T, async (tx) => [
          await tx.getIdempotency('k-null'),
          await tx.getIdempotency('k-num'),
          await tx.getIdempotency('k-str'),
        ]);
        expect(got).toEqual([
          { fingerprint: 'f', result: null },
          { fingerprint: 'f', result: 42 },
          { fingerprint: 'f', result: 'ok' },
        ]);
      });
    });
  });

  describe('counters', () => {
    it('increments (default 1, or by n), reads 0 when absent, and sets', async () => {
      await ctx.withStore(async (s) => {
        const values = await s.transaction(T, async (tx) => [
          await tx.getCounter('rr:north'),
          await tx.incrementCounter('rr:north'),
          await tx.incrementCounter('rr:north'),
          await tx.incrementCounter('load:rep-1', 5),
          await tx.incrementCounter('load:rep-1', -2),
          await tx.getCounter('load:rep-1'),
        ]);
        expect(values).toEqual([0, 1, 2, 5, 3, 3]);
        await s.transaction(T, (tx) => tx.setCounter('rr:north', 10));
        expect(await s.transaction(T, (tx) => tx.incrementCounter('rr:north'))).toBe(11);
        await s.transaction(T, (tx) => tx.setCounter('fresh', 7));
        expect(await s.transaction(T, (tx) => tx.getCounter('fresh'))).toBe(7);
      });
    });

    it('agrees with a reference model over random operation sequences (property)', async () => {
      const op = fc.oneof(
        fc.record({ op: fc.constant('inc' as const), key: fc.constantFrom('a', 'b'), by: fc.integer({ min: -5, max: 5 }) }),
        fc.record({ op: fc.constant('set' as const), key: fc.constantFrom('a', 'b'), by: fc.integer({ min: -100, max: 100 }) }),
        fc.record({ op: fc.constant('get' as const), key: fc.constantFrom('a', 'b', 'c'), by: fc.constant(0) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 20 }), async (ops) => {
          await ctx.withStore(async (s) => {
            const model = new Map<string, number>();
            const expected: number[] = [];
            for (const o of ops) {
              if (o.op === 'inc') model.set(o.key, (model.get(o.key) ?? 0) + o.by);
              if (o.op === 'set') model.set(o.key, o.by);
              expected.push(model.get(o.key) ?? 0);
            }
            const actual = await s.transaction(T, async (tx) => {
              const out: number[] = [];
              for (const o of ops) {
                if (o.op === 'inc') out.push(await tx.incrementCounter(o.key, o.by));
                else if (o.op === 'set') {
                  await tx.setCounter(o.key, o.by);
                  out.push(await tx.getCounter(o.key));
                } else out.push(await tx.getCounter(o.key));
              }
              return out;
            });
            expect(actual).toEqual(expected);
          });
        }),
        { numRuns: 20 },
      );
    });

    it.runIf(ctx.supports.concurrency)('hands out distinct round-robin positions to concurrent transactions', async () => {
      await ctx.withStore(async (s) => {
        const got = await Promise.all(
          Array.from({ length: 20 }, () => s.transaction(T, (tx) => tx.incrementCounter('rr:team'))),
        );
        expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        expect(await s.transaction(T, (tx) => tx.getCounter('rr:team'))).toBe(20);
      });
    });
  });

  describe('unique keys', () => {
    it('claims keys, reports conflicts with the holder and claims none of a conflicting batch', async () => {
      await ctx.withStore(async (s) => {
        expect(await s.transaction(T, (tx) => tx.claimUniqueKeys('lead-1', ['email:a@x.io', 'phone:+4712345678']))).toEqual([]);
        expect(await s.transaction(T, (tx) => tx.claimUniqueKeys('lead-1', ['email:a@x.io']))).toEqual([]);
        const conflicts = await s.transaction(T, (tx) => tx.claimUniqueKeys('lead-2', ['company:acme', 'email:a@x.io']));
        expect(conflicts).toEqual([{ key: 'email:a@x.io', recordId: 'lead-1' }]);
        expect(await s.transaction(T, (tx) => tx.findUniqueKey('company:acme'))).toBeNull();
        expect(await s.transaction(T, (tx) => tx.findUniqueKey('phone:+4712345678'))).toBe('lead-1');
      });
    });

    it('releases some or all keys of a record, and never another record\'s', async () => {
      await ctx.withStore(async (s) => {
        await s.transaction(T, async (tx) => {
          await tx.claimUniqueKeys('lead-1', ['k1', 'k2', 'k3']);
          await tx.claimUniqueKeys('lead-2', ['k4']);
        });
        await s.transaction(T, (tx) => tx.releaseUniqueKeys('lead-1', ['k1', 'k4']));
        expect(await s.transaction(T, (tx) => tx.findUniqueKey('k1'))).toBeNull();
        expect(await s.transaction(T, (tx) => tx.findUniqueKey('k4'))).toBe('lead-2');
        await s.transaction(T, (tx) => tx.releaseUniqueKeys('lead-1'));
        expect(await s.transaction(T, (tx) => tx.findUniqueKey('k2'))).toBeNull();
        expect(await s.transaction(T, (tx) => tx.findUniqueKey('k3'))).toBeNull();
        expect(await s.transaction(T, (tx) => tx.claimUniqueKeys('lead-3', ['k2']))).toEqual([]);
        expect(await s.transaction(T, (tx) => tx.findUniqueKey('k2'))).toBe('lead-3');
      });
    });

    it.runIf(ctx.supports.concurrency)('lets exactly one of many concurrent claimers win a key', async () => {
      await ctx.withStore(async (s) => {
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) => s.transaction(T, (tx) => tx.claimUniqueKeys(`lead-${i}`, ['email:same@x.io']))),
        );
        const winners = results.filter((r) => r.status === 'fulfilled' && r.value.length === 0);
        expect(winners.length).toBe(1);
        const holder = await s.transaction(T, (tx) => tx.findUniqueKey('email:same@x.io'));
        expect(holder).toMatch(/^lead-\d$/);
      });
    });
  });
}
