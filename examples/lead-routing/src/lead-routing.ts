import { createEngine, createManualClock, isDealflowError } from '@dealflow/core';
import type { Storage, StoredRecord } from '@dealflow/core';
import { lead, office, rules, salesOrg } from './sales-org.js';

/** What the walk-through did, for printing and for its test. */
export interface LeadRoutingResult {
  leads: StoredRecord[];
  duplicateOf: string | null;
  escalatedTo: string | null;
  notified: string[];
  claimedBy: string | null;
  handedOver: number;
}

const rep = (id: string, roles = ['rep']) => ({ actor: { id, roles } });

/**
 * Routes a morning's leads, rejects a duplicate, lets one lead go without a call for three
 * business days (it moves to the next rep, the manager is told), claims from the public pool and
 * hands a departing rep's leads over.
 */
export async function runLeadRouting(storage: Storage, print: (line: string) => void = () => {}): Promise<LeadRoutingResult> {
  // Monday 2026-11-23, 09:00 in Berlin
  const clock = createManualClock('2026-11-23T08:00:00.000Z');
  const directory = salesOrg();
  const engine = createEngine({ storage, blueprints: [lead], calendars: [office], clock, rules, directory });
  // leads arrive from the web form and the back office reads them: trusted jobs, acting as the system
  const intake = { actor: engine.system };

  print('── routing the morning leads');
  const input = [
    { name: 'Anna Berg', email: 'anna@berg.de', company: 'Berg GmbH', region: 'North', product: 'cloud' },
    { name: 'Bo Chen', email: 'bo@chen.io', region: 'North', product: 'support' },
    { name: 'Carla Diaz', email: 'carla@diaz.es', region: 'South', product: 'cloud' },
    { name: 'Dev Patel', email: 'dev@patel.in', region: 'South', product: 'cloud' },
    { name: 'Emil Ek', email: 'emil@ek.se', region: 'South', product: 'support' },
    { name: 'Finn Olsen', email: 'finn@olsen.no', product: 'cloud' },
    { name: 'Grace Ho', email: 'grace@ho.sg', region: 'North', product: 'cloud', vip: true },
  ];
  const leads: StoredRecord[] = [];
  for (const fields of input) {
    const { record, events } = await engine.create('lead', { fields }, intake);
    const a = events[0]!.data.assignment as { ruleId: string; reason: string };
    print(`${String(fields.name).padEnd(12)} → ${(record.ownerId ?? `pool '${record.teamId}'`).padEnd(14)} rule ${a.ruleId}: ${a.reason}`);
    leads.push(record);
  }

  print('── the same customer again (防撞单)');
  let duplicateOf: string | null = null;
  try {
    await engine.create('lead', { fields: { name: 'A. Berg', email: ' ANNA@berg.de ', region: 'South' } }, intake);
  } catch (e) {
    if (!isDealflowError(e, 'DUPLICATE')) throw e;
    duplicateOf = e.details.existingRecordId as string;
    print(`rejected: ${e.message}`);
  }

  print('── where would a lead like Bo Chen go now, and why? (explainAssignment writes nothing)');
  const why = await engine.explainAssignment({ type: 'lead', fields: input[1]! }, intake);
  for (const r of why.rules) print(`  ${r.ruleId.padEnd(18)} ${r.conditionHeld ? 'matched' : 'skipped'}: ${r.reason}`);

  print('── Tuesday: every owned lead gets a call, except Bo Chen');
  clock.set('2026-11-24T09:30:00.000Z');
  for (const l of leads) {
    if (l.ownerId && l.id !== leads[1]!.id) await engine.logActivity(l.id, { type: 'call', outcome: 'reached' }, rep(l.ownerId));
  }
  clock.set('2026-11-26T08:00:00.000Z'); // Thursday 09:00: three business days later
  const due = await engine.runDue();
  const bo = (await engine.get(leads[1]!.id, intake))!;
  const notes = (await storage.readOutbox({ limit: 100 })).filter((m) => m.type === 'dealflow.notify');
  const notified = notes.flatMap((m) => (m.payload as { to: string[] }).to);
  print(`${due.fired} escalation(s) fired: Bo Chen moved ${leads[1]!.ownerId} → ${bo.ownerId}; notified: ${notified.join(', ')}`);

  print('── the public pool (公海)');
  const pooled = leads[5]!;
  const claim = await engine.claim(pooled.id, rep('fay'));
  print(`fay claimed ${pooled.fields.name} from the pool`);

  print('── eli leaves: handover by the assignment rules, one audited batch (分得出、收得回、带不走)');
  directory.deactivateRep('eli');
  const handover = await engine.handover('eli', { strategy: 'rules' }, rep('sam', ['manager']));
  for (const m of handover.moved) {
    const r = (await engine.get(m.recordId, intake))!;
    print(`  ${String(r.fields.name).padEnd(12)} → ${m.to} (batch ${handover.batchId.slice(0, 8)})`);
  }
  for (const u of handover.unplaced) print(`  ${u.recordId} stays: ${u.reason}`);

  print('── what each rep sees');
  for (const id of ['ada', 'fay', 'nina', 'sam']) {
    const mine = await engine.queryFor({ type: 'lead' }, rep(id, id === 'nina' || id === 'sam' ? ['manager'] : ['rep']));
    print(`  ${id.padEnd(5)} ${mine.map((r) => r.fields.name).join(', ')}`);
  }
  const final = await Promise.all(leads.map(async (l) => (await engine.get(l.id, intake))!));
  return { leads: final, duplicateOf, escalatedTo: bo.ownerId, notified, claimedBy: claim.record.ownerId, handedOver: handover.moved.length };
}
