import { createEngine, createManualClock, createMemoryDirectory, isDealflowError } from '@dealflow/core';
import type { Agenda, BlueprintInput, Engine, SalesRulesInput, Storage, StoredRecord } from '@dealflow/core';
import { activityReport } from '@dealflow/forecast';
import type { ActivityReportRow } from '@dealflow/forecast';
import dealJson from './deal.blueprint.json' with { type: 'json' };

/** Sales rules: south goes to sam (also when a deal moves south later); the rest rotates; only managers change regions. */
const rules: SalesRulesInput = {
  assignment: {
    rules: [
      { id: 'south', when: { '==': [{ var: 'fields.region' }, 'south'] }, assign: { strategy: 'owner', owner: 'sam' }, on: ['create', 'update'] },
      { id: 'default', assign: { strategy: 'roundRobin', reps: ['ann', 'bob'] } },
    ],
  },
  // with permissions configured, what no rule allows is denied: everyone may work on deals, only
  // managers may change the region (the roles come from the directory below)
  permissions: {
    read: true, create: true, edit: true, transitions: { '*': true }, activity: true,
    fields: { region: { in: ['manager', { var: 'actor.roles' }] } },
  },
};

const directory = () => createMemoryDirectory({
  reps: [
    { id: 'ann', roles: ['rep'], managerId: 'mia' }, { id: 'bob', roles: ['rep'], managerId: 'mia' }, { id: 'sam', roles: ['rep'], managerId: 'mia' },
    { id: 'lea', roles: ['legal'], teamIds: ['legal'] }, { id: 'mia', roles: ['manager'] },
  ],
  teams: [{ id: 'legal', memberIds: ['lea'] }],
});

/** What the walk-through did, for the test. */
export interface RepDayResult {
  engine: Engine;
  deals: Record<string, StoredRecord>;
  /** bob's agenda on Wednesday. */
  agenda: Agenda;
  /** bob's open tasks due before Thursday (engine.tasks). */
  overdueThursday: string[];
  rerouted: { from: string | null; to: string | null };
  regionEditRefused: boolean;
  wonLinesEditRefused: boolean;
  signRejectedFor: string[];
  reminders: string[];
  report: ActivityReportRow[];
}

/**
 * A rep's week on a deal pipeline: deals with product lines whose amount computes itself, edits
 * (normalized contacts, permissions per field, a region change that re-routes the deal), a
 * close-date reminder planned from a field, a contract handed to legal on entering its stage with
 * a checklist to tick, a won deal whose invoice address may still change, and ann's day from the
 * store's task index, then the activity report by day.
 */
export async function runRepDay(storage: Storage, say: (line: string) => void): Promise<RepDayResult> {
  const clock = createManualClock('2026-03-02T08:00:00.000Z'); // Monday 09:00 in Berlin
  const engine = createEngine({ storage, blueprints: [dealJson as unknown as BlueprintInput], clock, rules, directory: directory() });
  const as = (id: string, roles = ['rep']) => ({ actor: { id, roles } });
  const mia = as('mia', ['manager']);

  say('Monday: three deals come in');
  const deals: Record<string, StoredRecord> = {};
  const add = async (name: string, region: 'north' | 'south', lines: Array<{ product: string; quantity: number; unitPrice: number; discount?: number }>) => {
    deals[name] = (await engine.create('deal', { fields: { name, region, lines } }, mia)).record;
    say(`  ${name}: ${deals[name]!.ownerId}, amount EUR ${deals[name]!.fields.amount} (${lines.length} line(s))`);
  };
  await add('ACME', 'north', [{ product: 'Seat licence', quantity: 25, unitPrice: 19.99 }, { product: 'Onboarding', quantity: 1, unitPrice: 1500, discount: 0.1 }]);
  await add('Globex', 'north', [{ product: 'Seat licence', quantity: 10, unitPrice: 19.99 }]);
  await add('Initech', 'north', [{ product: 'Seat licence', quantity: 3, unitPrice: 19.99 }]);

  say('ann edits ACME: contact details are normalized, a new line recomputes the amount');
  const acme = deals.ACME!;
  let r = await engine.update(acme.id, { fields: { email: '  Buyer@ACME.example ', phone: '030 1234567', nextContact: '2026-03-04', expectedCloseDate: '2026-03-13',
    lines: [...(acme.fields.lines as object[]), { product: 'Support', quantity: 12, unitPrice: 49 }] } }, as(acme.ownerId!));
  deals.ACME = r.record;
  say(`  changed ${r.changed.join(', ')}: ${r.record.fields.email}, ${r.record.fields.phone}, amount EUR ${r.record.fields.amount}`);
  const reminderAt = (await engine.timers(acme.id, { status: ['pending'], ...mia })).find((t) => t.key === 'field:close-soon')?.dueAt;
  say(`  reminder planned 3 business days before the close date: ${reminderAt}`);

  let regionEditRefused = false;
  const initech = deals.Initech!;
  try {
    await engine.update(initech.id, { fields: { region: 'south' } }, as(initech.ownerId!));
  } catch (e) {
    regionEditRefused = isDealflowError(e, 'FORBIDDEN');
    say(`  ${initech.ownerId} may not move Initech to the south: ${(e as Error).message}`);
  }
  r = await engine.update(initech.id, { fields: { region: 'south' } }, mia);
  const rerouted = { from: initech.ownerId, to: r.record.ownerId };
  deals.Initech = r.record;
  say(`  mia moves Initech south: re-routed from ${rerouted.from} to ${rerouted.to} (rule '${(r.record.meta.assignment as { ruleId: string }).ruleId}')`);

  say('ann and bob propose (a follow-up task each, due in 2 business days); bob plans a call for Wednesday');
  await engine.send(acme.id, 'propose', as('ann'));
  await engine.logActivity(acme.id, { type: 'call', subject: 'Proposal walk-through' }, as('ann'));
  const globex = deals.Globex!;
  await engine.send(globex.id, 'propose', as(globex.ownerId!));
  await engine.update(globex.id, { fields: { nextContact: '2026-03-04', expectedCloseDate: '2026-03-13' } }, as(globex.ownerId!));
  await engine.logActivity(globex.id, { type: 'email', subject: 'Pricing' }, as(globex.ownerId!));
  clock.advance('P1D'); // Tuesday
  say('Tuesday: ann sends ACME to contract: legal takes it over');
  await engine.logActivity(acme.id, { type: 'meeting', subject: 'Negotiation' }, as('ann'));
  const toContract = await engine.send(acme.id, 'contract', as('ann'));
  say(toContract.ok ? `  ACME is with ${toContract.record.ownerId} (team ${toContract.record.teamId}) in Contract` : `  not in contract: ${toContract.rejection.message}`);
  const signed = await engine.send(acme.id, { type: 'win', checklist: ['scope'] }, as('lea', ['legal']));
  const signRejectedFor = !signed.ok && signed.rejection.missingRequirements ? signed.rejection.missingRequirements.checklist.map((c) => c.id) : [];
  say(`  'win' without the checklist: ${signed.ok ? 'accepted?!' : signed.rejection.message}`);
  const won = await engine.send(acme.id, { type: 'win', checklist: ['scope', 'terms'], note: 'Signed by the CFO', attachments: ['s3://contracts/acme-msa.pdf'] }, as('lea', ['legal']));
  say(`  with it: ${won.ok ? `won, EUR ${won.record.fields.amount}` : won.rejection.message}`);
  const after = await engine.update(acme.id, { fields: { invoiceAddress: 'Hauptstraße 1, 10115 Berlin' } }, as('lea', ['legal']));
  say(`  the won deal's invoice address may still change: ${after.changed.join(', ')}`);
  let wonLinesEditRefused = false;
  await engine.update(acme.id, { fields: { lines: [] } }, as('lea', ['legal'])).catch((e: unknown) => {
    wonLinesEditRefused = isDealflowError(e, 'FORBIDDEN');
    say(`  its lines may not: ${(e as Error).message}`);
  });

  clock.set('2026-03-04T07:00:00.000Z'); // Wednesday 08:00 in Berlin
  const names = new Map(Object.values(deals).map((d) => [d.id, String(d.fields.name)]));
  const agendas: Record<string, Agenda> = {};
  for (const rep of ['ann', 'bob', 'sam']) {
    const day = (agendas[rep] = await engine.agenda(rep, '2026-03-04', { timeZone: 'Europe/Berlin' }));
    say(`${rep}'s Wednesday (${day.day}, ${day.timeZone}):${day.overdue.length + day.dueToday.length + day.dates.length + day.deadlines.length === 0 ? ' nothing' : ''}`);
    for (const t of day.overdue) say(`  overdue:  ${t.title} — ${names.get(t.recordId)} (due ${t.dueAt})`);
    for (const t of day.dueToday) say(`  today:    ${t.title} — ${names.get(t.recordId)} (due ${t.dueAt})`);
    for (const t of day.dates) say(`  call:     ${t.title} — ${names.get(t.recordId)}`);
    for (const d of day.deadlines) say(`  deadline: '${d.stage}' of ${names.get(d.recordId)} ends at ${d.dueAt}`);
  }
  const agenda = agendas.bob!;
  const owner = globex.ownerId!;

  clock.set('2026-03-10T09:00:00.000Z'); // the next Tuesday: Globex's close date is 3 business days away (ACME is won: its reminder stopped)
  const fired = await engine.runDue();
  const reminders = (await Promise.all(Object.values(deals).map((d) => engine.history(d.id, mia)))).flat().filter((e) => e.kind === 'reminder').map((e) => `${names.get(e.recordId)}:${String(e.data.dateTimer ?? 'deadline')}`);
  say(`Tuesday next week: the worker fired ${fired.fired} timer(s); reminders: ${reminders.join(', ')}`);
  const overdueThursday = (await engine.tasks({ owner, status: 'open', kind: 'task', dueBefore: '2026-03-05T00:00:00.000Z' }, mia)).map((t) => `${t.recordId}:${t.title}`);

  const history = (await Promise.all(Object.values(deals).map((d) => engine.history(d.id, mia)))).flat();
  const report = activityReport({ history, by: 'day', timeZone: 'Europe/Berlin', period: { from: '2026-03-02T00:00:00+01:00', to: '2026-03-04T00:00:00+01:00' } });
  say('Activity by rep and day:');
  for (const row of report) say(`  ${row.repId} ${row.bucket}: ${row.calls} call(s), ${row.emails} e-mail(s), ${row.meetings} meeting(s)`);
  return { engine, deals, agenda, overdueThursday, rerouted, regionEditRefused, wonLinesEditRefused, signRejectedFor, reminders, report };
}
