import { describe, expect, test } from 'vitest';
import { createEngine, createManualClock, createMemoryStorage, defineBlueprint } from '../src/index.js';
import type { DeadlineEvent, NotifyEvent, BlueprintInput } from '../src/index.js';
import { dealJson, berlin } from './fixtures.js';

const rep = { actor: { id: 'ana', roles: ['rep'] } };

function setup(start: string, json: BlueprintInput = dealJson()) {
  const clock = createManualClock(start);
  const storage = createMemoryStorage();
  const engine = createEngine({ storage, blueprints: [defineBlueprint(json)], clock });
  return { engine, clock, storage };
}

async function qualifiedDeal(engine: ReturnType<typeof setup>['engine']) {
  const { record } = await engine.create('deal', { fields: { name: 'ACME' } }, rep);
  await engine.send(record.id, 'qualify', rep);
  return record.id;
}

describe('stage deadlines on a business calendar', () => {
  test('3 business days from Friday afternoon skip the weekend', async () => {
    // Friday 2026-01-09 15:00 Berlin (14:00Z) + 3 working days → Wednesday 2026-01-14 15:00 Berlin
    const { engine } = setup('2026-01-09T14:00:00.000Z');
    const id = await qualifiedDeal(engine);
    const timers = await engine.timers(id, { status: ['pending'] });
    const breach = timers.find((t) => t.kind === 'breach')!;
    expect(breach).toMatchObject({ stage: 'qualified', event: 'qualified.breach', dueAt: '2026-01-14T14:00:00.000Z' });
    // reminder 4 working hours earlier: Wednesday 11:00 Berlin
    expect(timers.find((t) => t.kind === 'reminder')?.dueAt).toBe('2026-01-14T10:00:00.000Z');
  });

  test('a holiday and a weekend both stretch the deadline', async () => {
    // Wed 2026-12-23 10:00 Berlin (09:00Z): Thu 24 (1), Fri 25 holiday, Sat/Sun, Mon 28 (2), Tue 29 (3)
    const { engine } = setup('2026-12-23T09:00:00.000Z');
    const id = await qualifiedDeal(engine);
    const breach = (await engine.timers(id)).find((t) => t.kind === 'breach')!;
    expect(breach.dueAt).toBe('2026-12-29T09:00:00.000Z');
  });

  test('wall-clock deadlines without a calendar', async () => {
    const json = dealJson();
    json.stages![1] = { ...json.stages![1]!, deadline: { within: 'PT4H', onBreach: 'qualified.breach' } };
    const { engine } = setup('2026-01-10T22:00:00.000Z', json); // Saturday night
    const id = await qualifiedDeal(engine);
    expect((await engine.timers(id)).map((t) => [t.kind, t.dueAt])).toEqual([['breach', '2026-01-11T02:00:00.000Z']]);
  });

  test('leaving the stage cancels its timers; nothing fires later', async () => {
    const { engine, clock } = setup('2026-01-05T09:00:00.000Z');
    const id = await qualifiedDeal(engine);
    await engine.send(id, { type: 'propose', fields: { amount: 10 } }, rep);
    const statuses = (await engine.timers(id)).map((t) => t.status);
    expect(statuses).toEqual(['cancelled', 'cancelled']);
    clock.advance('P30D');
    expect(await engine.runDue()).toEqual({ fired: 0, noop: 0, rejected: 0, leaseLost: 0 });
    expect((await engine.get(id))?.stage).toBe('proposal');
  });

  test('breach fires through the send path: escalation is ordinary process logic', async () => {
    const { engine, clock, storage } = setup('2026-01-09T14:00:00.000Z');
    const id = await qualifiedDeal(engine);
    const breaches: DeadlineEvent[] = [];
    const reminders: DeadlineEvent[] = [];
    const notes: NotifyEvent[] = [];
    engine.on('deadline.breached', (e) => breaches.push(e));
    engine.on('reminder', (e) => reminders.push(e));
    engine.on('notify', (e) => notes.push(e));

    clock.set('2026-01-13T16:00:00.000Z'); // Tuesday evening: not due yet
    expect(await engine.runDue()).toMatchObject({ fired: 0 });

    clock.set('2026-01-14T10:30:00.000Z'); // reminder due
    expect(await engine.runDue()).toMatchObject({ fired: 1 });
    expect(reminders).toHaveLength(1);
    expect(breaches).toHaveLength(0);

    clock.set('2026-01-14T14:00:00.000Z'); // breach due exactly now
    expect(await engine.runDue()).toMatchObject({ fired: 1, rejected: 0 });
    expect(breaches).toHaveLength(1);
    expect(breaches[0]?.stage).toBe('qualified');
    const rec = await engine.get(id);
    expect(rec).toMatchObject({ stage: 'qualified', fields: { escalated: true } });
    expect(notes).toEqual([expect.objectContaining({ to: 'manager', channel: 'email', message: 'deal-stuck', data: { deal: id } })]);
    const h = await engine.history(id);
    expect(h.map((e) => e.kind)).toEqual(['created', 'transition', 'reminder', 'transition']);
    expect(h[3]).toMatchObject({ event: 'qualified.breach', actorId: expect.stringMatching(/^worker:runDue:/) });
    expect((await engine.timers(id)).map((t) => [t.kind, t.status, t.outcome])).toEqual([
      ['reminder', 'done', 'fired'],
      ['breach', 'done', 'fired'],
    ]);
    const types = (await storage.readOutbox({ limit: 100 })).map((m) => m.type);
    expect(types).toEqual(expect.arrayContaining(['dealflow.reminder', 'dealflow.notify']));
    // nothing due any more
    clock.advance('P10D');
    expect(await engine.runDue()).toMatchObject({ fired: 0 });
  });

  test('a timer for a stage the record left is a recorded no-op', async () => {
    const { engine, clock, storage } = setup('2026-01-05T09:00:00.000Z');
    const id = await qualifiedDeal(engine);
    const breach = (await engine.timers(id)).find((t) => t.kind === 'breach')!;
    clock.set(breach.dueAt);
    const claimed = await storage.claimDueTimers({ now: breach.dueAt, limit: 10, leaseMs: 60_000, workerId: 'w1' });
    expect(claimed.map((t) => t.kind)).toEqual(['reminder', 'breach']);
    const claimedBreach = claimed[1];
    // the record moves on before the worker fires (cancel only touches pending/claimed timers,
    // so simulate a record that left the stage without cancelling: move it via the store)
    await storage.transaction('default', async (tx) => {
      const r = (await tx.getRecord(id))!;
      await tx.updateRecord({ ...r, stage: 'proposal', version: r.version + 1 }, r.version);
      await tx.appendHistory([{ tenantId: 'default', id: 'manual', recordId: id, seq: r.version + 1, at: breach.dueAt, kind: 'transition', from: 'qualified', to: 'proposal', data: { changes: { stage: 'proposal' } } }]);
    });
    const res = await engine.fireTimer(claimedBreach!, { workerId: 'w1' });
    expect(res.outcome).toBe('noop');
    const t = (await engine.timers(id)).find((x) => x.id === breach.id)!;
    expect(t).toMatchObject({ status: 'done', outcome: 'noop:stale' });
    expect((await engine.get(id))?.fields.escalated).toBeUndefined();
  });

  test('fireTimer by a worker that lost the lease writes nothing', async () => {
    const { engine, clock, storage } = setup('2026-01-05T09:00:00.000Z');
    const id = await qualifiedDeal(engine);
    const breach = (await engine.timers(id)).find((t) => t.kind === 'breach')!;
    clock.set(breach.dueAt);
    const first = await storage.claimDueTimers({ now: breach.dueAt, limit: 10, leaseMs: 1000, workerId: 'slow' });
    const later = new Date(Date.parse(breach.dueAt) + 5000).toISOString();
    const second = await storage.claimDueTimers({ now: later, limit: 10, leaseMs: 60_000, workerId: 'fast' });
    expect(second.map((t) => t.id).sort()).toEqual(first.map((t) => t.id).sort());
    const slowBreach = first.find((t) => t.kind === 'breach')!;
    expect(await engine.fireTimer(slowBreach, { workerId: 'slow' })).toEqual({ outcome: 'lease-lost' });
    expect((await engine.get(id))?.version).toBe(2);
    const fastBreach = second.find((t) => t.kind === 'breach')!;
    expect((await engine.fireTimer(fastBreach, { workerId: 'fast' })).outcome).toBe('fired');
    expect((await engine.get(id))?.fields.escalated).toBe(true);
    // firing the same timer again: already done → lease-lost, no second effect
    expect((await engine.fireTimer(fastBreach, { workerId: 'fast' })).outcome).toBe('lease-lost');
    expect((await engine.history(id)).filter((e) => e.event === 'qualified.breach')).toHaveLength(1);
  });

  test('a breach whose transition is refused by its guard is recorded as rejected', async () => {
    const json = dealJson();
    json.transitions![1] = { ...json.transitions![1]!, guard: { '!': [{ var: 'fields.escalated' }] } };
    const { engine, clock } = setup('2026-01-05T09:00:00.000Z', json);
    const { record } = await engine.create('deal', { fields: { name: 'x', escalated: true } }, rep);
    await engine.send(record.id, 'qualify', rep);
    clock.advance('P10D');
    expect(await engine.runDue()).toMatchObject({ fired: 1, rejected: 1 });
    const breach = (await engine.timers(record.id)).find((t) => t.kind === 'breach')!;
    expect(breach).toMatchObject({ status: 'done', outcome: 'rejected:guard' });
  });

  test('a breach that moves the record out of the stage fires once and cancels the rest', async () => {
    const json = dealJson();
    json.stages![1] = { ...json.stages![1]!, deadline: { within: 'P1D', businessTime: 'berlin', remindBefore: ['PT1H'], onBreach: 'lose' } };
    const { engine, clock } = setup('2026-01-05T09:00:00.000Z', json);
    const id = await qualifiedDeal(engine);
    clock.advance('P3D'); // reminder and breach both due
    expect(await engine.runDue()).toMatchObject({ fired: 2, leaseLost: 0 });
    expect((await engine.get(id))?.stage).toBe('lost');
    expect((await engine.timers(id)).map((t) => [t.kind, t.status, t.outcome])).toEqual([
      ['reminder', 'done', 'fired'],
      ['breach', 'done', 'fired'],
    ]);
  });

  test('an initial stage with a deadline gets its timers at creation', async () => {
    const json = dealJson();
    json.stages![0] = { ...json.stages![0]!, deadline: { within: 'PT8H', businessTime: 'berlin', onBreach: 'lose' } };
    const { engine } = setup('2026-01-09T15:00:00.000Z', json); // Friday 16:00 Berlin
    const { record } = await engine.create('deal', { fields: { name: 'x' } }, rep);
    // 1 working hour left on Friday, 7 more on Monday → Monday 16:00 Berlin
    expect((await engine.timers(record.id)).map((t) => [t.kind, t.dueAt])).toEqual([['breach', '2026-01-12T15:00:00.000Z']]);
    expect(berlin.timeZone).toBe('Europe/Berlin');
  });
});
