/**
 * Quote to cash on the templates with their preset sales rules, on the memory store, SQLite and
 * PostgreSQL: a lead nobody contacts in a working day returns to the public pool and another rep
 * claims it; duplicate keys released by policy; quote → order → contract → instalments → settled (line items, discount approval,
 * outbox follow-ups, partial payments); an overdue instalment is escalated once while two workers
 * run at the same time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createManualClock, createMemoryDirectory, createOutboxRelay, createWorker, isDealflowError, linksOf } from '../packages/core/src/index.js';
import type { Engine, Storage, StoredRecord } from '../packages/core/src/index.js';
import { createMemoryCatalog, priceLines } from '../packages/commerce/src/index.js';
import { createInstalments, recordPayment, setupFullCycle } from '../packages/templates/src/index.js';
import type { FullCycle } from '../packages/templates/src/index.js';
import { minorUnitsOf } from '../packages/core/src/index.js';
import { receivablesAgeing } from '../packages/forecast/src/index.js';
import { storeKinds } from './support/stores.js';

const ANA = { id: 'ana', roles: ['rep'] };
const BOB = { id: 'bob', roles: ['rep'] };
const MAX = { id: 'max', roles: ['manager'] };
const FIN = { id: 'fin', roles: ['finance'] };
const DAY = 24 * 3_600_000;

const directory = createMemoryDirectory({
  reps: [
    { id: 'ana', region: 'east', teamIds: ['east'], managerId: 'max', roles: ['rep'], attributes: { products: ['crm'] } },
    { id: 'bob', region: 'east', teamIds: ['east'], managerId: 'max', roles: ['rep'] },
    { id: 'max', region: 'east', teamIds: ['east'], roles: ['manager'] },
    { id: 'fin', roles: ['finance'] },
    { id: 'rita', teamIds: ['rnd'], roles: ['engineer'] },
    { id: 'sam', teamIds: ['support'], roles: ['support'] },
  ],
  teams: [
    { id: 'east', region: 'east', managerId: 'max', memberIds: ['ana', 'bob'] },
    { id: 'rnd', managerId: 'rita', memberIds: ['rita'] },
    { id: 'support', managerId: 'sam', memberIds: ['sam'] },
  ],
});

const catalog = createMemoryCatalog({
  products: [{ id: 'crm-seat', name: 'CRM seat / 席位', family: 'software' }, { id: 'onboarding', name: 'Onboarding / 实施', family: 'service' }],
  priceBooks: [{ id: 'list', prices: { 'crm-seat': { CNY: 1200 }, onboarding: { CNY: 15000.5 } } }],
});

function ok(r: Awaited<ReturnType<Engine['send']>>, what: string): StoredRecord {
  if (!r.ok) throw new Error(`${what}: ${r.rejection.message}`);
  return r.record;
}

function one(r: StoredRecord, link: string): string {
  const id = linksOf(r)[link]?.[0];
  if (!id) throw new Error(`record '${r.id}' has no '${link}' link`);
  return id;
}

function cycleOn(storage: Storage, clock = createManualClock('2026-03-02T01:00:00.000Z')): FullCycle & { clock: typeof clock } {
  return { ...setupFullCycle({ storage, clock, directory }), clock };
}

/** Delivers every outbox message to the follow-ups (what an outbox relay does in production). */
async function drainFollowUps(c: FullCycle, storage: Storage): Promise<void> {
  const relay = createOutboxRelay({ storage, handler: async (m) => { await c.followUps.handle(m); } });
  while ((await relay.tick()) > 0);
}

/** A deal in proposal, its lines priced from the catalogue, from a converted lead. */
async function dealInProposal(c: FullCycle, email: string): Promise<StoredRecord> {
  const { engine } = c;
  const { record: lead } = await engine.create('lead', { fields: { name: 'Li Wei', email, source: 'web_form', region: 'east', productInterest: 'crm' } }, { actor: ANA });
  expect(lead.ownerId).toBe('ana'); // routed by region and product
  ok(await engine.send(lead.id, { type: 'contact', fields: { contactedVia: 'call' } }, { actor: ANA }), 'contact');
  ok(await engine.send(lead.id, { type: 'qualify', fields: { company: 'ACME', need: 'CRM', budget: 50000 } }, { actor: ANA }), 'qualify');
  const converted = ok(await engine.send(lead.id, 'convert', { actor: ANA }), 'convert');
  const dealId = one(converted, 'deal');
  expect((await engine.get(dealId))!.fields.region).toBe('east');
  const priced = await priceLines(catalog, [{ product: 'crm-seat', quantity: 20, discountPercent: 25 }, { product: 'onboarding', quantity: 1 }], { currency: 'CNY' });
  const items = priced.lines.map(({ lineTotalMinor: _m, lineTotal: _t, ...line }) => line);
  return ok(await engine.send(dealId, { type: 'propose', fields: { decisionMaker: 'Mr Zhang', items } }, { actor: ANA }), 'propose');
}

const kinds = await storeKinds('quote-to-cash');
const opened: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const drop of opened) await drop();
});

describe.each(kinds)('quote to cash on $name', (kind) => {
  const open = async () => {
    const s = await kind.open();
    opened.push(s.drop);
    return s;
  };

  it('a lead not contacted within one working day returns to the public pool; its rep may not re-claim it during the cool-down, another rep can', async () => {
    const { storage } = await open();
    const c = cycleOn(storage); // Monday 09:00 in Shanghai
    const { engine, clock } = c;
    const { record: lead } = await engine.create('lead', { fields: { name: 'Wang Fang', email: 'wang@globex.cn', source: 'phone', region: 'east', productInterest: 'crm' } }, { actor: ANA });
    expect(lead.ownerId).toBe('ana');
    clock.advance(DAY - 60_000); // Tuesday 08:59 Shanghai: not yet one working day
    await engine.runDue();
    expect((await engine.get(lead.id))!.stage).toBe('new');
    clock.advance(60_000);
    await engine.runDue();
    const pooled = (await engine.get(lead.id))!;
    expect(pooled).toMatchObject({ stage: 'pool', ownerId: null, teamId: 'leads' });
    expect(pooled.meta.pool).toMatchObject({ poolId: 'leads', returnedFrom: 'ana' });

    const denied = await engine.claim(lead.id, { actor: ANA }).catch((e: unknown) => e);
    expect(isDealflowError(denied, 'FORBIDDEN')).toBe(true);
    expect((denied as Error).message).toContain('may not re-claim');
    const claimed = await engine.claim(lead.id, { actor: BOB });
    expect(claimed.record.ownerId).toBe('bob');
    const worked = ok(await engine.send(lead.id, { type: 'contact', fields: { contactedVia: 'call' } }, { actor: BOB }), 'contact from pool');
    expect(worked).toMatchObject({ stage: 'contacted', ownerId: 'bob' });
    // the same e-mail again is still a duplicate of the worked lead
    const dup = await engine.create('lead', { fields: { name: 'W. Fang', email: 'WANG@globex.cn', source: 'web_form' } }, { actor: ANA }).catch((e: unknown) => e);
    expect(isDealflowError(dup, 'DUPLICATE')).toBe(true);
  });

  it('duplicate keys are released by the preset policy: 90 days after a lead is lost, 30 days after it returned to the pool', async () => {
    const { storage } = await open();
    const c = cycleOn(storage);
    const { engine, clock } = c;
    const create = (email: string) => engine.create('lead', { fields: { name: 'Zhao Lei', email, source: 'web_form', region: 'east' }, ownerId: 'ana' }, { actor: ANA });
    const duplicateOf = async (email: string): Promise<string | null> => {
      try {
        await create(email);
        return null;
      } catch (e) {
        if (!isDealflowError(e, 'DUPLICATE')) throw e;
        return e.details.existingRecordId as string;
      }
    };
    const { record: lost } = await create('zhao@initech.cn');
    ok(await engine.send(lost.id, { type: 'disqualify', fields: { lostReason: 'no_budget' } }, { actor: ANA }), 'disqualify');
    expect(await duplicateOf('zhao@initech.cn')).toBe(lost.id); // a lost lead keeps blocking …
    clock.advance(89 * DAY);
    expect(await duplicateOf('ZHAO@initech.cn')).toBe(lost.id);
    clock.advance(DAY); // … for 90 days
    const { record: again } = await create('zhao@initech.cn');
    expect(again.id).not.toBe(lost.id);
    expect(await duplicateOf('zhao@initech.cn')).toBe(again.id); // the new lead holds the key now

    const { record: given } = await create('qian@umbrella.cn');
    ok(await engine.send(given.id, 'release', { actor: ANA }), 'release');
    expect((await engine.get(given.id))!).toMatchObject({ stage: 'pool', ownerId: null });
    clock.advance(29 * DAY);
    expect(await duplicateOf('qian@umbrella.cn')).toBe(given.id);
    clock.advance(DAY);
    expect(await duplicateOf('qian@umbrella.cn')).toBeNull();
    // a claimed lead is owned again and blocks as before
    const { record: kept } = await create('sun@hooli.cn');
    ok(await engine.send(kept.id, 'release', { actor: ANA }), 'release');
    await engine.claim(kept.id, { actor: BOB });
    clock.advance(31 * DAY);
    expect(await duplicateOf('sun@hooli.cn')).toBe(kept.id);
  });

  it('quote → order → contract → instalments → settled: line items, discount approval, follow-ups, partial payments', async () => {
    const { storage } = await open();
    const c = cycleOn(storage);
    const { engine, links } = c;
    const deal = await dealInProposal(c, 'li@acme.cn');
    expect(deal.fields.itemsTotal).toBe(20 * 1200 * 0.75 + 15000.5);
    expect(deal.fields.maxDiscount).toBe(25);

    // the quote made by the proposal carries the lines; a 25 % discount needs the manager
    const quoteId = one(deal, 'quote');
    const held = await engine.send(quoteId, { type: 'send', fields: { validUntil: '2026-03-31' } }, { actor: ANA });
    expect(!held.ok && held.rejection.reason).toBe('approval_pending');
    await engine.approve(quoteId, { actor: MAX });
    const sent = (await engine.get(quoteId))!;
    expect(sent).toMatchObject({ stage: 'sent', fields: { total: deal.fields.itemsTotal, version: 1 } });
    // a revision supersedes it with version 2, linked both ways
    const revised = ok(await engine.send(quoteId, 'revise', { actor: ANA }), 'revise');
    const v2Id = one(revised, 'next');
    expect((await engine.get(v2Id))!.fields).toMatchObject({ version: 2, total: sent.fields.total });
    await engine.send(v2Id, { type: 'send' }, { actor: ANA });
    await engine.approve(v2Id, { actor: MAX });
    ok(await engine.send(v2Id, { type: 'accept', fields: { acceptedOn: '2026-03-05' } }, { actor: ANA }), 'accept');

    // the follow-up (outbox) moves the deal, carrying the quote's lines and total
    await drainFollowUps(c, storage);
    await drainFollowUps(c, storage); // delivered twice: the effect is once
    const negotiating = (await engine.get(deal.id))!;
    expect(negotiating).toMatchObject({ stage: 'negotiation', fields: { amount: sent.fields.total, quoteSent: '2026-03-05' } });
    expect((await engine.history(deal.id)).filter((e) => e.event === 'quote_accepted')).toHaveLength(1);

    // contract, approval, win → an order carrying the lines
    // the deal's 25 % line discount needs the manager for the contract too
    const waits = await engine.send(deal.id, { type: 'send_contract', fields: { closeDate: '2026-03-31' } }, { actor: ANA });
    expect(!waits.ok && waits.rejection.reason).toBe('approval_pending');
    await engine.approve(deal.id, { actor: MAX });
    const contractId = one((await engine.get(deal.id))!, 'contract');
    ok(await engine.send(contractId, { type: 'submit', fields: { terms: '30/70' } }, { actor: ANA }), 'submit');
    ok(await engine.send(contractId, 'approve', { actor: MAX }), 'approve contract');
    const won = ok(await engine.send(deal.id, 'win', { actor: ANA }), 'win');
    const order = (await engine.get(one(won, 'order')))!;
    expect(order.fields).toMatchObject({ amount: sent.fields.total, itemsTotal: sent.fields.total });
    expect((order.fields.items as unknown[]).length).toBe(2);

    // signed contract → plan → instalments summing exactly to the contract amount
    const signed = ok(await engine.send(contractId, { type: 'sign', fields: { signedOn: '2026-03-06' } }, { actor: ANA }), 'sign');
    const planId = one(signed, 'plan');
    const { instalments } = await createInstalments({ engine, links }, planId, { shares: [30, 70], firstDue: '2026-04-01' }, { actor: FIN, ownerId: 'fin' });
    const digits = minorUnitsOf('CNY');
    expect(instalments.reduce((s, i) => s + Math.round((i.fields.amount as number) * 10 ** digits), 0)).toBe(Math.round((signed.fields.amount as number) * 10 ** digits));
    expect(instalments.map((i) => i.fields.dueDate)).toEqual(['2026-04-01', '2026-05-01']);
    // repeating it (a crash half-way) creates nothing new
    await expect(createInstalments({ engine, links }, planId, { shares: [30, 70], firstDue: '2026-04-01' }, { actor: FIN })).rejects.toThrow(/not 'planning'/);
    expect(await links.linked(planId, 'instalments')).toHaveLength(2);

    const [first, second] = instalments as [StoredRecord, StoredRecord];
    for (const [n, i] of [first, second].entries()) ok(await engine.send(i.id, { type: 'invoice', fields: { invoiceNo: `INV-${n + 1}` } }, { actor: FIN }), 'invoice');
    const half = Number(((first.fields.amount as number) / 2).toFixed(2));
    const part = await recordPayment(engine, first.id, { amount: half, paidOn: '2026-03-20', reference: 'BK-1' }, { actor: FIN });
    expect(part).toMatchObject({ paid: false, record: { stage: 'due', fields: { paidAmount: half } } });
    expect((await recordPayment(engine, first.id, { amount: half, paidOn: '2026-03-20', reference: 'BK-1' }, { actor: FIN })).record.fields.paidAmount).toBe(half); // same reference: counted once
    const rest = Number(((first.fields.amount as number) - half).toFixed(2));
    expect((await recordPayment(engine, first.id, { amount: rest, paidOn: '2026-03-25', reference: 'BK-2' }, { actor: FIN })).record.stage).toBe('paid');
    await drainFollowUps(c, storage);
    expect((await engine.get(planId))!.stage).toBe('active'); // one instalment still open
    await recordPayment(engine, second.id, { amount: second.fields.amount as number, paidOn: '2026-04-28', reference: 'BK-3' }, { actor: FIN });
    await drainFollowUps(c, storage);
    expect((await engine.get(planId))!.stage).toBe('settled');
    expect(receivablesAgeing({ records: await storage.queryRecords('default', { type: 'instalment' }), asOf: '2026-06-30', currency: 'CNY' }).total).toBe(0);
  });

  it('an overdue instalment is escalated once to the deal owner while two workers run at the same time', async () => {
    const { storage, reopen } = await open();
    const c = cycleOn(storage);
    const { engine, links, clock } = c;
    const { record: deal } = await engine.create('deal-b2b', { fields: { title: 'Globex', region: 'east' }, ownerId: 'ana' }, { actor: ANA });
    const { record: contract } = await links.createLinked(deal.id, 'contract', { fields: { title: 'Globex', amount: 9999.99 }, ownerId: 'ana' }, { as: 'contract', backlink: 'deal' }, { actor: ANA });
    const { record: plan } = await links.createLinked(contract.id, 'payment-plan', { fields: { total: 9999.99 }, ownerId: 'fin' }, { as: 'plan', backlink: 'contract' }, { actor: FIN });
    const { instalments } = await createInstalments({ engine, links }, plan.id, { count: 3, firstDue: '2026-03-10', every: 'P1M' }, { actor: FIN });
    expect(instalments.map((i) => i.fields.amount)).toEqual([3333.33, 3333.33, 3333.33]);
    ok(await engine.send(instalments[0]!.id, { type: 'invoice', fields: { invoiceNo: 'INV-G1' } }, { actor: FIN }), 'invoice');

    // a second engine instance on its own connection (another process would)
    const other = setupFullCycle({ storage: kind.name === 'memory' ? storage : reopen(), clock, directory }).engine;
    clock.advance(10 * DAY); // 2026-03-12: the due date (03-10) passed a day ago
    const workers = [createWorker({ engine, workerId: 'w1' }), createWorker({ engine: other, workerId: 'w2' })];
    // both workers claim and fire at the same time; a timer whose firing lost a race (a lease
    // lost to a concurrent change of the record) is claimed again once its lease ran out
    for (let round = 0; round < 3; round++) {
      await Promise.all(workers.map((w) => w.tick()));
      clock.advance(60_000);
    }
    expect((await engine.get(instalments[0]!.id))!.stage).toBe('overdue');
    const notes = (await storage.readOutbox({ limit: 1000 })).filter((m) => m.type === 'dealflow.notify' && m.recordId === deal.id && m.payload.message === 'instalment.overdue.escalated');
    expect(notes.map((m) => m.payload.to)).toEqual(['ana']);
    const tasks = ((await engine.get(deal.id))!.meta.tasks as Array<{ title: string }>).filter((t) => t.title.includes('overdue'));
    expect(tasks).toHaveLength(1);
    expect((await engine.history(instalments[0]!.id)).filter((e) => e.event === 'mark_overdue')).toHaveLength(1);
    const ageing = receivablesAgeing({ records: await storage.queryRecords('default', { type: 'instalment' }), asOf: clock.now(), currency: 'CNY' });
    expect(ageing.buckets.find((b) => b.id === '1-30')).toMatchObject({ amount: 3333.33, count: 1 });
    expect(ageing.total).toBe(9999.99);
  });
});
