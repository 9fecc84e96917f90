/**
 * The templates with engine-level approvals (sales rules): a deal cannot be won while its
 * contract waits for an approval held by `engine.approve`, and guidance shows why.
 */
import { expect, it } from 'vitest';
import { createManualClock, createMemoryDirectory, createMemoryStorage, isDealflowError, linksOf } from '../packages/core/src/index.js';
import type { StoredRecord } from '../packages/core/src/index.js';
import { setupFullCycle } from '../packages/templates/src/index.js';

const ANA = { id: 'ana', roles: ['rep'] };
const MAX = { id: 'max', roles: ['manager'] };
const DORA = { id: 'dora', roles: ['director'] };

it('a big contract waits for the director before signing; meanwhile the deal cannot be won', async () => {
  const { engine, guide } = setupFullCycle({
    storage: createMemoryStorage(),
    clock: createManualClock('2026-03-02T09:00:00.000Z'),
    directory: createMemoryDirectory({ reps: [ANA, MAX, DORA] }), // roles come from the directory (issue #15)
    rules: { approvals: [{ id: 'big-contract', event: 'sign', types: ['contract'], when: { '>': [{ var: 'fields.amount' }, 50000] }, approver: { role: 'director' } }] },
  });
  const send = async (id: string, type: string, fields: Record<string, unknown> = {}, actor = ANA): Promise<StoredRecord> => {
    const r = await engine.send(id, { type, fields }, { actor });
    if (!r.ok) throw new Error(r.rejection.message);
    return r.record;
  };
  const { record: deal } = await engine.create('deal-b2b', { fields: { title: 'Big one' }, ownerId: 'ana' }, { actor: ANA });
  await send(deal.id, 'propose', { amount: 90000, decisionMaker: 'CFO' });
  await send(deal.id, 'negotiate', { quoteSent: '2026-03-02' });
  const contracting = await send(deal.id, 'send_contract', { closeDate: '2026-03-31' });
  const contractId = linksOf(contracting).contract![0]!;
  await send(contractId, 'submit', { terms: 'net 30' });
  await send(contractId, 'approve', {}, MAX);

  // signing needs the director: the contract now holds a pending approval
  const held = await engine.send(contractId, { type: 'sign', fields: { signedOn: '2026-03-03' } }, { actor: ANA });
  expect(!held.ok && held.rejection.reason).toBe('approval_pending');
  const err = await engine.send(deal.id, 'win', { actor: ANA }).catch((e: unknown) => e);
  expect(isDealflowError(err, 'REJECTED')).toBe(true);
  expect((err as Error).message).toContain("link rule 'deal-win-waits-for-approval'");
  expect((err as Error).message).toContain(contractId);
  const g = await guide(deal.id, ANA);
  expect(g.transitions.find((t) => t.event === 'win')!.blockedBy.map((b) => b.ruleId)).toEqual(['deal-win-waits-for-approval']);
  expect((await guide(contractId, ANA)).pendingApproval).toMatchObject({ event: 'sign' });

  await engine.approve(contractId, { actor: DORA });
  expect((await engine.get(contractId))!.stage).toBe('signed');
  const won = await engine.send(deal.id, 'win', { actor: ANA });
  expect(won.ok && won.to).toBe('won');
});
