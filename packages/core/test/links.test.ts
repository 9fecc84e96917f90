import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, createLinkRules, createLinks, createManualClock, createMemoryStorage, isDealflowError, linksOf, replay } from '../src/index.js';
import type { Engine, LinkRulesInput, StoredRecord } from '../src/index.js';
import { linkedBlueprints } from './links-fixtures.js';

const ANA = { id: 'ana', roles: ['rep'] };

const rules: LinkRulesInput = {
  blocks: [{ id: 'approval-first', recordType: 'deal', events: 'win', while: { via: 'contract', stages: ['pending_approval'] }, message: 'the contract waits for approval' }],
  cascades: [
    { id: 'lost-account-own', recordType: 'account', enters: 'lost', target: {}, actions: [{ type: 'closeTasks' }] },
    { id: 'lost-account-deals', recordType: 'account', enters: 'lost', target: { via: 'deal', stages: ['open', 'contracting'] }, actions: [{ type: 'closeTasks' }, { type: 'notify', message: 'account.lost', channel: 'email' }, { type: 'task', title: 'Decide what happens to this deal' }] },
  ],
};

function setup(withRules = true): { engine: Engine; links: ReturnType<typeof createLinks> } {
  const linkRules = createLinkRules(rules);
  const engine = createEngine({ storage: createMemoryStorage(), blueprints: linkedBlueprints(), clock: createManualClock('2026-01-05T09:00:00.000Z'), plugins: withRules ? [linkRules.plugin] : [] });
  return { engine, links: createLinks(engine) };
}

async function expectReplays(engine: Engine, id: string): Promise<void> {
  expect(replay(await engine.history(id))).toEqual(await engine.get(id));
}

async function convertedLead(engine: Engine): Promise<{ lead: StoredRecord; account: StoredRecord; deal: StoredRecord }> {
  const { record: lead } = await engine.create('lead', { fields: { company: 'ACME' }, ownerId: 'ana' }, { actor: ANA });
  const r = await engine.send(lead.id, 'convert', { actor: ANA });
  if (!r.ok) throw new Error(r.rejection.message);
  const links = linksOf(r.record);
  return { lead: r.record, account: (await engine.get(links.account![0]!))!, deal: (await engine.get(links.deal![0]!))! };
}

describe('links: conversion', () => {
  it('links the converted records both ways and keeps every history replayable', async () => {
    const { engine, links } = setup();
    const { lead, account, deal } = await convertedLead(engine);
    expect(linksOf(deal)).toEqual({ lead: [lead.id], account: [account.id] });
    expect(linksOf(account)).toEqual({ lead: [lead.id], deal: [deal.id] });
    expect((await links.linked(deal.id, 'lead')).map((r) => r.id)).toEqual([lead.id]);
    expect((await links.linked(account.id, ['deal', 'lead'])).map((r) => r.id)).toEqual([lead.id]);
    // the lead's history names what it created; the deal's history starts with its links
    const convertEvent = (await engine.history(lead.id)).find((e) => e.event === 'convert')!;
    expect(convertEvent.data.created).toEqual(expect.arrayContaining([{ id: deal.id, type: 'deal' }, { id: account.id, type: 'account' }]));
    for (const id of [lead.id, account.id, deal.id]) await expectReplays(engine, id);
    const g = await links.graph(lead.id, { depth: 2 });
    expect(g.map((x) => x.record.id).sort()).toEqual([account.id, deal.id].sort());
  });
});

describe('links: createLinks', () => {
  it('link() writes both sides once, with linked history events', async () => {
    const { engine, links } = setup(false);
    const { record: a } = await engine.create('deal', { fields: { title: 'A' } });
    const { record: c } = await engine.create('contract', {});
    const res = await links.link(a.id, 'contract', c.id, { backlink: 'deal' });
    expect(linksOf(res.from).contract).toEqual([c.id]);
    expect(linksOf(res.to).deal).toEqual([a.id]);
    expect((await engine.history(a.id)).at(-1)!.kind).toBe('linked');
    const again = await links.link(a.id, 'contract', c.id, { backlink: 'deal' });
    expect(again.from.version).toBe(res.from.version);
    await expectReplays(engine, a.id);
    await expectReplays(engine, c.id);
  });

  it('fails whole on unknown records and self links, naming the id', async () => {
    const { engine, links } = setup(false);
    const { record: a } = await engine.create('deal', { fields: { title: 'A' } });
    await expect(links.link(a.id, 'contract', 'nope')).rejects.toThrow(/record 'nope' not found/);
    await expect(links.link(a.id, 'self', a.id)).rejects.toThrow(/cannot be linked to itself/);
    expect((await engine.get(a.id))!.version).toBe(1);
    await expect(links.createLinked('missing', 'contract', {}, { as: 'contract' })).rejects.toSatisfy((e) => isDealflowError(e, 'NOT_FOUND') && /'missing'/.test((e as Error).message));
    expect(await engine.query({ type: 'contract' })).toEqual([]);
  });

  it('createLinked creates a child linked to its parent', async () => {
    const { engine, links } = setup(false);
    const { record: d } = await engine.create('deal', { fields: { title: 'A' } });
    const { record, parent } = await links.createLinked(d.id, 'contract', { fields: { amount: 10 } }, { as: 'contract', backlink: 'deal' });
    expect(linksOf(record).deal).toEqual([d.id]);
    expect(linksOf(parent).contract).toEqual([record.id]);
  });

  it('createLinked with an idempotency key is safe to repeat: one child, one link', async () => {
    const { engine, links } = setup(false);
    const { record: d } = await engine.create('deal', { fields: { title: 'A' } });
    const first = await links.createLinked(d.id, 'contract', { fields: { amount: 10 } }, { as: 'contract', backlink: 'deal' }, { idempotencyKey: 'k1' });
    const again = await links.createLinked(d.id, 'contract', { fields: { amount: 10 } }, { as: 'contract', backlink: 'deal' }, { idempotencyKey: 'k1' });
    expect(again.record.id).toBe(first.record.id);
    expect(await engine.query({ type: 'contract' })).toHaveLength(1);
    expect(linksOf((await engine.get(d.id))!).contract).toEqual([first.record.id]);
  });

  it('property: any sequence of links stays symmetric and replayable', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(3), fc.constantFrom('a', 'b'), fc.nat(3)), { maxLength: 12 }), async (ops) => {
        const { engine, links } = setup(false);
        const ids: string[] = [];
        for (let i = 0; i < 4; i++) ids.push((await engine.create('deal', { fields: { title: `D${i}` } })).record.id);
        for (const [x, name, y] of ops) {
          if (x === y) continue;
          await links.link(ids[x]!, name, ids[y]!, { backlink: `${name}-of` });
        }
        for (const [x, name, y] of ops) {
          if (x === y) continue;
          const from = (await engine.get(ids[x]!))!;
          const to = (await engine.get(ids[y]!))!;
          expect(linksOf(from)[name]).toContain(ids[y]);
          expect(linksOf(to)[`${name}-of`]).toContain(ids[x]);
        }
        for (const id of ids) {
          const r = (await engine.get(id))!;
          for (const list of Object.values(linksOf(r))) expect(new Set(list).size).toBe(list.length);
          await expectReplays(engine, id);
        }
      }),
      { numRuns: 25 },
    );
  });
});

describe('link rules', () => {
  it('rejects invalid rules with the path', () => {
    expect(() => createLinkRules({ blocks: [{ id: 'x', recordType: 'deal', events: 'win', while: { via: 'contract', where: { nope: [1] } }, message: 'm' }] })).toThrow(/\$\.blocks\[0\]\.while\.where/);
    expect(() => createLinkRules({ blocks: [{ id: 'x', recordType: 'deal', events: 'win', while: {}, message: 'm' }] })).toThrow(/\$\.blocks\[0\]\.while\.via/);
    expect(() => createLinkRules({ cascades: [{ id: 'c', recordType: 'a', enters: 'lost', target: {}, actions: [{ type: 'explode' }] }] } as never)).toThrow(/cascades/);
    expect(() => createLinkRules({ blocks: [rules.blocks![0]!, rules.blocks![0]!] })).toThrow(/used twice/);
  });

  it('a deal cannot be won while its contract waits for approval; nothing is written', async () => {
    const { engine } = setup();
    const { deal } = await convertedLead(engine);
    const d = await engine.send(deal.id, { type: 'draft_contract', fields: { amount: 5000 } }, { actor: ANA });
    expect(d.ok).toBe(true);
    const contractId = linksOf((await engine.get(deal.id))!).contract![0]!;
    const before = (await engine.get(deal.id))!;
    const err = await engine.send(deal.id, 'win', { actor: ANA }).catch((e: unknown) => e);
    expect(isDealflowError(err, 'REJECTED')).toBe(true);
    expect((err as Error).message).toContain(`contract '${contractId}' is in stage 'pending_approval'`);
    expect((err as Error).message).toContain("link rule 'approval-first'");
    expect(await engine.get(deal.id)).toEqual(before);
    await engine.send(contractId, 'approve', { actor: ANA });
    const won = await engine.send(deal.id, 'win', { actor: ANA });
    expect(won.ok && won.to).toBe('won');
  });

  it('a lost account closes its own and its open deals\' tasks, notifies and tasks the deal owner, replayably', async () => {
    const { engine } = setup();
    const { account, deal } = await convertedLead(engine);
    await engine.send(account.id, 'touch', { actor: ANA });
    await engine.send(deal.id, 'follow_up', { actor: ANA });
    const lost = await engine.send(account.id, 'lose', { actor: ANA });
    expect(lost.ok).toBe(true);
    const acc = (await engine.get(account.id))!;
    const accTasks = acc.meta.tasks as Array<{ title: string; status: string }>;
    expect(accTasks.filter((t) => t.title === 'Call the account').map((t) => t.status)).toEqual(['done']);
    expect(accTasks.filter((t) => t.status === 'open')).toEqual([]);
    const d = (await engine.get(deal.id))!;
    const tasks = d.meta.tasks as Array<{ title: string; status: string; ownerId: string | null }>;
    expect(tasks.find((t) => t.title === 'Send the quote')!.status).toBe('done');
    expect(tasks.find((t) => t.title === 'Decide what happens to this deal')).toMatchObject({ status: 'open', ownerId: 'ana' });
    const last = (await engine.history(deal.id)).at(-1)!;
    expect(last.kind).toBe('link-rule');
    expect(last.data).toMatchObject({ rule: 'lost-account-deals', source: { id: account.id, event: 'lose' } });
    const lostEvent = (await engine.history(account.id)).at(-1)!;
    expect(lostEvent.data.linkRules).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'lost-account-deals', recordId: deal.id })]));
    const outbox = await engine.storage.readOutbox({ limit: 100 });
    expect(outbox.find((m) => m.type === 'dealflow.notify' && m.recordId === deal.id)?.payload).toMatchObject({ to: 'ana', message: 'account.lost', channel: 'email' });
    await expectReplays(engine, deal.id);
    await expectReplays(engine, account.id);
  });

  it("a cascade's changes of a linked record go through the change writer: the task index (the rep's agenda) follows them", async () => {
    const { engine } = setup();
    const { account, deal } = await convertedLead(engine);
    await engine.send(deal.id, 'follow_up', { actor: ANA });
    const open = async () => (await engine.tasks({ owner: 'ana' })).filter((t) => t.recordId === deal.id && t.status === 'open').map((t) => t.title);
    expect(await open()).toEqual(['Send the quote']);
    expect((await engine.send(account.id, 'lose', { actor: ANA })).ok).toBe(true);
    // the cascade closed 'Send the quote' and added a task on the deal: the index says so, as the record does
    expect(await open()).toEqual(['Decide what happens to this deal']);
    const done = (await engine.tasks({ owner: 'ana', status: 'done' })).filter((t) => t.recordId === deal.id).map((t) => t.title);
    expect(done).toEqual(['Send the quote']);
  });

  it('a cascade skips linked records its selector excludes', async () => {
    const { engine } = setup();
    const { account, deal } = await convertedLead(engine);
    await engine.send(deal.id, 'lose', { actor: ANA });
    const v = (await engine.get(deal.id))!.version;
    await engine.send(account.id, 'lose', { actor: ANA });
    expect((await engine.get(deal.id))!.version).toBe(v);
  });
});

describe('link rules: chains back to the record itself', () => {
  it('a cascade whose path leads back to the record acts on it in the same write (no conflict)', async () => {
    const linkRules = createLinkRules({ cascades: [{ id: 'round-trip', recordType: 'account', enters: 'lost', target: { via: ['deal', 'account'] }, actions: [{ type: 'closeTasks' }] }] });
    const engine = createEngine({ storage: createMemoryStorage(), blueprints: linkedBlueprints(), clock: createManualClock('2026-01-05T09:00:00.000Z'), plugins: [linkRules.plugin] });
    const { account } = await convertedLead(engine);
    await engine.send(account.id, 'touch', { actor: ANA });
    const r = await engine.send(account.id, 'lose', { actor: ANA });
    expect(r.ok).toBe(true);
    const tasks = (await engine.get(account.id))!.meta.tasks as Array<{ title: string; status: string }>;
    expect(tasks.every((t) => t.status === 'done')).toBe(true);
    await expectReplays(engine, account.id);
  });
});
