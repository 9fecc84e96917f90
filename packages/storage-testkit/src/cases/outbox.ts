import { describe, expect, it } from 'vitest';
import type { SuiteContext } from '../context.js';
import { at, makeOutboxMessage } from '../fixtures.js';

/** Outbox: messages committed with their transaction, read in position order, acked. */
export function outboxCases(ctx: SuiteContext): void {
  describe('outbox', () => {
    it('reads committed messages in insertion order with increasing positions, after a position, with a limit', async () => {
      await ctx.withStore(async (s) => {
        await s.transaction('tenant-a', (tx) =>
          tx.appendOutbox([
            makeOutboxMessage({ tenantId: 'tenant-a', id: 'm1', recordId: 'd1', payload: { to: 'won' }, createdAt: at(0) }),
            makeOutboxMessage({ tenantId: 'tenant-a', id: 'm2', recordId: 'd1', createdAt: at(0) }),
          ]),
        );
        await s.transaction('tenant-b', (tx) => tx.appendOutbox([makeOutboxMessage({ tenantId: 'tenant-b', id: 'm3', type: 'dealflow.notify' })]));
        await s.transaction('tenant-a', (tx) => tx.appendOutbox([makeOutboxMessage({ tenantId: 'tenant-a', id: 'm4', recordId: 'd2' })]));
        const all = await s.readOutbox({ limit: 10 });
        expect(all.map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'm4']);
        const positions = all.map((m) => m.position ?? Number.NaN);
        for (let i = 1; i < positions.length; i++) expect(positions[i]!).toBeGreaterThan(positions[i - 1]!);
        const { position: _p, ...first } = all[0]!;
        expect(first).toEqual(makeOutboxMessage({ tenantId: 'tenant-a', id: 'm1', recordId: 'd1', payload: { to: 'won' }, createdAt: at(0) }));
        expect((await s.readOutbox({ limit: 2 })).map((m) => m.id)).toEqual(['m1', 'm2']);
        expect((await s.readOutbox({ limit: 10, afterPosition: positions[1] })).map((m) => m.id)).toEqual(['m3', 'm4']);
        expect((await s.readOutbox({ limit: 10, tenantId: 'tenant-a' })).map((m) => m.id)).toEqual(['m1', 'm2', 'm4']);
      });
    });

    it('acks (deletes) messages up to and including a position', async () => {
      await ctx.withStore(async (s) => {
        await s.transaction('tenant-a', (tx) =>
          tx.appendOutbox(['m1', 'm2', 'm3'].map((id) => makeOutboxMessage({ tenantId: 'tenant-a', id }))),
        );
        const all = await s.readOutbox({ limit: 10 });
        await s.ackOutbox(all[1]!.position!);
        expect((await s.readOutbox({ limit: 10 })).map((m) => m.id)).toEqual(['m3']);
        await s.transaction('tenant-a', (tx) => tx.appendOutbox([makeOutboxMessage({ tenantId: 'tenant-a', id: 'm4' })]));
        const rest = await s.readOutbox({ limit: 10 });
        expect(rest.map((m) => m.id)).toEqual(['m3', 'm4']);
        expect(rest[1]!.position!).toBeGreaterThan(all[2]!.position!);
      });
    });

    it('acks only the given tenant when asked', async () => {
      await ctx.withStore(async (s) => {
        await s.transaction('tenant-a', (tx) => tx.appendOutbox([makeOutboxMessage({ tenantId: 'tenant-a', id: 'a1' })]));
        await s.transaction('tenant-b', (tx) => tx.appendOutbox([makeOutboxMessage({ tenantId: 'tenant-b', id: 'b1' })]));
        const all = await s.readOutbox({ limit: 10 });
        await s.ackOutbox(all[1]!.position!, { tenantId: 'tenant-b' });
        expect((await s.readOutbox({ limit: 10 })).map((m) => m.id)).toEqual(['a1']);
      });
    });
  });
}
