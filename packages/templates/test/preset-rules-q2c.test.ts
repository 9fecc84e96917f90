/**
 * The preset sales rules of the customer, contract, order and payment-plan templates, run on an
 * engine with every template and every preset (setupFullCycle's default): approvals hold the
 * events they name and only those, escalations notify on the working-week calendar.
 */
import { describe, expect, it } from 'vitest';
import { createManualClock, createMemoryDirectory, createMemoryStorage } from '@dealflow/core';
import type { StoredRecord } from '@dealflow/core';
import { setupFullCycle } from '@dealflow/templates';

const ANA = { id: 'ana', roles: ['rep'] };
const MAX = { id: 'max', roles: ['manager'] };
const DORA = { id: 'dora', roles: ['director'] };
const DAY = 24 * 3_600_000;

function setup() {
  const clock = createManualClock('2026-03-02T01:00:00.000Z'); // Monday 09:00 in Shanghai
  const directory = createMemoryDirectory({
    reps: [
      { id: 'ana', roles: ['rep'], managerId: 'max' },
      { id: 'max', roles: ['manager'], managerId: 'dora' },
      { id: 'dora', roles: ['director'] },
    ],
  });
  const storage = createMemoryStorage();
  const cycle = setupFullCycle({ storage, clock, directory });
  /** The escalations' notifications, as the outbox relay would deliver them. */
  const notes = async (message: string): Promise<Array<{ to: string; recordId: string | null }>> =>
    (await storage.readOutbox({ limit: 1000 }))
      .filter((m) => m.type === 'dealflow.notify' && (m.payload as { message?: string }).message === message)
      .flatMap((m) => [(m.payload as { to: string | string[] }).to].flat().map((to) => ({ to, recordId: m.recordId })))
      .sort((a, b) => a.to.localeCompare(b.to));
  const send = async (id: string, type: string, fields: Record<string, unknown> = {}, actor = ANA): Promise<StoredRecord> => {
    const r = await cycle.engine.send(id, { type, fields }, { actor });
    if (!r.ok) throw new Error(r.rejection.message);
    return r.record;
  };
  return { ...cycle, clock, notes, send };
}

describe('order presets', () => {
  it('cancelling a confirmed order waits for the manager; a pending one cancels at once', async () => {
    const { engine, send } = setup();
    const { record: early } = await engine.create('order', { fields: { reference: 'SO-1', amount: 5000 }, ownerId: 'ana' }, { actor: ANA });
    expect((await send(early.id, 'cancel', { cancelReason: 'typo' })).stage).toBe('cancelled');

    const { record: order } = await engine.create('order', { fields: { reference: 'SO-2', amount: 5000 }, ownerId: 'ana' }, { actor: ANA });
    await send(order.id, 'confirm');
    const held = await engine.send(order.id, { type: 'cancel', fields: { cancelReason: 'customer changed mind' } }, { actor: ANA });
    expect(!held.ok && held.rejection.reason).toBe('approval_pending');
    expect(!held.ok && held.rejection.message).toContain('order.cancel-confirmed');
    expect((await engine.get(order.id))!.stage).toBe('confirmed');
    await engine.approve(order.id, { actor: MAX });
    expect((await engine.get(order.id))!.stage).toBe('cancelled');
  });

  it('a delayed order: the manager after 2 working days, the director after 3 more', async () => {
    const { engine, send, clock, notes } = setup();
    const { record: order } = await engine.create('order', { fields: { reference: 'SO-3', amount: 5000 }, ownerId: 'ana' }, { actor: ANA });
    await send(order.id, 'confirm');
    await send(order.id, 'flag_delay', { delayReason: 'parts late' }); // Monday
    expect(await notes('order.delayed')).toEqual([{ to: 'ana', recordId: order.id }]); // the blueprint's own notice
    clock.advance(DAY + 3_600_000); // Tuesday: 1 working day
    await engine.runDue();
    expect(await notes('order.delayed_2d')).toEqual([]);
    clock.advance(DAY); // Wednesday: 2 working days
    await engine.runDue();
    expect(await notes('order.delayed_2d')).toEqual([{ to: 'max', recordId: order.id }]);
    clock.advance(2 * DAY); // Friday: 4 working days
    await engine.runDue();
    expect(await notes('order.delayed_5d')).toEqual([]);
    clock.advance(3 * DAY); // the next Monday, past 5 working days
    await engine.runDue();
    expect(await notes('order.delayed_5d')).toEqual([{ to: 'dora', recordId: order.id }]);
    expect((await engine.get(order.id))!.meta.priority).toBe('high');
  });
});

describe('payment-plan presets', () => {
  it('writing a plan off waits for the director; the manager cannot approve it', async () => {
    const { engine, send } = setup();
    const { record: plan } = await engine.create('payment-plan', { fields: { total: 12000, mode: 'batches' }, ownerId: 'ana' }, { actor: ANA });
    await send(plan.id, 'activate', { instalments: 3 });
    const held = await engine.send(plan.id, { type: 'write_off', fields: { writeOffReason: 'insolvent' } }, { actor: ANA });
    expect(!held.ok && held.rejection.reason).toBe('approval_pending');
    await expect(engine.approve(plan.id, { actor: MAX })).rejects.toThrow();
    expect((await engine.get(plan.id))!.stage).toBe('active');
    await engine.approve(plan.id, { actor: DORA });
    expect((await engine.get(plan.id))!.stage).toBe('written_off');
  });
});

describe('contract presets', () => {
  it('an approved contract left unsigned: the owner after 5 working days, the manager after 3 more', async () => {
    const { engine, send, clock, notes } = setup();
    const { record: contract } = await engine.create('contract', { fields: { title: 'Frame', amount: 80000 }, ownerId: 'ana' }, { actor: ANA });
    await send(contract.id, 'submit', { terms: 'net 30' });
    await send(contract.id, 'approve', {}, MAX);
    clock.advance(4 * DAY); // Friday: 4 working days
    await engine.runDue();
    expect(await notes('contract.unsigned')).toEqual([]);
    clock.advance(3 * DAY); // Monday: 5 working days
    await engine.runDue();
    expect(await notes('contract.unsigned')).toEqual([{ to: 'ana', recordId: contract.id }]);
    expect(await notes('contract.unsigned_8d')).toEqual([]);
    clock.advance(3 * DAY); // Thursday: 3 working days more
    await engine.runDue();
    expect(await notes('contract.unsigned_8d')).toEqual([{ to: 'ana', recordId: contract.id }, { to: 'max', recordId: contract.id }]);
    expect((await engine.get(contract.id))!.stage).toBe('approved');
  });

  it('a contract over 1 000 000 is submitted only once the director approves', async () => {
    const { engine } = setup();
    const { record: contract } = await engine.create('contract', { fields: { title: 'Huge', amount: 2_000_000 }, ownerId: 'ana' }, { actor: ANA });
    const held = await engine.send(contract.id, { type: 'submit', fields: { terms: 'net 60' } }, { actor: ANA });
    expect(!held.ok && held.rejection.reason).toBe('approval_pending');
    await engine.approve(contract.id, { actor: DORA });
    expect((await engine.get(contract.id))!.stage).toBe('pending_approval');
  });
});

describe('customer presets', () => {
  it('an active customer not contacted for 60 days: the owner is reminded, after 30 more the manager', async () => {
    const { engine, send, clock, notes } = setup();
    const { record: customer } = await engine.create('customer', { fields: { name: 'ACME Ltd' }, ownerId: 'ana' }, { actor: ANA });
    await send(customer.id, 'activate', { industry: 'manufacturing' });
    clock.advance(61 * DAY);
    await engine.runDue();
    expect(await notes('customer.no_contact_60d')).toEqual([{ to: 'ana', recordId: customer.id }]);
    expect(await notes('customer.no_contact_90d')).toEqual([]);
    clock.advance(31 * DAY);
    await engine.runDue();
    expect(await notes('customer.no_contact_90d')).toEqual([{ to: 'max', recordId: customer.id }]);
  });
});
