import { describe, expect, test } from 'vitest';
import { createEngine, createManualClock, createMemoryStorage, isDealflowError, replay } from '../src/index.js';
import type { SalesRulesInput } from '../src/index.js';
import { allowAllBut, as, leadJson, salesEngine, sampleDirectory } from './assignment-helpers.js';

const rules: SalesRulesInput = {
  assignment: { rules: [{ id: 'ann', assign: { strategy: 'owner', owner: 'ann' } }] },
  approvals: [{ id: 'big-discount', event: 'win', when: { '>': [{ var: 'fields.discount' }, 20] }, approver: 'manager' }],
  permissions: allowAllBut({ approve: { in: ['director', { var: 'actor.roles' }] } }),
};

async function negotiating(engine: ReturnType<typeof salesEngine>['engine'], discount: number) {
  const { record } = await engine.create('lead', { fields: { name: 'Deal' } }, { actor: engine.system });
  await engine.send(record.id, { type: 'negotiate', fields: { discount } }, as('ann'));
  return record.id;
}

describe('approvals', () => {
  test("discount > 20% needs the owner's manager: the record waits, the manager approves, the transition fires", async () => {
    const { engine, storage } = salesEngine(rules);
    const id = await negotiating(engine, 25);
    const res = await engine.send(id, 'win', as('ann'));
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.rejection).toMatchObject({ reason: 'approval_pending', event: 'win', stage: 'negotiation' });
    let r = (await engine.get(id, { actor: engine.system }))!;
    expect(r.stage).toBe('negotiation');
    expect(r.meta.pendingApproval).toMatchObject({ ruleId: 'big-discount', event: 'win', requestedBy: 'ann', approverIds: ['mia'] });
    const notes = (await storage.readOutbox({ limit: 100 })).filter((m) => m.type === 'dealflow.notify');
    expect(notes.at(-1)!.payload).toMatchObject({ to: ['mia'] });

    // waiting: neither the same nor another event goes through
    await expect(engine.send(id, 'win', as('ann'))).rejects.toMatchObject({ code: 'REJECTED' });
    await expect(engine.send(id, 'lose', as('ann'))).rejects.toMatchObject({ code: 'REJECTED' });
    // not the approver
    await expect(engine.approve(id, as('bob'))).rejects.toMatchObject({ code: 'FORBIDDEN' });

    const ok = await engine.approve(id, { ...as('mia', ['manager']), note: 'fine for a 3-year deal' });
    expect(ok.transition).toMatchObject({ ok: true, to: 'won' });
    r = (await engine.get(id, { actor: engine.system }))!;
    expect(r.stage).toBe('won');
    expect(r.meta.pendingApproval).toBeUndefined();
    const h = await engine.history(id, { actor: engine.system });
    const decision = h.find((e) => e.kind === 'approval')!;
    expect(decision).toMatchObject({ actorId: 'mia', event: 'win', data: { decision: 'approved', approverId: 'mia', ruleId: 'big-discount', note: 'fine for a 3-year deal' } });
    expect(h.map((e) => e.kind).slice(-3)).toEqual(['approval_requested', 'approval', 'transition']);
    expect(h.at(-1)).toMatchObject({ event: 'win', actorId: 'ann' });
    expect(replay(h)).toEqual(r);
  });

  test('reject keeps the record in its stage and records the approver; a new request is possible', async () => {
    const { engine } = salesEngine(rules);
    const id = await negotiating(engine, 30);
    await engine.send(id, 'win', as('ann'));
    const rej = await engine.reject(id, as('mia', ['manager']));
    expect(rej.record.stage).toBe('negotiation');
    expect(rej.events[0]).toMatchObject({ kind: 'approval', data: { decision: 'rejected', approverId: 'mia' } });
    const again = await engine.send(id, 'win', as('ann'));
    expect(again.ok).toBe(false);
    // approval by permission rule (a director) instead of the named approver
    await engine.approve(id, as('dora', ['director']));
    expect((await engine.get(id, { actor: engine.system }))!.stage).toBe('won');
  });

  test('no approval when the rule does not hold; the event fields count', async () => {
    const { engine } = salesEngine(rules);
    const small = await negotiating(engine, 10);
    expect((await engine.send(small, 'win', as('ann'))).ok).toBe(true);
    const raised = await negotiating(engine, 10);
    const res = await engine.send(raised, { type: 'win', fields: { discount: 40 } }, as('ann'));
    expect(res.ok).toBe(false);
    const err = await engine.approve(small, as('mia')).catch((e) => e);
    expect(isDealflowError(err, 'CONFLICT')).toBe(true);
  });

  test("the approved event fires as the requester resolved from the directory (the blueprint's allow rule sees her roles)", async () => {
    // only reps may win (a blueprint `allow` rule): the held 'win' must fire as ann with her directory roles, not as a bare id
    const bp = leadJson();
    bp.transitions = bp.transitions!.map((t) => (t.event === 'win' ? { ...t, allow: { in: ['rep', { var: 'actor.roles' }] } } : t));
    const engine = createEngine({ storage: createMemoryStorage(), blueprints: [bp], rules, directory: sampleDirectory(), clock: createManualClock('2026-01-05T08:00:00.000Z') });
    const id = await negotiating(engine, 25);
    const held = await engine.send(id, 'win', { actor: { id: 'ann' } });
    expect(held.ok).toBe(false);
    const ok = await engine.approve(id, { actor: { id: 'mia' } });
    expect(ok.transition).toMatchObject({ ok: true, to: 'won' });
    const last = (await engine.history(id, { actor: engine.system })).at(-1)!;
    expect(last).toMatchObject({ kind: 'transition', event: 'win', actorId: 'ann' });
  });
});
