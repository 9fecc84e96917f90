import { describe, expect, it } from 'vitest';
import type { Storage } from '@dealflow/core';
import type { SuiteContext } from '../context.js';
import { at, makeTimer } from '../fixtures.js';

const T = 'tenant-a';

async function seed(s: Storage, count: number, tenantId = T, prefix = 'tm'): Promise<void> {
  await s.transaction(tenantId, (tx) =>
    tx.scheduleTimers(
      Array.from({ length: count }, (_, i) =>
        makeTimer({ tenantId, id: `${prefix}-${String(i).padStart(3, '0')}`, recordId: `rec-${i % 3}`, dueAt: at(i * 1000) }),
      ),
    ),
  );
}

/** Timers: schedule, replace by key, cancel, claim with lease, lease expiry, complete, lag. */
export function timerCases(ctx: SuiteContext): void {
  describe('timers', () => {
    it('schedules timers and lists them by dueAt then id, filtered by status', async () => {
      await ctx.withStore(async (s) => {
        const a = makeTimer({ tenantId: T, id: 'b', recordId: 'd1', dueAt: at(2000), payload: { level: 2 }, kind: 'reminder' });
        const b = makeTimer({ tenantId: T, id: 'a', recordId: 'd1', dueAt: at(2000) });
        const c = makeTimer({ tenantId: T, id: 'c', recordId: 'd1', dueAt: at(1000), stage: null });
        const other = makeTimer({ tenantId: T, id: 'z', recordId: 'd2', dueAt: at(0) });
        await s.transaction(T, (tx) => tx.scheduleTimers([a, b, c, other]));
        const listed = await s.transaction(T, (tx) => tx.listTimers('d1'));
        expect(listed.map((t) => t.id)).toEqual(['c', 'a', 'b']);
        expect(listed[2]).toEqual(a);
        expect(await s.transaction(T, (tx) => tx.getTimer('c'))).toEqual(c);
        expect(await s.transaction(T, (tx) => tx.getTimer('nope'))).toBeNull();
        expect(await s.transaction(T, (tx) => tx.listTimers('d1', { status: ['done'] }))).toEqual([]);
        expect((await s.transaction(T, (tx) => tx.listTimers('d1', { status: ['pending'] }))).length).toBe(3);
      });
    });

    it('listTimersOf (where the store has it) gives each record what listTimers gives, in one read', async () => {
      await ctx.withStore(async (s) => {
        await seed(s, 12);
        await s.transaction(T, (tx) => tx.scheduleTimers([makeTimer({ tenantId: T, id: 'x-1', recordId: 'rec-1', key: 'k', dueAt: at(500) })]));
        await s.transaction(T, (tx) => tx.scheduleTimers([makeTimer({ tenantId: T, id: 'x-2', recordId: 'rec-1', key: 'k', dueAt: at(700) })]));
        await s.transaction(T, (tx) => tx.completeTimer('tm-000', null, 'fired', at(9000)));
        await seed(s, 2, 'tenant-b', 'other');
        await s.transaction(T, async (tx) => {
          if (!tx.listTimersOf) return; // optional: stores whose reads cost no round trip leave it out
          const ids = ['rec-2', 'rec-0', 'none', 'rec-1', 'rec-0'];
          for (const status of [undefined, ['pending', 'claimed'] as const, ['cancelled'] as const, [] as const]) {
            const options = status ? { status: [...status] } : {};
            const many = await tx.listTimersOf(ids, options);
            for (const id of new Set(ids)) expect(many.filter((t) => t.recordId === id)).toEqual(await tx.listTimers(id, options));
            expect(many.every((t) => t.tenantId === T && ids.includes(t.recordId))).toBe(true);
          }
          expect((await tx.listTimersOf(['rec-1'], { status: ['cancelled'] })).map((t) => t.id)).toEqual(['x-1']);
          expect((await tx.listTimersOf(['rec-0'], { status: ['done'] })).map((t) => t.id)).toEqual(['tm-000']);
          expect(await tx.listTimersOf([])).toEqual([]);
        });
      });
    });

    it('replaces a pending timer that has the same (record, key)', async () => {
      await ctx.withStore(async (s) => {
        await s.transaction(T, (tx) =>
          tx.scheduleTimers([
            makeTimer({ tenantId: T, id: 't1', recordId: 'd1', key: 'stage-deadline', dueAt: at(1000) }),
            makeTimer({ tenantId: T, id: 'o1', recordId: 'd2', key: 'stage-deadline', dueAt: at(1000) }),
          ]),
        );
        await s.transaction(T, (tx) =>
          tx.scheduleTimers([makeTimer({ tenantId: T, id: 't2', recordId: 'd1', key: 'stage-deadline', dueAt: at(5000) })]),
        );
        const pending = await s.transaction(T, (tx) => tx.listTimers('d1', { status: ['pending'] }));
        expect(pending.map((t) => t.id)).toEqual(['t2']);
        expect(await s.transaction(T, (tx) => tx.getTimer('t1'))).toMatchObject({ status: 'cancelled', outcome: 'replaced' });
        expect((await s.transaction(T, (tx) => tx.getTimer('o1')))?.status).toBe('pending');
        const claimed = await s.claimDueTimers({ now: at(10_000), limit: 10, leaseMs: 1000, workerId: 'w' });
        expect(claimed.map((t) => t.id).sort()).toEqual(['o1', 't2']);
      });
    });

    it('within one transaction, cancel then schedule: a key still held after the cancel is replaced, a freed one is not doubled', async () => {
      await ctx.withStore(async (s) => {
        await s.transaction(T, (tx) =>
          tx.scheduleTimers([
            makeTimer({ tenantId: T, id: 'a1', recordId: 'd1', kind: 'breach', key: 'deadline:a', stage: 'a', dueAt: at(1000) }),
            makeTimer({ tenantId: T, id: 'k1', recordId: 'd1', kind: 'escalation', key: 'keep', stage: 'a', dueAt: at(1000) }),
          ]),
        );
        const cancelled = await s.transaction(T, async (tx) => {
          const n = await tx.cancelTimers('d1', { kinds: ['breach'] }); // leaves 'keep' active
          await tx.scheduleTimers([
            makeTimer({ tenantId: T, id: 'k2', recordId: 'd1', kind: 'escalation', key: 'keep', stage: 'b', dueAt: at(2000) }),
            makeTimer({ tenantId: T, id: 'b1', recordId: 'd1', kind: 'breach', key: 'deadline:b', stage: 'b', dueAt: at(2000) }),
            makeTimer({ tenantId: T, id: 'b2', recordId: 'd1', kind: 'breach', key: 'deadline:b', stage: 'b', dueAt: at(3000) }),
          ]);
          return n;
        });
        expect(cancelled).toBe(1);
        const active = await s.transaction(T, (tx) => tx.listTimers('d1', { status: ['pending', 'claimed'] }));
        expect(active.map((t) => t.id).sort()).toEqual(['b2', 'k2']);
        const statuses = await s.transaction(T, async (tx) => Promise.all(['a1', 'k1', 'b1'].map(async (id) => (await tx.getTimer(id))?.status)));
        expect(statuses).toEqual(['cancelled', 'cancelled', 'cancelled']);
      });
    });

    it('cancels pending timers: all, by kind, by key, by stage; returns the count; leaves done ones alone', async () => {
      await ctx.withStore(async (s) => {
        await s.transaction(T, (tx) =>
          tx.scheduleTimers([
            makeTimer({ tenantId: T, id: 'k1', recordId: 'd1', kind: 'breach', key: 'k1', stage: 'new' }),
            makeTimer({ tenantId: T, id: 'k2', recordId: 'd1', kind: 'reminder', key: 'k2', stage: 'new' }),
            makeTimer({ tenantId: T, id: 'k3', recordId: 'd1', kind: 'reminder', key: 'k3', stage: 'qualified' }),
            makeTimer({ tenantId: T, id: 'k4', recordId: 'd1', kind: 'inactivity', key: 'k4', stage: 'qualified' }),
            makeTimer({ tenantId: T, id: 'k5', recordId: 'd1', kind: 'task', key: 'k5', stage: 'qualified' }),
            makeTimer({ tenantId: T, id: 'x1', recordId: 'd2', kind: 'breach' }),
          ]),
        );
        expect(await s.transaction(T, (tx) => tx.completeTimer('k5', null, 'fired', at(1)))).toBe(true);
        expect(await s.transaction(T, (tx) => tx.cancelTimers('d1', { kinds: ['reminder'] }))).toBe(2);
        expect(await s.transaction(T, (tx) => tx.cancelTimers('d1', { keys: ['k1', 'nope'] }))).toBe(1);
        expect(await s.transaction(T, (tx) => tx.cancelTimers('d1', { stage: 'new' }))).toBe(0);
        expect(await s.transaction(T, (tx) => tx.cancelTimers('d1'))).toBe(1);
        expect(await s.transaction(T, (tx) => tx.cancelTimers('d1'))).toBe(0);
        const all = await s.transaction(T, (tx) => tx.listTimers('d1'));
        expect(Object.fromEntries(all.map((t) => [t.id, t.status]))).toEqual({
          k1: 'cancelled', k2: 'cancelled', k3: 'cancelled', k4: 'cancelled', k5: 'done',
        });
        expect(all.find((t) => t.id === 'k2')?.finishedAt).not.toBeNull();
        expect(Object.fromEntries(all.map((t) => [t.id, t.outcome]))).toEqual({
          k1: 'cancelled', k2: 'cancelled', k3: 'cancelled', k4: 'cancelled', k5: 'fired',
        });
        expect((await s.transaction(T, (tx) => tx.getTimer('x1')))?.status).toBe('pending');
      });
    });

    it('claims only due timers, in dueAt order, up to the limit, setting the lease', async () => {
      await ctx.withStore(async (s) => {
        await seed(s, 6);
        const claimed = await s.claimDueTimers({ now: at(3000), limit: 3, leaseMs: 60_000, workerId: 'w1' });
        expect(claimed.map((t) => t.id)).toEqual(['tm-000', 'tm-001', 'tm-002']);
        for (const t of claimed) {
          expect(t.status).toBe('claimed');
          expect(t.leaseOwner).toBe('w1');
          expect(t.leaseUntil).toBe(at(63_000));
          expect(t.attempts).toBe(1);
        }
        const next = await s.claimDueTimers({ now: at(3000), limit: 10, leaseMs: 60_000, workerId: 'w2' });
        expect(next.map((t) => t.id)).toEqual(['tm-003']);
        expect(await s.claimDueTimers({ now: at(3000), limit: 10, leaseMs: 60_000, workerId: 'w3' })).toEqual([]);
        const stored = await s.transaction(T, (tx) => tx.getTimer('tm-001'));
        expect(stored?.status).toBe('claimed');
        expect(stored?.leaseOwner).toBe('w1');
      });
    });

    it('lets another worker claim a timer after its lease expired, and only the new owner may complete it', async () => {
      await ctx.withStore(async (s) => {
        await seed(s, 1);
        const [first] = await s.claimDueTimers({ now: at(0), limit: 1, leaseMs: 1000, workerId: 'crashed' });
        expect(first?.id).toBe('tm-000');
        expect(await s.claimDueTimers({ now: at(999), limit: 1, leaseMs: 1000, workerId: 'w2' })).toEqual([]);
        const [again] = await s.claimDueTimers({ now: at(1000), limit: 1, leaseMs: 1000, workerId: 'w2' });
        expect(again?.id).toBe('tm-000');
        expect(again?.leaseOwner).toBe('w2');
        expect(again?.attempts).toBe(2);
        expect(await s.transaction(T, (tx) => tx.completeTimer('tm-000', 'crashed', 'fired', at(1100)))).toBe(false);
        expect((await s.transaction(T, (tx) => tx.getTimer('tm-000')))?.status).toBe('claimed');
        expect(await s.transaction(T, (tx) => tx.completeTimer('tm-000', 'w2', 'fired', at(1200)))).toBe(true);
        const done = await s.transaction(T, (tx) => tx.getTimer('tm-000'));
        expect(done).toMatchObject({ status: 'done', outcome: 'fired', finishedAt: at(1200) });
        expect(await s.transaction(T, (tx) => tx.completeTimer('tm-000', 'w2', 'fired', at(1300)))).toBe(false);
        expect(await s.claimDueTimers({ now: at(99_000), limit: 5, leaseMs: 1000, workerId: 'w3' })).toEqual([]);
      });
    });

    it('completes a pending timer with workerId null (runDue path) but not a claimed one', async () => {
      await ctx.withStore(async (s) => {
        await seed(s, 2);
        expect(await s.transaction(T, (tx) => tx.completeTimer('tm-000', null, 'noop:stale', at(5)))).toBe(true);
        expect((await s.transaction(T, (tx) => tx.getTimer('tm-000')))?.outcome).toBe('noop:stale');
        await s.claimDueTimers({ now: at(1000), limit: 5, leaseMs: 1000, workerId: 'w1' });
        expect(await s.transaction(T, (tx) => tx.completeTimer('tm-001', null, 'fired', at(5)))).toBe(false);
        expect(await s.transaction(T, (tx) => tx.completeTimer('missing', null, 'fired', at(5)))).toBe(false);
      });
    });

    it('does not claim cancelled or done timers', async () => {
      await ctx.withStore(async (s) => {
        await seed(s, 3);
        await s.transaction(T, (tx) => tx.cancelTimers('rec-0'));
        await s.transaction(T, (tx) => tx.completeTimer('tm-001', null, 'fired', at(1)));
        const claimed = await s.claimDueTimers({ now: at(10_000), limit: 10, leaseMs: 1000, workerId: 'w' });
        expect(claimed.map((t) => t.id)).toEqual(['tm-002']);
      });
    });

    it('a cancelled claimed timer cannot be completed by its worker', async () => {
      await ctx.withStore(async (s) => {
        await seed(s, 1);
        await s.claimDueTimers({ now: at(0), limit: 1, leaseMs: 10_000, workerId: 'w1' });
        expect(await s.transaction(T, (tx) => tx.cancelTimers('rec-0'))).toBe(1);
        expect(await s.transaction(T, (tx) => tx.completeTimer('tm-000', 'w1', 'fired', at(1)))).toBe(false);
        expect((await s.transaction(T, (tx) => tx.getTimer('tm-000')))?.status).toBe('cancelled');
      });
    });

    it('claims across tenants by default and within one tenant when asked', async () => {
      await ctx.withStore(async (s) => {
        await seed(s, 2, 'tenant-a', 'a');
        await seed(s, 2, 'tenant-b', 'b');
        const onlyB = await s.claimDueTimers({ now: at(5000), limit: 10, leaseMs: 1000, workerId: 'w', tenantId: 'tenant-b' });
        expect(onlyB.map((t) => `${t.tenantId}/${t.id}`).sort()).toEqual(['tenant-b/b-000', 'tenant-b/b-001']);
        const rest = await s.claimDueTimers({ now: at(5000), limit: 10, leaseMs: 1000, workerId: 'w' });
        expect(rest.map((t) => `${t.tenantId}/${t.id}`).sort()).toEqual(['tenant-a/a-000', 'tenant-a/a-001']);
      });
    });

    it('reports the oldest due time of pending timers, per tenant or overall', async () => {
      await ctx.withStore(async (s) => {
        expect(await s.oldestDueAt()).toBeNull();
        await s.transaction('tenant-a', (tx) =>
          tx.scheduleTimers([
            makeTimer({ tenantId: 'tenant-a', id: 'a1', recordId: 'd', dueAt: at(5000) }),
            makeTimer({ tenantId: 'tenant-a', id: 'a2', recordId: 'd', dueAt: at(3000) }),
          ]),
        );
        await s.transaction('tenant-b', (tx) =>
          tx.scheduleTimers([makeTimer({ tenantId: 'tenant-b', id: 'b1', recordId: 'd', dueAt: at(1000) })]),
        );
        expect(await s.oldestDueAt()).toBe(at(1000));
        expect(await s.oldestDueAt({ tenantId: 'tenant-a' })).toBe(at(3000));
        await s.transaction('tenant-a', (tx) => tx.completeTimer('a2', null, 'fired', at(6000)));
        expect(await s.oldestDueAt({ tenantId: 'tenant-a' })).toBe(at(5000));
        await s.transaction('tenant-a', (tx) => tx.cancelTimers('d'));
        expect(await s.oldestDueAt({ tenantId: 'tenant-a' })).toBeNull();
      });
    });

    it.runIf(ctx.supports.concurrency)('never hands the same timer to two concurrent claimers', async () => {
      await ctx.withStore(async (s) => {
        await s.transaction(T, (tx) =>
          tx.scheduleTimers(
            Array.from({ length: 60 }, (_, i) => makeTimer({ tenantId: T, id: `c-${i}`, recordId: `r-${i % 7}`, dueAt: at(i) })),
          ),
        );
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, w) => s.claimDueTimers({ now: at(100), limit: 15, leaseMs: 60_000, workerId: `w${w}` })),
        );
        const ids = results.flat().map((t) => t.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.length).toBe(60);
        for (const [w, batch] of results.entries()) for (const t of batch) expect(t.leaseOwner).toBe(`w${w}`);
      });
    });
  });
}
