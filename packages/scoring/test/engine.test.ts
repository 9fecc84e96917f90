import { describe, expect, it } from 'vitest';
import { createEngine, createManualClock, createMemoryDirectory, createMemoryStorage, defineBlueprint, replay } from '@dealflow/core';
import type { BlueprintInput, HistoryEvent, StoredRecord } from '@dealflow/core';
import { explainScore, fitScoring, probabilityFor, scoringPlugin } from '../src/index.js';
import type { ScoreCriterion, StageKind } from '../src/index.js';

const leadBlueprint: BlueprintInput = {
  id: 'lead',
  version: 1,
  recordType: 'lead',
  initialStage: 'new',
  fields: {
    name: { type: 'string', required: true },
    employees: { type: 'number' },
    pastOrders: { type: 'number' },
    urgency: { type: 'enum', values: ['low', 'high'] },
    sector: { type: 'string' },
    note: { type: 'string' },
    leadScore: { type: 'number' },
    winProbability: { type: 'number' },
  },
  stages: [
    { id: 'new', kind: 'open' },
    { id: 'qualified', kind: 'open' },
    { id: 'won', kind: 'won' },
    { id: 'lost', kind: 'lost' },
  ],
  transitions: [
    { event: 'qualify', from: 'new', to: 'qualified' },
    // a guard reading the score: only hot leads may skip qualification
    { event: 'fast_track', from: 'new', to: 'won', guard: { '>=': [{ var: 'fields.leadScore' }, 50] } },
    { event: 'note', from: ['new', 'qualified'], to: 'qualified' },
    { event: 'win', from: 'qualified', to: 'won' },
    { event: 'lose', from: ['new', 'qualified'], to: 'lost' },
  ],
};
const stages: StageKind[] = [
  { id: 'new', kind: 'open' },
  { id: 'qualified', kind: 'open' },
  { id: 'won', kind: 'won' },
  { id: 'lost', kind: 'lost' },
];

const criteria: ScoreCriterion[] = [
  { id: 'enterprise', when: { '>=': [{ var: 'fields.employees' }, 1000] }, points: 30, reason: 'Enterprise account' },
  { id: 'repeat', when: { '>': [{ var: 'fields.pastOrders' }, 0] }, points: 20, reason: 'Has bought before' },
  { id: 'urgent', when: { '==': [{ var: 'fields.urgency' }, 'high'] }, points: 25, reason: 'Urgent need' },
];

const rep = { actor: { id: 'ana', roles: ['rep'] } };

function setup(extra: Partial<Parameters<typeof createEngine>[0]> = {}) {
  const clock = createManualClock('2026-01-05T09:00:00.000Z');
  const storage = createMemoryStorage();
  const engine = createEngine({
    storage,
    clock,
    blueprints: [defineBlueprint(leadBlueprint)],
    plugins: [scoringPlugin({ criteria, scoreField: 'leadScore' })],
    ...extra,
  });
  return { engine, clock, storage };
}

describe('scoringPlugin inside createEngine', () => {
  it('keeps the score on the record, explains it, and records it in history (replay is exact)', async () => {
    const { engine, clock } = setup();
    const { record } = await engine.create('lead', { fields: { name: 'ACME', employees: 5000 } }, rep);
    expect(record.meta['score']).toBe(30);
    expect(record.fields['leadScore']).toBe(30);
    expect(explainScore(record).map((f) => f.reason)).toEqual(['Enterprise account']);

    clock.advance(60_000);
    const r = await engine.send(record.id, { type: 'qualify', fields: { urgency: 'high' } }, rep);
    expect(r.ok).toBe(true);
    const now = (await engine.get(record.id)) as StoredRecord;
    expect(now.meta['score']).toBe(55);
    expect(explainScore(now).map((f) => f.id)).toEqual(['enterprise', 'urgent']);
    const history = await engine.history(record.id);
    expect(replay(history)).toEqual(now);
  });

  it('does not rescore when only fields the criteria do not read change', async () => {
    const { engine, clock } = setup();
    const { record } = await engine.create('lead', { fields: { name: 'ACME', employees: 5000 } }, rep);
    const scoredAt = record.meta['scoredAt'];
    clock.advance(3_600_000);
    await engine.send(record.id, { type: 'note', fields: { note: 'called them' } }, rep);
    const after = (await engine.get(record.id)) as StoredRecord;
    expect(after.meta['scoredAt']).toBe(scoredAt);
    const last = (await engine.history(record.id)).at(-1) as HistoryEvent;
    expect((last.data['changes'] as { meta?: Record<string, unknown> }).meta?.['score']).toBeUndefined();
  });

  it('lets a blueprint guard read the score (fields.leadScore)', async () => {
    const { engine } = setup();
    const cold = (await engine.create('lead', { fields: { name: 'Small', employees: 10 } }, rep)).record;
    const hot = (await engine.create('lead', { fields: { name: 'Big', employees: 5000, pastOrders: 3 } }, rep)).record;
    expect((await engine.send(cold.id, 'fast_track', rep)).ok).toBe(false);
    expect((await engine.send(hot.id, 'fast_track', rep)).ok).toBe(true);
  });

  it('routes hot leads to senior reps through an assignment rule on the score', async () => {
    const directory = createMemoryDirectory({
      reps: [{ id: 'sam', name: 'Senior Sam' }, { id: 'jo', name: 'Junior Jo' }],
      teams: [
        { id: 'senior', memberIds: ['sam'] },
        { id: 'junior', memberIds: ['jo'] },
      ],
    });
    const { engine } = setup({
      directory,
      rules: {
        assignment: {
          rules: [
            { id: 'hot', when: { '>=': [{ var: 'fields.leadScore' }, 50] }, assign: { strategy: 'roundRobin', team: 'senior' } },
            { id: 'rest', assign: { strategy: 'roundRobin', team: 'junior' } },
          ],
        },
      },
    });
    const hot = (await engine.create('lead', { fields: { name: 'Big', employees: 5000, urgency: 'high' } }, rep)).record;
    const cold = (await engine.create('lead', { fields: { name: 'Small', employees: 5 } }, rep)).record;
    expect(hot.ownerId).toBe('sam');
    expect(cold.ownerId).toBe('jo');
  });

  it('escalates only stalled hot deals through an escalation rule on the score', async () => {
    const directory = createMemoryDirectory({
      reps: [{ id: 'ana', managerId: 'max' }, { id: 'max', roles: ['manager'] }],
      teams: [{ id: 'sales', memberIds: ['ana'], managerId: 'max' }],
    });
    const { engine, clock, storage } = setup({
      directory,
      rules: {
        escalations: [
          {
            id: 'stalled-hot',
            on: 'stage',
            stage: 'qualified',
            when: { '>=': [{ var: 'fields.leadScore' }, 50] },
            levels: [{ after: 'P3D', actions: [{ notify: 'manager' }] }],
          },
        ],
      },
    });
    const hot = (await engine.create('lead', { fields: { name: 'Big', employees: 5000, urgency: 'high' }, ownerId: 'ana' }, rep)).record;
    const cold = (await engine.create('lead', { fields: { name: 'Small', employees: 5 }, ownerId: 'ana' }, rep)).record;
    await engine.send(hot.id, 'qualify', rep);
    await engine.send(cold.id, 'qualify', rep);
    clock.advance('P3DT1H');
    await engine.runDue();
    const notified = (await storage.readOutbox({ limit: 100 }))
      .filter((m) => m.type === 'dealflow.notify')
      .map((m) => [m.recordId, (m.payload as { to?: string[] }).to]);
    expect(notified).toEqual([[hot.id, ['max']]]);
    expect(cold.meta['score']).toBe(0);
  });

  it('fits a model from the engine store and writes meta.winProbability for new leads', async () => {
    const { engine, storage } = setup();
    const sectors = ['retail', 'retail', 'retail', 'education', 'education', 'retail', 'education', 'education'];
    const outcomes = [true, true, false, false, false, true, true, false];
    for (let i = 0; i < sectors.length; i++) {
      const { record } = await engine.create('lead', { fields: { name: `L${i}`, sector: sectors[i] } }, rep);
      // two leads (3 and 4) are lost straight from 'new'; the rest reach 'qualified'
      if (i !== 3 && i !== 4) await engine.send(record.id, 'qualify', rep);
      await engine.send(record.id, outcomes[i] ? 'win' : 'lose', rep);
    }
    const records = await storage.queryRecords('default', {});
    const history = (await Promise.all(records.map((r) => engine.history(r.id)))).flat();
    const model = fitScoring({
      records,
      history,
      stages,
      method: 'naive-bayes',
      asOf: new Date('2027-01-01T00:00:00Z'),
      features: [
        { name: 'sector', kind: 'categorical', source: 'fields.sector' },
        { name: 'reached', kind: 'categorical', source: 'stageReached' },
      ],
    });
    expect(model.training).toMatchObject({ examples: 8, won: 4, lost: 4 });

    const scored = createEngine({
      storage,
      clock: createManualClock('2026-02-01T09:00:00.000Z'),
      blueprints: [defineBlueprint(leadBlueprint)],
      plugins: [scoringPlugin({ criteria, model, probabilityField: 'winProbability' })],
    });
    const retail = (await scored.create('lead', { fields: { name: 'R', sector: 'retail' } }, rep)).record;
    const edu = (await scored.create('lead', { fields: { name: 'E', sector: 'education' } }, rep)).record;
    // retail won 3 of 4, education 1 of 4 (both new leads reached only 'new')
    expect(retail.meta['winProbability'] as number).toBeGreaterThan(edu.meta['winProbability'] as number);
    expect(retail.fields['winProbability']).toBe(retail.meta['winProbability']);
    expect(probabilityFor(model, retail, { asOf: '2026-02-01T09:00:00.000Z' })).toBeCloseTo(retail.meta['winProbability'] as number, 12);

    // qualifying moves the stage reached from 'new' (2 lost, 0 won) to 'qualified' (4 won, 2 lost):
    // the plugin rescores, reading the earlier history in the transaction
    await scored.send(retail.id, 'qualify', rep);
    const qualified = (await scored.get(retail.id)) as StoredRecord;
    const history2 = await scored.history(retail.id);
    expect(qualified.meta['winProbability'] as number).toBeGreaterThan(retail.meta['winProbability'] as number);
    expect(qualified.meta['winProbability'] as number).toBeCloseTo(
      probabilityFor(model, qualified, { history: history2, asOf: '2026-02-01T09:00:00.000Z' }),
      12,
    );
  });
});
