import { describe, expect, test } from 'vitest';
import { createEngine, createManualClock, createMemoryStorage, defineBlueprint } from '../src/index.js';
import { dealJson } from './fixtures.js';

describe('tenants', () => {
  test('records, history and timers are scoped to the call tenant; fireTimer works in the timer tenant', async () => {
    const storage = createMemoryStorage();
    const clock = createManualClock('2026-01-05T09:00:00.000Z');
    const engine = createEngine({ storage, blueprints: [defineBlueprint(dealJson())], clock, tenantId: 'acme' });
    expect(engine.tenantId).toBe('acme');
    const a = (await engine.create('deal', { id: 'd1', fields: { name: 'A' } })).record;
    const b = (await engine.create('deal', { id: 'd1', fields: { name: 'B' } }, { tenantId: 'globex' })).record;
    expect([a.tenantId, b.tenantId]).toEqual(['acme', 'globex']);
    await engine.send('d1', 'qualify', { tenantId: 'globex' });
    expect((await engine.get('d1'))?.stage).toBe('prospecting');
    expect((await engine.get('d1', { tenantId: 'globex' }))?.stage).toBe('qualified');
    expect(await engine.history('d1')).toHaveLength(1);
    expect(await engine.history('d1', { tenantId: 'globex' })).toHaveLength(2);

    clock.advance('P10D');
    // runDue serves the engine's own tenant only
    expect(await engine.runDue()).toMatchObject({ fired: 0 });
    // a worker serving every tenant claims globex's timers and fires them in that tenant
    const due = await storage.claimDueTimers({ now: clock.now().toISOString(), limit: 10, leaseMs: 60_000, workerId: 'w' });
    expect(due.map((t) => t.tenantId)).toEqual(['globex', 'globex']);
    for (const t of due) expect((await engine.fireTimer(t, { workerId: 'w' })).outcome).toBe('fired');
    expect((await engine.get('d1', { tenantId: 'globex' }))?.fields.escalated).toBe(true);
    expect((await engine.get('d1'))?.fields.escalated).toBeUndefined();
  });
});
