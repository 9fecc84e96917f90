import { readFileSync } from 'node:fs';
import { createEngine, createManualClock, defineBlueprint } from '@dealflow/core';
import type { NotifyEvent, Storage, StoredRecord } from '@dealflow/core';

/** What the quickstart did, for printing and for its test. */
export interface QuickstartResult {
  deals: StoredRecord[];
  escalations: NotifyEvent[];
  rejections: string[];
}

/** Loads the deal blueprint next to this example. */
export function loadDealBlueprint() {
  const json: unknown = JSON.parse(readFileSync(new URL('../deal.blueprint.json', import.meta.url), 'utf8'));
  return defineBlueprint(json);
}

/**
 * Drives a few deals through the pipeline on a manual clock: one is won, one is lost, one stalls
 * in Qualified over a weekend and gets escalated to the manager after 3 business days.
 */
export async function runQuickstart(storage: Storage, print: (line: string) => void = () => {}): Promise<QuickstartResult> {
  const deal = loadDealBlueprint();
  // Thursday 2026-12-17, 10:00 in Berlin: the weekend and Christmas are ahead
  const clock = createManualClock('2026-12-17T09:00:00.000Z');
  const engine = createEngine({ storage, blueprints: [deal], clock });

  const escalations: NotifyEvent[] = [];
  const rejections: string[] = [];
  engine.on('notify', (n) => escalations.push(n));
  engine.on('rejected', (r) => rejections.push(`${r.reason}: ${r.message}`));
  engine.on('transition', (t) => print(`  ${t.record.fields.name}: ${t.from} → ${t.to} (${t.event}, by ${t.actorId})`));
  engine.on('deadline.breached', (d) => print(`  ⏰ deadline breached: ${d.record.fields.name} in ${d.stage}`));
  engine.on('reminder', (d) => print(`  🔔 reminder: ${d.record.fields.name} is due in ${d.stage} at ${d.timer.payload.deadline}`));

  const ana = { actor: { id: 'ana', roles: ['rep'] } };
  const mia = { actor: { id: 'mia', roles: ['rep'] } };

  print('Creating three deals');
  const acme = (await engine.create('deal', { fields: { name: 'ACME rollout', company: 'ACME' }, ownerId: 'ana' }, ana)).record;
  clock.advance('PT5M');
  const globex = (await engine.create('deal', { fields: { name: 'Globex pilot', company: 'Globex' }, ownerId: 'mia' }, mia)).record;
  clock.advance('PT5M');
  const initech = (await engine.create('deal', { fields: { name: 'Initech renewal', company: 'Initech' }, ownerId: 'ana' }, ana)).record;

  await engine.send(acme.id, 'qualify', ana);
  await engine.send(globex.id, 'qualify', mia);
  await engine.send(initech.id, 'qualify', ana);

  // a proposal without an amount is refused by the guard (and amount is required in Proposal)
  const refused = await engine.send(acme.id, 'propose', ana);
  if (!refused.ok) print(`  refused: ${refused.rejection.reason} (${refused.rejection.message})`);

  clock.advance('PT2H');
  await engine.send(acme.id, { type: 'propose', fields: { amount: 48_000 } }, ana);
  await engine.send(acme.id, { type: 'negotiate', fields: { closeDate: '2027-01-15' } }, ana);
  // mia may not win ana's deal; ana may
  const notYours = await engine.send(acme.id, 'win', mia);
  if (!notYours.ok) print(`  refused: ${notYours.rejection.reason} (${notYours.rejection.message})`);
  await engine.send(acme.id, 'win', ana);

  await engine.send(initech.id, { type: 'lose', fields: { lossReason: 'competitor' } }, ana);

  print('Advancing the clock day by day; the worker fires due timers');
  for (let day = 1; day <= 7; day++) {
    clock.advance('P1D');
    const summary = await engine.runDue();
    if (summary.fired + summary.noop + summary.rejected > 0) {
      print(`  ${clock.now().toISOString().slice(0, 10)}: fired ${summary.fired}, no-op ${summary.noop}, rejected ${summary.rejected}`);
    }
  }

  const deals = await engine.query({ type: 'deal' });
  print('\nStages');
  for (const d of deals) print(`  ${String(d.fields.name).padEnd(16)} ${d.stage.padEnd(12)} v${d.version}${d.fields.escalated ? '  (escalated)' : ''}`);

  print('\nHistory of Globex pilot');
  for (const e of await engine.history(globex.id)) {
    print(`  #${e.seq} ${e.at}  ${e.kind.padEnd(10)} ${e.event ?? ''} ${e.from ? `${e.from} → ${e.to}` : e.to ?? ''}`);
  }

  print('\nEscalations sent to the manager');
  for (const n of escalations) print(`  to ${String(n.to)} via ${n.channel}: "${n.message}" (${JSON.stringify(n.data)})`);
  return { deals, escalations, rejections };
}
