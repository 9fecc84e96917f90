import { createManualClock, createMemoryDirectory, createOutboxRelay, isDealflowError, linksOf } from '@dealflow/core';
import type { Storage, StoredRecord, SendResult } from '@dealflow/core';
import { createMemoryCatalog, priceLines } from '@dealflow/commerce';
import { daysSalesOutstanding, forecastCollections, instalmentPlans, receivablesAgeing, satisfaction } from '@dealflow/forecast';
import type { ReceivablesAgeing, Satisfaction } from '@dealflow/forecast';
import { createInstalments, recordPayment, setupFullCycle } from '@dealflow/templates';
import type { FullCycle, InstalmentSchedule } from '@dealflow/templates';

const ANA = { id: 'ana', roles: ['rep'] };
const BOB = { id: 'bob', roles: ['rep'] };
const MAX = { id: 'max', roles: ['manager'] };
const FIN = { id: 'fin', roles: ['finance'] };
const DAY = 24 * 3_600_000;

/** Who works where: two reps in the east team (ana sells the CRM), their manager, finance, R&D and support. */
export const directory = createMemoryDirectory({
  reps: [
    { id: 'ana', name: 'Ana', region: 'east', teamIds: ['east'], managerId: 'max', roles: ['rep'], attributes: { products: ['crm'] } },
    { id: 'bob', name: 'Bob', region: 'east', teamIds: ['east'], managerId: 'max', roles: ['rep'] },
    { id: 'max', name: 'Max', region: 'east', teamIds: ['east'], roles: ['manager'] },
    { id: 'fin', name: 'Finance desk', roles: ['finance'] },
    { id: 'rita', name: 'Rita (R&D)', teamIds: ['rnd'], roles: ['engineer'] },
    { id: 'sam', name: 'Sam (support)', teamIds: ['support'], roles: ['support'] },
  ],
  teams: [
    { id: 'east', region: 'east', managerId: 'max', memberIds: ['ana', 'bob'] },
    { id: 'rnd', managerId: 'rita', memberIds: ['rita'] },
    { id: 'support', managerId: 'sam', memberIds: ['sam'] },
  ],
});

/** The product catalogue and its list prices (CNY). */
export const catalog = createMemoryCatalog({
  products: [
    { id: 'crm-seat', name: 'CRM seat / 席位', family: 'software' },
    { id: 'onboarding', name: 'Onboarding / 实施服务', family: 'service' },
  ],
  priceBooks: [{ id: 'list', prices: { 'crm-seat': { CNY: 1200 }, onboarding: { CNY: 15000 } } }],
});

/** What the run produced, for the smoke test. */
export interface FullCycleSummary {
  happy: { lead: StoredRecord; deal: StoredRecord; quotes: StoredRecord[]; contract: StoredRecord; plan: StoredRecord; instalments: StoredRecord[]; order: StoredRecord; feedback: StoredRecord };
  late: { deal: StoredRecord; instalments: StoredRecord[]; order: StoredRecord; blockedMessage: string; escalatedTo: unknown[] };
  pool: { lead: StoredRecord; refusedForAna: string };
  ageing: ReceivablesAgeing;
  satisfaction: Satisfaction;
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
 * A lead from the web form (routed to a rep by region and product), converted; the deal's lines
 * priced from the catalogue; the quote approved (25 % discount), accepted, and the deal moved by
 * the follow-up; the contract approved and signed; the deal won into an order with its lines; the
 * payment plan split into instalments.
 */
async function leadToPlan(c: FullCycle, company: string, log: Log, schedule: InstalmentSchedule) {
  const { engine, links, followUps } = c;
  const label = (r: StoredRecord) => engine.blueprint(r.blueprintId).stages.get(r.stage)?.label ?? r.stage;
  const step = async (id: string, event: string, fields: Record<string, unknown> = {}, actor = ANA) => {
    const r = must(await engine.send(id, { type: event, fields }, { actor }), `${event} on ${id}`);
    log(`  ${r.type.padEnd(12)} ${event.padEnd(16)} → ${label(r)}`);
    return r;
  };
  const approved = async (id: string, event: string, fields: Record<string, unknown>) => {
    const held = await engine.send(id, { type: event, fields }, { actor: ANA });
    if (held.ok || held.rejection.reason !== 'approval_pending') throw new Error(`${event} on ${id} should wait for approval`);
    log(`  ${id.split('_')[0]!.padEnd(12)} ${event.padEnd(16)} ⏸ discount over 20 %: waits for the manager`);
    await engine.approve(id, { actor: MAX });
    const r = (await engine.get(id))!;
    log(`  ${r.type.padEnd(12)} approve (max)    → ${label(r)}`);
    return r;
  };
  const relay = createOutboxRelay({ storage: engine.storage, handler: async (m) => {
    const done = await followUps.handle(m);
    if (done?.outcome === 'sent') log(`    follow-up: ${done.rule} (${done.recordId})`);
  } });
  const drain = async () => { while ((await relay.tick()) > 0); };

  const { record: lead } = await engine.create('lead', { fields: { name: `${company} buyer`, email: `buyer@${company.toLowerCase()}.cn`, source: 'web_form', region: 'east', productInterest: 'crm' } }, { actor: ANA });
  log(`  lead         created from web form → ${label(lead)}, routed to ${lead.ownerId} (${(lead.meta.assignment as { ruleId: string }).ruleId})`);
  await step(lead.id, 'contact', { contactedVia: 'call' });
  await step(lead.id, 'qualify', { company, need: 'CRM rollout', budget: 30000 });
  const converted = await step(lead.id, 'convert');
  const dealId = linked(converted, 'deal');
  const priced = await priceLines(catalog, [{ product: 'crm-seat', quantity: 20, discountPercent: 25 }, { product: 'onboarding', quantity: 1 }], { currency: 'CNY' });
  log(`    priced: ${priced.lines.map((l) => `${l.quantity} × ${l.name} @ ${l.unitPrice} −${l.discountPercent}% = ${l.lineTotal}`).join('; ')}; total ${priced.total} CNY`);
  const proposal = await step(dealId, 'propose', { decisionMaker: 'Mr Zhang', items: priced.lines.map(({ lineTotal: _t, lineTotalMinor: _m, ...line }) => line) });
  const quoteV1 = linked(proposal, 'quote');
  await approved(quoteV1, 'send', { validUntil: '2026-03-31' });
  const revised = await step(quoteV1, 'revise');
  const quoteV2 = linked(revised, 'next');
  await approved(quoteV2, 'send', {});
  await step(quoteV2, 'accept', { acceptedOn: engine.clock.now().toISOString().slice(0, 10) });
  await drain();
  await approved(dealId, 'send_contract', { closeDate: '2026-04-30' });
  const contractId = linked((await engine.get(dealId))!, 'contract');
  await step(contractId, 'submit', { terms: 'instalments' });
  await step(contractId, 'approve', {}, MAX);
  const won = await step(dealId, 'win');
  const orderId = linked(won, 'order');
  const signed = await step(contractId, 'sign', { signedOn: engine.clock.now().toISOString().slice(0, 10) });
  const planId = linked(signed, 'plan');
  const { instalments } = await createInstalments({ engine, links }, planId, schedule, { actor: FIN, ownerId: 'fin' });
  log(`  payment plan ${planId}: ${instalments.map((i) => `${i.fields.amount} due ${i.fields.dueDate}`).join(', ')} (sum ${signed.fields.amount} CNY)`);
  return { lead, dealId, quotes: [quoteV1, quoteV2], contractId, orderId, planId, instalmentIds: instalments.map((i) => i.id), step, drain };
}

/**
 * Runs quote to cash on a store: ACME from web-form lead to a settled payment plan (partial
 * payments) and a product complaint routed to R&D; Globex whose instalment is paid late (escalated
 * to the deal owner, next order blocked); the receivables ageing and satisfaction reports; and an
 * untouched lead returned to the public pool and claimed by another rep.
 */
export async function runFullCycle(storage: Storage, log: Log = () => {}): Promise<FullCycleSummary> {
  const clock = createManualClock('2026-03-02T01:00:00.000Z'); // Monday 09:00 in Shanghai
  const cycle = setupFullCycle({ storage, clock, directory });
  const { engine } = cycle;
  const get = async (id: string) => (await engine.get(id))!;

  log('── ACME: web form → quote → order → contract → instalments → settled');
  const a = await leadToPlan(cycle, 'ACME', log, { shares: [30, 70], firstDue: '2026-03-20' });
  await a.step(a.orderId, 'confirm');
  await a.step(a.orderId, 'start_production');
  await a.step(a.orderId, 'ship', { trackingNo: 'SF1234567' });
  const delivered = await a.step(a.orderId, 'deliver', { deliveredOn: '2026-03-10' });
  const feedbackId = linked(delivered, 'feedback');
  const [first, second] = await Promise.all(a.instalmentIds.map(get)) as [StoredRecord, StoredRecord];
  await a.step(first.id, 'invoice', { invoiceNo: 'INV-ACME-1' }, FIN);
  await a.step(second.id, 'invoice', { invoiceNo: 'INV-ACME-2' }, FIN);
  const part = await recordPayment(engine, first.id, { amount: 5000, paidOn: '2026-03-18', reference: 'BK-1' }, { actor: FIN });
  log(`  instalment   partial payment  5000 → paid ${part.record.fields.paidAmount}, outstanding ${part.record.fields.outstanding}`);
  await recordPayment(engine, first.id, { amount: part.record.fields.outstanding as number, paidOn: '2026-03-19', reference: 'BK-2' }, { actor: FIN });
  await recordPayment(engine, second.id, { amount: second.fields.amount as number, paidOn: '2026-04-15', reference: 'BK-3' }, { actor: FIN });
  await a.drain();
  log(`  payment plan settled itself → ${(await get(a.planId)).stage}`);
  const complaint = await a.step(feedbackId, 'complain', { rating: 2, nps: 5, topic: 'product', comment: 'reports time out', followUp: 'R&D investigates' });
  log(`    product complaint routed to ${complaint.ownerId} (${(complaint.meta.assignment as { ruleId: string }).ruleId})`);
  await a.step(feedbackId, 'resolve', {}, { id: 'rita', roles: ['engineer'] });

  log('── Globex: an instalment is paid late');
  const b = await leadToPlan(cycle, 'Globex', log, { count: 3, firstDue: '2026-03-16', every: 'P1M' });
  const instId = b.instalmentIds[0]!;
  await b.step(b.orderId, 'confirm');
  await b.step(instId, 'invoice', { invoiceNo: 'INV-GLOBEX-1' }, FIN);
  clock.advance(16 * DAY);
  const due = await engine.runDue();
  log(`  … 16 days later the deadline worker fires ${due.fired} timer(s)`);
  const overdue = await get(instId);
  log(`  instalment   past due date    → ${engine.blueprint('instalment').stages.get(overdue.stage)?.label}`);
  const notes = (await storage.readOutbox({ limit: 10_000 })).filter((m) => m.type === 'dealflow.notify' && m.recordId === b.dealId && m.payload.message === 'instalment.overdue.escalated');
  const escalatedTo = notes.map((m) => m.payload.to);
  log(`    escalated to the deal owner: ${escalatedTo.join(', ')}`);
  const { record: repeat } = await cycle.links.createLinked(b.contractId, 'order', { fields: { reference: 'SO-GLOBEX-2', amount: 11000 }, ownerId: 'ana' }, { as: 'orders', backlink: 'contract' }, { actor: ANA });
  let blockedMessage = '';
  try {
    await engine.send(repeat.id, 'confirm', { actor: ANA });
  } catch (e) {
    if (!isDealflowError(e, 'REJECTED')) throw e;
    blockedMessage = e.message;
    log(`  order        confirm          ✗ blocked: an instalment of this contract is overdue`);
  }
  const partial = await recordPayment(engine, instId, { amount: 5000, paidOn: clock.now().toISOString().slice(0, 10), reference: 'BK-G1' }, { actor: FIN });
  log(`  instalment   partial payment  5000 → still ${engine.blueprint('instalment').stages.get(partial.record.stage)?.label}, outstanding ${partial.record.fields.outstanding}`);
  await b.step(b.instalmentIds[1]!, 'invoice', { invoiceNo: 'INV-GLOBEX-2' }, FIN);
  clock.advance(35 * DAY);
  const later = await engine.runDue();
  log(`  … 35 days later the worker fires ${later.fired} more timer(s)`);

  // a survey answered on the phone, for the satisfaction report
  const { record: survey } = await engine.create('feedback', { fields: { orderRef: 'SO-2025-118' }, ownerId: 'sam' }, { actor: { id: 'sam', roles: ['support'] } });
  await a.step(survey.id, 'submit', { rating: 5, nps: 9, comment: 'great support' }, { id: 'sam', roles: ['support'] });

  log('── Initech: nobody calls the lead within a working day');
  const { record: idle } = await engine.create('lead', { fields: { name: 'Initech buyer', email: 'buyer@initech.cn', source: 'phone', region: 'east', productInterest: 'crm' } }, { actor: ANA });
  clock.advance(DAY);
  await engine.runDue();
  const pooled = await get(idle.id);
  log(`  lead         no first contact → ${engine.blueprint('lead').stages.get(pooled.stage)?.label}, owner ${pooled.ownerId ?? 'none'}`);
  let refusedForAna = '';
  try {
    await engine.claim(idle.id, { actor: ANA });
  } catch (e) {
    if (!isDealflowError(e, 'FORBIDDEN')) throw e;
    refusedForAna = e.message;
    log(`  ana may not claim it back yet: ${e.message}`);
  }
  await engine.claim(idle.id, { actor: BOB });
  await engine.send(idle.id, { type: 'contact', fields: { contactedVia: 'call' } }, { actor: BOB });

  const asOf = clock.now();
  const instalments = await storage.queryRecords(engine.tenantId, { type: 'instalment' });
  const ageing = receivablesAgeing({ records: instalments, asOf, currency: 'CNY' });
  const dso = daysSalesOutstanding({ records: instalments, asOf, currency: 'CNY', days: 90 });
  const collections = forecastCollections({ records: instalmentPlans(instalments, { currency: 'CNY' }), period: { from: asOf.toISOString().slice(0, 10), to: '2026-07-01' }, asOf });
  const sat = satisfaction({ records: await storage.queryRecords(engine.tenantId, { type: 'feedback' }) });
  log(`── Receivables ageing at ${asOf.toISOString().slice(0, 10)} (CNY)`);
  for (const bucket of ageing.buckets) log(`  ${bucket.id.padEnd(8)} ${String(bucket.amount).padStart(10)}  (${bucket.count})`);
  log(`  total    ${String(ageing.total).padStart(10)}; overdue ${ageing.overdue}; DSO (90 days) ${dso.dso === null ? 'n/a' : dso.dso.toFixed(1)}; expected collections to July ${collections.expected.toFixed(2)} of ${collections.scheduled} scheduled`);
  log(`  satisfaction: CSAT ${sat.csat === null ? 'n/a' : `${(sat.csat * 100).toFixed(0)} %`}, NPS ${sat.nps ?? 'n/a'} (${sat.npsResponses} answer(s))`);
  const claimed = await get(idle.id);
  log(`── The idle lead went back to the public pool and ${claimed.ownerId} claimed it: ${claimed.id} → ${engine.blueprint('lead').stages.get(claimed.stage)?.label}`);

  return {
    happy: {
      lead: await get(a.lead.id),
      deal: await get(a.dealId),
      quotes: await Promise.all(a.quotes.map(get)),
      contract: await get(a.contractId),
      plan: await get(a.planId),
      instalments: await Promise.all(a.instalmentIds.map(get)),
      order: await get(a.orderId),
      feedback: await get(feedbackId),
    },
    late: { deal: await get(b.dealId), instalments: await Promise.all(b.instalmentIds.map(get)), order: await get(repeat.id), blockedMessage, escalatedTo },
    pool: { lead: claimed, refusedForAna },
    ageing,
    satisfaction: sat,
  };
}
