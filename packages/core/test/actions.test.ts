import { describe, expect, test } from 'vitest';
import { createEngine, createManualClock, createMemoryStorage, defineBlueprint, replay } from '../src/index.js';
import type { BlueprintInput, EmittedEvent, TaskCreatedEvent, CreatedEvent } from '../src/index.js';
import { dealJson } from './fixtures.js';

const rep = { actor: { id: 'ana', roles: ['rep'] } };

const lead: BlueprintInput = {
  id: 'lead', version: 1, recordType: 'lead', initialStage: 'new',
  fields: {
    company: { type: 'string', required: true },
    contactName: { type: 'string' },
    email: { type: 'string' },
    budget: { type: 'number' },
    score: { type: 'number' },
  },
  stages: [{ id: 'new' }, { id: 'working' }, { id: 'converted', kind: 'won' }, { id: 'disqualified', kind: 'lost' }],
  transitions: [
    {
      event: 'work', from: 'new', to: 'working',
      actions: [
        { type: 'set', field: 'score', value: { '+': [{ var: 'fields.budget' }, 10] } },
        { type: 'task', title: 'Call the lead', owner: { var: 'actor.id' }, due: 'PT2H' },
      ],
    },
    {
      event: 'convert', from: 'working', to: 'converted', requires: ['contactName'],
      actions: [
        {
          type: 'convert',
          create: [
            { blueprint: 'account', as: 'account', fields: { name: { var: 'fields.company' } } },
            { blueprint: 'contact', as: 'contact', fields: { name: { var: 'fields.contactName' }, email: { var: 'fields.email' } }, linkTo: ['account'] },
            { blueprint: 'deal', as: 'deal', fields: { name: { cat: [{ var: 'fields.company' }, ' – first deal'] }, amount: { var: 'fields.budget' } }, linkTo: ['account', 'contact'] },
          ],
        },
        { type: 'emit', event: 'lead.converted', data: { company: { var: 'fields.company' } } },
      ],
    },
    { event: 'disqualify', from: '*', to: 'disqualified' },
  ],
};
const account: BlueprintInput = {
  id: 'account', version: 1, recordType: 'account', initialStage: 'active',
  fields: { name: { type: 'string', required: true } },
  stages: [{ id: 'active' }, { id: 'closed', kind: 'closed' }],
  transitions: [{ event: 'close', from: 'active', to: 'closed' }],
};
const contact: BlueprintInput = {
  id: 'contact', version: 1, recordType: 'contact', initialStage: 'active',
  fields: { name: { type: 'string', required: true }, email: { type: 'string' } },
  stages: [{ id: 'active' }, { id: 'gone', kind: 'closed' }],
  transitions: [{ event: 'leave', from: 'active', to: 'gone' }],
};

function setup() {
  const clock = createManualClock('2026-02-02T08:00:00.000Z');
  const storage = createMemoryStorage();
  const engine = createEngine({
    storage,
    clock,
    blueprints: [defineBlueprint(lead), defineBlueprint(account), defineBlueprint(contact), defineBlueprint(dealJson())],
  });
  return { engine, clock, storage };
}

describe('actions', () => {
  test('set computes fields with JSON-logic; task creates an owned, due task', async () => {
    const { engine } = setup();
    const tasks: TaskCreatedEvent[] = [];
    engine.on('task.created', (e) => tasks.push(e));
    const { record } = await engine.create('lead', { fields: { company: 'Globex', budget: 40 } }, rep);
    const res = await engine.send(record.id, 'work', rep);
    expect(res.ok && res.record.fields.score).toBe(50);
    expect(res.ok && res.record.meta.tasks).toEqual([
      expect.objectContaining({ title: 'Call the lead', ownerId: 'ana', dueAt: '2026-02-02T10:00:00.000Z', status: 'open', event: 'work' }),
    ]);
    expect(tasks.map((t) => t.task.title)).toEqual(['Call the lead']);
  });

  test('convert creates linked records both ways, in the same transaction, and emits', async () => {
    const { engine, storage } = setup();
    const created: CreatedEvent[] = [];
    const emitted: EmittedEvent[] = [];
    engine.on('created', (e) => created.push(e));
    engine.on('emitted', (e) => emitted.push(e));
    const { record } = await engine.create('lead', { fields: { company: 'Globex', contactName: 'Hank', email: 'h@globex.test', budget: 900 } }, rep);
    await engine.send(record.id, 'work', rep);
    const res = await engine.send(record.id, 'convert', rep);
    if (!res.ok) throw new Error(res.rejection.message);
    expect(res.created).toHaveLength(3);
    const leadNow = (await engine.get(record.id))!;
    const links = leadNow.meta.links as Record<string, string[]>;
    const acc = (await engine.get(links.account![0]!))!;
    const con = (await engine.get(links.contact![0]!))!;
    const deal = (await engine.get(links.deal![0]!))!;
    expect(acc).toMatchObject({ type: 'account', stage: 'active', fields: { name: 'Globex' } });
    expect(con).toMatchObject({ type: 'contact', fields: { name: 'Hank', email: 'h@globex.test' } });
    expect(deal).toMatchObject({ type: 'deal', stage: 'prospecting', fields: { name: 'Globex – first deal', amount: 900 } });
    expect(acc.meta.links).toEqual({ lead: [record.id], contact: [con.id], deal: [deal.id] });
    expect(con.meta.links).toEqual({ lead: [record.id], account: [acc.id], deal: [deal.id] });
    expect(deal.meta.links).toEqual({ lead: [record.id], account: [acc.id], contact: [con.id] });
    expect(created.map((c) => c.record.type)).toEqual(['lead', 'account', 'contact', 'deal']);
    expect(emitted).toEqual([expect.objectContaining({ name: 'lead.converted', data: { company: 'Globex' } })]);
    // every created record replays from its own history
    for (const r of [acc, con, deal, leadNow]) expect(replay(await engine.history(r.id))).toEqual(r);
    const outboxTypes = (await storage.readOutbox({ limit: 100 })).map((m) => m.type);
    expect(outboxTypes.filter((t) => t === 'dealflow.created')).toHaveLength(4);
    expect(outboxTypes).toContain('dealflow.emitted');
  });

  test('a convert that cannot create its targets fails whole: no partial records', async () => {
    const { engine } = setup();
    const { record } = await engine.create('lead', { fields: { company: 'Initech', contactName: 'Bill', budget: 5 } }, rep);
    await engine.send(record.id, 'work', rep);
    // the account needs a name: clearing company with the event makes its creation fail
    const res = await engine
      .send(record.id, { type: 'convert', fields: { company: null } }, rep)
      .catch((e) => e);
    expect(res).toMatchObject({ code: 'INPUT_INVALID' });
    expect(res.message).toContain('account');
    expect(await engine.query({ type: 'account' })).toEqual([]);
    expect(await engine.query({ type: 'contact' })).toEqual([]);
    expect((await engine.get(record.id))?.stage).toBe('working');
  });

  test('a set action computing a value of the wrong type fails whole, naming the action', async () => {
    const { engine } = setup();
    const { record } = await engine.create('lead', { fields: { company: 'NoBudget' } }, rep);
    const err = await engine.send(record.id, 'work', rep).catch((e) => e);
    expect(err).toMatchObject({ code: 'INPUT_INVALID' });
    expect(err.message).toContain('$.transitions[0].actions[0]');
    expect(await engine.get(record.id)).toMatchObject({ stage: 'new', version: 1 });
  });
});
