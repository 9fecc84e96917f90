import { describe, expect, it } from 'vitest';
import { createEngine, createLinkRules, createManualClock, createMemoryStorage, isDealflowError, linksOf, nextSteps } from '../src/index.js';
import { linkedBlueprints } from './links-fixtures.js';
import { TRUSTED } from './fixtures.js';

const ANA = { id: 'ana', roles: ['rep'] };

function setup() {
  const clock = createManualClock('2026-01-05T09:00:00.000Z');
  const linkRules = createLinkRules({ blocks: [{ id: 'approval-first', recordType: 'deal', events: 'win', while: { via: 'contract', stages: ['pending_approval'] }, message: 'the contract waits for approval' }] });
  const engine = createEngine({ storage: createMemoryStorage(), blueprints: linkedBlueprints(), clock, plugins: [linkRules.plugin], identity: TRUSTED });
  return { engine, clock, linkRules };
}

describe('nextSteps', () => {
  it('lists the transitions with labels, missing fields, guard and permission results, and the deadline', async () => {
    const { engine } = setup();
    const { record } = await engine.create('deal', { fields: { title: 'ACME', discount: 50 }, ownerId: 'ana' }, { actor: ANA });
    const g = await nextSteps(engine, record.id, { actor: ANA });
    expect(g.stage).toMatchObject({ id: 'open', label: 'Open deal', kind: 'open' });
    const byEvent = Object.fromEntries(g.transitions.map((t) => [t.event, t]));
    expect(byEvent.draft_contract).toMatchObject({ label: 'Draft contract', toLabel: 'Contracting', missingFields: [{ field: 'amount', label: 'amount' }], guardPasses: false, ready: false });
    expect(byEvent.discount_win).toMatchObject({ allowed: false, missingFields: [{ field: 'amount', label: 'amount' }], ready: false });
    expect(byEvent.lose).toMatchObject({ ready: true, guardPasses: null, allowed: true, toKind: 'lost' });
    expect(byEvent.expire).toMatchObject({ automatic: true, ready: false });
    expect(g.transitions[0]!.ready).toBe(true);
    expect(g.deadline).toMatchObject({ dueAt: '2026-01-15T09:00:00.000Z', overdue: false, onBreach: 'expire' });
    expect(g.deadline!.msLeft).toBe(10 * 24 * 3_600_000);
    expect(g.todo).toContain('Fill in amount to move to "Contracting"');
    // the guidance agrees with the engine: what it calls ready is accepted, what it says is missing is rejected
    const r = await engine.send(record.id, 'draft_contract', { actor: ANA });
    expect(!r.ok && r.rejection.reason).toBe('guard');
    // a manager may do what the rep may not
    const m = await nextSteps(engine, record.id, { actor: { id: 'max', roles: ['manager'] } });
    expect(m.transitions.find((t) => t.event === 'discount_win')!.allowed).toBe(true);
  });

  it('shows open tasks, overdue ones and an overdue deadline as the clock moves', async () => {
    const { engine, clock } = setup();
    const { record } = await engine.create('deal', { fields: { title: 'ACME', amount: 100 }, ownerId: 'ana' }, { actor: ANA });
    await engine.send(record.id, 'follow_up', { actor: ANA });
    let g = await nextSteps(engine, record.id);
    expect(g.openTasks).toMatchObject([{ title: 'Send the quote', ownerId: 'ana', overdue: false }]);
    clock.advance(11 * 24 * 3_600_000);
    g = await nextSteps(engine, record.id);
    expect(g.openTasks[0]!.overdue).toBe(true);
    expect(g.deadline!.overdue).toBe(true);
    expect(g.todo[0]).toBe('Overdue task: Send the quote');
    expect(g.todo).toContain('The deadline of "Open deal" has passed (2026-01-15T09:00:00.000Z)');
  });

  it('reports linked records that block a transition', async () => {
    const { engine, linkRules } = setup();
    const { record } = await engine.create('deal', { fields: { title: 'ACME', amount: 100 }, ownerId: 'ana' }, { actor: ANA });
    await engine.send(record.id, 'draft_contract', { actor: ANA });
    const contractId = linksOf((await engine.get(record.id))!).contract![0]!;
    const g = await nextSteps(engine, record.id, { actor: ANA, linkRules });
    const win = g.transitions.find((t) => t.event === 'win')!;
    expect(win.ready).toBe(false);
    expect(win.blockedBy).toEqual([{ ruleId: 'approval-first', message: 'the contract waits for approval', recordId: contractId, type: 'contract', stage: 'pending_approval' }]);
    expect(g.todo.some((l) => l.includes('"Mark won" is blocked') && l.includes(contractId))).toBe(true);
    expect(g.deadline).toBeNull();
    await engine.send(contractId, 'approve', { actor: ANA });
    const after = await nextSteps(engine, record.id, { actor: ANA, linkRules });
    expect(after.transitions.find((t) => t.event === 'win')!.ready).toBe(true);
  });

  it('a final stage has no transitions; an unknown record fails naming it', async () => {
    const { engine } = setup();
    const { record } = await engine.create('deal', { fields: { title: 'ACME' } }, { actor: ANA });
    await engine.send(record.id, 'lose', { actor: ANA });
    const g = await nextSteps(engine, record.id);
    expect(g.final).toBe(true);
    expect(g.transitions).toEqual([]);
    await expect(nextSteps(engine, 'nope')).rejects.toSatisfy((e) => isDealflowError(e, 'NOT_FOUND') && (e as Error).message.includes("'nope'"));
  });
});

describe('nextSteps agrees with the engine', () => {
  it('property: a transition is "ready" exactly when sending it is accepted', async () => {
    const fc = (await import('fast-check')).default;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          discount: fc.constantFrom(0, 10, 30),
          amount: fc.option(fc.constantFrom(500, 9000), { nil: undefined }),
          manager: fc.boolean(),
          drafted: fc.boolean(),
          approved: fc.boolean(),
          pick: fc.nat(10),
        }),
        async ({ discount, amount, manager, drafted, approved, pick }) => {
          const { engine, linkRules } = setup();
          const actor = manager ? { id: 'max', roles: ['manager'] } : ANA;
          const { record } = await engine.create('deal', { fields: { title: 'T', discount, ...(amount !== undefined ? { amount } : {}) }, ownerId: 'ana' }, { actor: ANA });
          if (drafted) {
            const d = await engine.send(record.id, { type: 'draft_contract', fields: { amount: amount ?? 100, discount: 0 } }, { actor: ANA });
            expect(d.ok).toBe(true);
            if (approved) await engine.send(linksOf((await engine.get(record.id))!).contract![0]!, 'approve', { actor: ANA });
          }
          const g = await nextSteps(engine, record.id, { actor, linkRules });
          const choices = g.transitions.filter((t) => !t.automatic);
          expect(choices.length).toBeGreaterThan(0);
          const t = choices[pick % choices.length]!;
          const accepted = await engine.send(record.id, t.event, { actor }).then((r) => r.ok, (e: unknown) => (isDealflowError(e, 'REJECTED') ? false : Promise.reject(e)));
          expect(accepted).toBe(t.ready);
        },
      ),
      { numRuns: 60 },
    );
  });
});
