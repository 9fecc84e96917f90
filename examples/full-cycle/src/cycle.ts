import { createManualClock, isDealflowError, linksOf } from '@dealflow/core';
import type { Storage, StoredRecord, SendResult } from '@dealflow/core';
import { setupFullCycle } from '@dealflow/templates';
import type { FullCycle } from '@dealflow/templates';

const ANA = { id: 'ana', roles: ['rep'] };
const MAX = { id: 'max', roles: ['manager'] };
const FIN = { id: 'fin', roles: ['finance'] };
const DAY = 24 * 3_600_000;

/** What the run produced, for the smoke test. */
export interface FullCycleSummary {
  happy: { lead: StoredRecord; deal: StoredRecord; contract: StoredRecord; plan: StoredRecord; instalments: StoredRecord[]; order: StoredRecord; feedback: StoredRecord };
  late: { deal: StoredRecord; instalment: StoredRecord; order: StoredRecord; blockedMessage: string; escalatedTo: unknown[] };
  winBlockedMessage: string;
}

type Log = (line: string) => void;

function must(r: SendResult, what: string): StoredRecord {
  if (!r.ok) throw new Error(`${what}: ${r.rejection.message}`);
  return r.record;
}

/** Follows a link, failing loudly when it is missing. */
function linked(r: StoredRecord, name: string): string {
  const id = linksOf(r)[name]?.[0];
  if (!id) throw new Error(`record '${r.id}' has no '${name}' link`);
  return id;
}

/**
 * A lead from the web form, worked to a won deal with an approved contract, a signed contract and
 * its payment plan. Returns the ids along the way.
 */
async function leadToPlan(c: FullCycle, company: string, log: Log, instalments: number) {
  const { engine, links, guide } = c;
  const step = async (id: string, event: string, fields: Record<string, unknown> = {}, actor = ANA) => {
    const r = must(await engine.send(id, { type: event, fields }, { actor }), `${event} on ${id}`);
    log(`  ${r.type.padEnd(12)} ${event.padEnd(16)} → ${engine.blueprint(r.blueprintId).stages.get(r.stage)?.label ?? r.stage}`);
    return r;
  };
  const { record: lead } = await engine.create('lead', { fields: { name: `${company} buyer`, email: `buyer@${company.toLowerCase()}.cn`, source: 'web_form', sourceDetail: 'pricing page form' }, ownerId: 'ana' }, { actor: ANA });
  log(`  lead         created from web form → New / 新线索`);
  for (const line of (await guide(lead.id, ANA)).todo.slice(0, 3)) log(`    guide: ${line}`);
  await step(lead.id, 'contact', { contactedVia: 'call' });
  await step(lead.id, 'qualify', { company, need: 'CRM rollout', budget: 80000 });
  const converted = await step(lead.id, 'convert');
  const customerId = linked(converted, 'customer');
  const dealId = linked(converted, 'deal');
  log(`    converted into customer ${customerId}, contact ${linked(converted, 'contact')}, deal ${dealId}`);
  await step(customerId, 'activate', { industry: 'retail' });
  await step(linked(converted, 'contact'), 'verify', { role: 'decision_maker' });
  await step(dealId, 'propose', { decisionMaker: 'Mr Zhang' });
  await step(dealId, 'negotiate', { quoteSent: engine.clock.now().toISOString().slice(0, 10) });
  const contracting = await step(dealId, 'send_contract', { closeDate: '2026-04-30' });
  const contractId = linked(contracting, 'contract');
  await step(contractId, 'submit', { terms: `${instalments} instalments` });
  let winBlockedMessage = '';
  try {
    await engine.send(dealId, 'win', { actor: ANA });
  } catch (e) {
    if (!isDealflowError(e, 'REJECTED')) throw e;
    winBlockedMessage = e.message;
    log(`  deal         win              ✗ blocked: the contract is not approved yet`);
  }
  await step(contractId, 'approve', {}, MAX);
  await step(dealId, 'win');
  const signed = await step(contractId, 'sign', { signedOn: engine.clock.now().toISOString().slice(0, 10) });
  const planId = linked(signed, 'plan');
  const inst: StoredRecord[] = [];
  for (let n = 1; n <= instalments; n++) {
    const { record } = await links.createLinked(planId, 'instalment', { fields: { number: n, amount: 80000 / instalments, dueDate: `2026-0${n + 3}-01` }, ownerId: 'fin' }, { as: 'instalments', backlink: 'plan' }, { actor: FIN });
    inst.push(record);
  }
  log(`  payment plan ${planId}: ${instalments} instalment(s) of ${80000 / instalments} CNY`);
  await step(planId, 'activate', { instalments }, FIN);
  return { lead, dealId, contractId, planId, customerId, instalmentIds: inst.map((i) => i.id), step, winBlockedMessage };
}

/**
 * Runs one customer from web-form lead to paid final instalment and feedback, then a second one
 * whose instalment is paid late: it escalates to the deal owner and blocks the next order.
 */
export async function runFullCycle(storage: Storage, log: Log = () => {}): Promise<FullCycleSummary> {
  const clock = createManualClock('2026-03-02T09:00:00.000Z');
  const cycle = setupFullCycle({ storage, clock });
  const { engine, links } = cycle;
  const get = async (id: string) => (await engine.get(id))!;

  log('── ACME: web form → paid in full → feedback');
  const a = await leadToPlan(cycle, 'ACME', log, 2);
  const { record: order } = await links.createLinked(a.contractId, 'order', { fields: { reference: 'SO-ACME-1', amount: 80000 }, ownerId: 'ana' }, { as: 'orders', backlink: 'contract' }, { actor: ANA });
  await a.step(order.id, 'confirm');
  await a.step(order.id, 'start_production');
  await a.step(order.id, 'ship', { trackingNo: 'SF1234567' });
  const delivered = await a.step(order.id, 'deliver', { deliveredOn: '2026-03-10' });
  const feedbackId = linked(delivered, 'feedback');
  log(`    delivery asks for feedback: ${feedbackId} (survey due within 7 days)`);
  for (const [i, id] of a.instalmentIds.entries()) {
    await a.step(id, 'invoice', { invoiceNo: `INV-ACME-${i + 1}` }, FIN);
    await a.step(id, 'pay', { paidAmount: 40000, paidOn: '2026-03-20' }, FIN);
  }
  await a.step(a.planId, 'settle', {}, FIN);
  await a.step(feedbackId, 'submit', { rating: 5, comment: 'smooth rollout' });
  await a.step(a.contractId, 'complete');

  log('── Globex: the instalment is paid late');
  const b = await leadToPlan(cycle, 'Globex', log, 1);
  const instId = b.instalmentIds[0]!;
  await b.step(instId, 'invoice', { invoiceNo: 'INV-GLOBEX-1' }, FIN);
  clock.advance(31 * DAY);
  const due = await engine.runDue();
  log(`  … 31 days later the deadline worker fires ${due.fired} timer(s)`);
  const overdue = await get(instId);
  log(`  instalment   mark_overdue     → ${engine.blueprint('instalment').stages.get(overdue.stage)?.label}`);
  const notes = (await storage.readOutbox({ limit: 1000 })).filter((m) => m.type === 'dealflow.notify' && m.recordId === b.dealId);
  const escalatedTo = notes.map((m) => m.payload.to);
  log(`    escalated to the deal owner: ${escalatedTo.join(', ')} (task on deal ${b.dealId}: "${((await get(b.dealId)).meta.tasks as Array<{ title: string }>)[0]?.title}")`);
  const { record: order2 } = await links.createLinked(b.contractId, 'order', { fields: { reference: 'SO-GLOBEX-1', amount: 80000 }, ownerId: 'ana' }, { as: 'orders', backlink: 'contract' }, { actor: ANA });
  let blockedMessage = '';
  try {
    await engine.send(order2.id, 'confirm', { actor: ANA });
  } catch (e) {
    if (!isDealflowError(e, 'REJECTED')) throw e;
    blockedMessage = e.message;
    log(`  order        confirm          ✗ blocked: an instalment of this contract is overdue`);
  }
  await b.step(instId, 'pay', { paidAmount: 80000, paidOn: clock.now().toISOString().slice(0, 10) }, FIN);
  await b.step(order2.id, 'confirm');

  return {
    happy: {
      lead: await get(a.lead.id),
      deal: await get(a.dealId),
      contract: await get(a.contractId),
      plan: await get(a.planId),
      instalments: await Promise.all(a.instalmentIds.map(get)),
      order: await get(order.id),
      feedback: await get(feedbackId),
    },
    late: { deal: await get(b.dealId), instalment: await get(instId), order: await get(order2.id), blockedMessage, escalatedTo },
    winBlockedMessage: a.winBlockedMessage,
  };
}
