import { describe, expect, it } from 'vitest';
import { expectDealflowError, type SuiteContext } from '../context.js';

/** Store lifecycle: name, close. */
export function lifecycleCases(ctx: SuiteContext): void {
  describe('lifecycle', () => {
    it('has a short implementation name', async () => {
      await ctx.withStore(async (s) => {
        expect(typeof s.name).toBe('string');
        expect(s.name.length).toBeGreaterThan(0);
      });
    });

    it.runIf(ctx.supports.close)('throws CLOSED after close()', async () => {
      await ctx.withStore(async (s) => {
        await s.close();
        await expectDealflowError(s.getRecord('tenant-a', 'd1'), 'CLOSED');
        await expectDealflowError(s.transaction('tenant-a', async () => 1), 'CLOSED');
        await expectDealflowError(s.claimDueTimers({ now: new Date().toISOString(), limit: 1, leaseMs: 1, workerId: 'w' }), 'CLOSED');
      });
    });
  });
}
