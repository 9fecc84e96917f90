import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, createManualClock, createMemoryDirectory, createMemoryStorage, defineBlueprint, lintBlueprint, testBlueprint } from '@dealflow/core';
import type { Engine } from '@dealflow/core';
import { TEMPLATE_IDS, loadTemplate, loadTemplates, templatePath } from '@dealflow/templates';
import type { TemplateId } from '@dealflow/templates';

const ACTOR = { id: 'ana', roles: ['rep', 'manager'] };
const CJK = /[\u4e00-\u9fff]/;

/** Field values a rep types when creating a record, and with each event (per template). */
const FIXTURES: Record<TemplateId, { create: Record<string, unknown>; events: Record<string, Record<string, unknown>> }> = {
  lead: {
    create: { name: 'Li Wei', source: 'web_form', email: 'li@acme.cn' },
    events: { contact: { contactedVia: 'call' }, qualify: { company: 'ACME', need: 'CRM rollout', budget: 80000 }, disqualify: { lostReason: 'no_need' } },
  },
  quote: {
    create: { title: 'ACME CRM', items: [{ product: 'seat', quantity: 10, unitPrice: 1200, discountPercent: 10 }] },
    events: { send: { validUntil: '2026-12-31' }, accept: { acceptedOn: '2026-01-20' }, reject: { rejectionReason: 'too expensive' } },
  },
  customer: { create: { name: 'ACME' }, events: { activate: { industry: 'retail' }, reactivate: { industry: 'retail' }, lose: { lostReason: 'moved to a competitor' } } },
  contact: { create: { name: 'Li Wei' }, events: { verify: { role: 'decision_maker' } } },
  'deal-b2b': {
    create: { title: 'ACME CRM' },
    events: { propose: { amount: 80000, decisionMaker: 'Mr Zhang' }, negotiate: { quoteSent: '2026-01-12' }, quote_accepted: { quoteSent: '2026-01-12' }, send_contract: { closeDate: '2026-02-01' }, lose: { lostReason: 'price' } },
  },
  'deal-project': {
    create: { title: 'ERP project' },
    events: {
      design_solution: { amount: 900000, requirementsDoc: 'https://docs/req', stakeholders: 'CIO, CFO' },
      negotiate: { solutionDoc: 'https://docs/sol', solutionReviewed: true },
      sign_contract: { commercialTerms: '30/40/30', closeDate: '2026-06-30' },
      lose: { lostReason: 'competitor' },
    },
  },
  contract: { create: { title: 'ACME CRM', amount: 80000 }, events: { submit: { terms: '50% on signing, 50% on delivery' }, send_back: { rejectionNote: 'fix the terms' }, sign: { signedOn: '2026-02-01' } } },
  order: { create: { reference: 'SO-1', amount: 40000 }, events: { ship: { trackingNo: 'SF123' }, deliver: { deliveredOn: '2026-03-01' } } },
  'payment-plan': { create: { total: 80000 }, events: { activate: { instalments: 2 }, resume: { instalments: 2 }, write_off: { writeOffReason: 'bankrupt' } } },
  instalment: { create: { number: 1, amount: 40000, dueDate: '2026-03-01' }, events: { invoice: { invoiceNo: 'INV-1' }, pay: { payments: [{ amount: 40000, paidOn: '2026-03-20' }], paidOn: '2026-03-20' } } },
  feedback: { create: { orderRef: 'SO-1' }, events: { submit: { rating: 5 }, complain: { rating: 2, topic: 'product', followUp: 'site visit' } } },
};

function newEngine(clock = createManualClock('2026-01-05T09:00:00.000Z')): Engine {
  // a directory (no sales rules): the lead template's pool moves need one
  return createEngine({ storage: createMemoryStorage(), blueprints: loadTemplates(), clock, directory: createMemoryDirectory({ reps: [ACTOR] }) }); // roles from the directory (issue #15)
}

/** Milliseconds of the day-based ISO durations the templates use (`P7D`, `P400D`). */
function days(iso: string): number {
  const m = /^P(\d+)D$/.exec(iso);
  if (!m) throw new Error(`unexpected duration ${iso}`);
  return Number(m[1]) * 24 * 3_600_000;
}

describe('templates: files', () => {
  it.each(TEMPLATE_IDS)('%s: $schema points at @dealflow/core blueprint.schema.json, id matches the file', (id) => {
    const file = templatePath(id);
    const json = JSON.parse(readFileSync(file, 'utf8')) as { $schema: string; id: string };
    expect(json.id).toBe(id);
    const schemaFile = resolve(dirname(file), json.$schema);
    expect(schemaFile.endsWith('packages/core/blueprint.schema.json')).toBe(true);
    expect(existsSync(schemaFile)).toBe(true);
  });

  it.each(TEMPLATE_IDS)('%s: passes lintBlueprint with no finding at all (no warnings)', (id) => {
    expect(lintBlueprint(loadTemplate(id))).toEqual([]);
  });

  it.each(TEMPLATE_IDS)('%s: every stage, transition and field has an English and a Chinese label', (id) => {
    const spec = loadTemplate(id);
    for (const s of spec.stages) expect(s.label, `stage ${s.id}`).toMatch(CJK);
    for (const t of spec.transitions ?? []) expect(t.label, `transition ${t.event}`).toMatch(/[A-Za-z].*\/.*[\u4e00-\u9fff]/);
    for (const [name, f] of Object.entries(spec.fields ?? {})) expect(f.label, `field ${name}`).toMatch(CJK);
  });

  it('loadTemplate returns independent copies and names unknown ids', () => {
    const a = loadTemplate('lead');
    a.stages[0]!.label = 'changed';
    expect(loadTemplate('lead').stages[0]!.label).not.toBe('changed');
    expect(() => loadTemplate('nope' as TemplateId)).toThrow(/no template 'nope'/);
  });

  it('all templates load together into one engine (convert targets resolve)', () => {
    const engine = newEngine();
    for (const id of TEMPLATE_IDS) expect(engine.blueprint(id).id).toBe(id);
  });
});

describe('templates: every path through every template runs on the engine', () => {
  it.each(TEMPLATE_IDS)('%s: all simple paths are accepted and cover every transition', async (id) => {
    const tester = testBlueprint(defineBlueprint(loadTemplate(id)));
    const fx = FIXTURES[id];
    const engine = newEngine();
    const stop = tester.observe(engine);
    expect(tester.paths.length).toBeGreaterThan(0);
    for (const path of tester.paths) {
      const { record } = await engine.create(id, { fields: fx.create, ownerId: 'ana' }, { actor: ACTOR });
      for (const step of path.steps) {
        const r = await engine.send(record.id, { type: step.event, fields: fx.events[step.event] ?? {} }, { actor: ACTOR });
        if (!r.ok) throw new Error(`${id} path ${path.events.join(' → ')}: ${r.rejection.message}`);
        expect(r.to).toBe(step.to);
      }
      const end = await engine.get(record.id);
      expect(end!.stage).toBe(path.end);
    }
    stop();
    const report = tester.report();
    expect(report.messages).toEqual([]);
    expect(report.complete).toBe(true);
  });
});

describe('templates: date timers', () => {
  it('quote: a reminder 3 days before validUntil, expired the day after', async () => {
    const clock = createManualClock('2026-01-05T09:00:00.000Z');
    const engine = newEngine(clock);
    const { record } = await engine.create('quote', { fields: FIXTURES.quote.create, ownerId: 'ana' }, { actor: ACTOR });
    const sent = await engine.send(record.id, { type: 'send', fields: { validUntil: '2026-01-20' } }, { actor: ACTOR });
    expect(sent.ok).toBe(true);
    clock.advance(13 * 24 * 3_600_000); // 2026-01-18: the reminder is due, the quote still valid
    await engine.runDue();
    expect((await engine.history(record.id)).some((e) => e.kind === 'reminder')).toBe(true);
    expect((await engine.get(record.id))!.stage).toBe('sent');
    clock.advance(3 * 24 * 3_600_000); // 2026-01-21: the day after validUntil
    await engine.runDue();
    await engine.runDue();
    expect((await engine.get(record.id))!.stage).toBe('expired');
    expect((await engine.history(record.id)).filter((e) => e.event === 'expire')).toHaveLength(1);
  });
});

describe('templates: every stage deadline fires its breach transition through the deadline worker', () => {
  it.each(TEMPLATE_IDS)('%s', async (id) => {
    const spec = loadTemplate(id);
    const tester = testBlueprint(defineBlueprint(loadTemplate(id)));
    const fx = FIXTURES[id];
    const withDeadline = spec.stages.filter((s) => s.deadline);
    expect(withDeadline.length).toBe(spec.stages.filter((s) => (s.kind ?? 'open') === 'open').length);
    for (const stage of withDeadline) {
      // the shortest generated path that reaches the stage
      const path = tester.paths.filter((p) => p.stages.includes(stage.id)).sort((a, b) => a.stages.indexOf(stage.id) - b.stages.indexOf(stage.id))[0]!;
      const clock = createManualClock('2026-01-05T09:00:00.000Z');
      const engine = newEngine(clock);
      const { record } = await engine.create(id, { fields: fx.create, ownerId: 'ana' }, { actor: ACTOR });
      for (const step of path.steps.slice(0, path.stages.indexOf(stage.id))) {
        const r = await engine.send(record.id, { type: step.event, fields: fx.events[step.event] ?? {} }, { actor: ACTOR });
        if (!r.ok) throw new Error(r.rejection.message);
      }
      expect((await engine.get(record.id))!.stage).toBe(stage.id);
      const breach = spec.transitions!.find((t) => t.event === stage.deadline!.onBreach && (t.from === stage.id || (Array.isArray(t.from) && t.from.includes(stage.id))))!;
      clock.advance(days(stage.deadline!.within) - 1);
      await engine.runDue();
      expect((await engine.get(record.id))!.stage, `${id}: ${stage.id} before its deadline`).toBe(stage.id);
      clock.advance(1);
      const due = await engine.runDue();
      expect(due.rejected).toBe(0);
      expect((await engine.get(record.id))!.stage, `${id}: ${stage.id} after its deadline`).toBe(breach.to);
    }
  });
});

describe('setupFullCycle({ blueprints })', () => {
  it('runs edited copies of the templates: a checklist added to a stage is enforced', async () => {
    const { createManualClock, createMemoryStorage } = await import('@dealflow/core');
    const { loadTemplates, setupFullCycle } = await import('@dealflow/templates');
    const blueprints = loadTemplates().map((bp) => {
      if (bp.id !== 'lead') return bp;
      const first = bp.transitions![0]!;
      return { ...bp, stages: bp.stages.map((s) => (s.id === first.to ? { ...s, requirements: { checklist: [{ id: 'called', label: 'Called the lead' }] } } : s)) };
    });
    const { engine } = setupFullCycle({ storage: createMemoryStorage(), clock: createManualClock('2026-03-02T01:00:00.000Z'), rules: {}, blueprints });
    const first = engine.blueprint('lead').spec.transitions[0]!;
    const fields = FIXTURES.lead.events[first.event] ?? {};
    const { record } = await engine.create('lead', { fields: FIXTURES.lead.create });
    const refused = await engine.send(record.id, { type: first.event, fields });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.rejection.missingRequirements?.checklist.map((c) => c.id)).toEqual(['called']);
    const sent = await engine.send(record.id, { type: first.event, fields, checklist: ['called'] });
    expect(sent.ok, sent.ok ? '' : sent.rejection.message).toBe(true);
  });
});
