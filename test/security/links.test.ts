/**
 * Links fail closed like every engine call (issue #15): `createLinks(engine)` resolves the actor
 * from the directory, refuses a missing, unknown or foreign-tenant actor once permissions are
 * configured, needs `edit` on the records it links, and its reads return only what the actor may
 * read. A refused call writes nothing: no link, no history, no orphan record.
 */
import { describe, expect, test } from 'vitest';
import { createEngine, createLinks, createManualClock, createMemoryStorage } from '../../packages/core/src/index.js';
import type { SalesRulesInput } from '../../packages/core/src/index.js';
import { leadJson, sampleDirectory } from '../../packages/core/test/assignment-helpers.js';

const isOwner = { '==': [{ var: 'actor.id' }, { var: 'record.ownerId' }] };
const isManager = { in: ['manager', { var: 'actor.roles' }] };
const rules: SalesRulesInput = {
  // everyone reads the 'Public' company's records; only owners and managers edit
  permissions: { read: { or: [isOwner, isManager, { '==': [{ var: 'record.fields.company' }, 'Public'] }] }, create: true, edit: { or: [isOwner, isManager] } },
};

async function setup() {
  const storage = createMemoryStorage();
  const engine = createEngine({ storage, blueprints: [leadJson()], clock: createManualClock('2026-01-05T08:00:00.000Z'), rules, directory: sampleDirectory() });
  const links = createLinks(engine);
  const sys = { actor: engine.system };
  const annLead = (await engine.create('lead', { fields: { name: 'Acme', company: 'Acme' }, ownerId: 'ann' }, sys)).record;
  const bobLead = (await engine.create('lead', { fields: { name: 'Globex', company: 'Globex' }, ownerId: 'bob' }, sys)).record;
  const annOther = (await engine.create('lead', { fields: { name: 'Initech', company: 'Initech' }, ownerId: 'ann' }, sys)).record;
  const bobPublic = (await engine.create('lead', { fields: { name: 'Public', company: 'Public' }, ownerId: 'bob' }, sys)).record;
  return { engine, storage, links, annLead, bobLead, annOther, bobPublic };
}

async function codeOf(p: Promise<unknown>): Promise<{ code?: string; details?: Record<string, unknown>; message?: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; details?: Record<string, unknown>; message?: string };
  }
  throw new Error('expected a refusal');
}

/** Every record's version and history length: what a refused call must leave as it was. */
async function snapshot(engine: Awaited<ReturnType<typeof setup>>['engine']) {
  const all = await engine.query({}, { actor: engine.system });
  return Promise.all(all.map(async (r) => ({ id: r.id, version: r.version, history: (await engine.history(r.id, { actor: engine.system })).length })));
}

describe('links fail closed', () => {
  test('a missing, unknown or foreign-tenant actor is refused and nothing is written', async () => {
    const { engine, links, annLead, annOther } = await setup();
    const before = await snapshot(engine);
    expect((await codeOf(links.link(annLead.id, 'related', annOther.id))).details?.reason).toBe('no_actor');
    expect((await codeOf(links.link(annLead.id, 'related', annOther.id, { actor: { id: 'mallory' } }))).details?.reason).toBe('unknown_actor');
    expect((await codeOf(links.link(annLead.id, 'related', annOther.id, { actor: { id: 'ann' }, tenantId: 'other' }))).details?.reason).toBe('foreign_tenant');
    expect((await codeOf(links.linked(annLead.id, 'related'))).code).toBe('FORBIDDEN');
    expect((await codeOf(links.graph(annLead.id))).code).toBe('FORBIDDEN');
    expect(await snapshot(engine)).toEqual(before);
  });

  test('linking needs edit on both records; the refusal names the record and the rule', async () => {
    const { engine, links, annLead, bobLead, annOther } = await setup();
    const before = await snapshot(engine);
    const refused = await codeOf(links.link(annLead.id, 'related', bobLead.id, { actor: { id: 'ann' }, backlink: 'related' }));
    expect(refused.code).toBe('FORBIDDEN');
    expect(refused.message).toContain(`'${bobLead.id}'`);
    expect(refused.details?.rule).toBe('$.permissions.edit');
    // caller-claimed roles do not count: the directory says ann is a rep
    expect((await codeOf(links.link(annLead.id, 'related', bobLead.id, { actor: { id: 'ann', roles: ['manager'] } }))).code).toBe('FORBIDDEN');
    expect(await snapshot(engine)).toEqual(before);

    const own = await links.link(annLead.id, 'related', annOther.id, { actor: { id: 'ann' }, backlink: 'related' });
    expect(own.from.meta.links).toEqual({ related: [annOther.id] });
    const byManager = await links.link(annLead.id, 'related', bobLead.id, { actor: { id: 'mia' }, backlink: 'related' });
    expect(byManager.to.meta.links).toEqual({ related: [annLead.id] });
    const linkedEvents = (await engine.history(bobLead.id, { actor: engine.system })).filter((e) => e.kind === 'linked');
    expect(linkedEvents.map((e) => e.actorId)).toEqual(['mia']);
  });

  test('reads return only what the actor may read', async () => {
    const { engine, links, annLead, bobLead, annOther } = await setup();
    await links.link(annLead.id, 'related', bobLead.id, { actor: engine.system, backlink: 'related' });
    await links.link(annLead.id, 'related', annOther.id, { actor: engine.system, backlink: 'related' });
    expect((await links.linked(annLead.id, 'related', { actor: { id: 'ann' } })).map((r) => r.id)).toEqual([annOther.id]);
    expect((await links.linked(annLead.id, 'related', { actor: { id: 'mia' } })).map((r) => r.id).sort()).toEqual([bobLead.id, annOther.id].sort());
    // bob may not read ann's lead: it does not exist for him
    expect((await codeOf(links.linked(annLead.id, 'related', { actor: { id: 'bob' } }))).code).toBe('NOT_FOUND');
    // the graph does not walk through what the actor may not read
    const graph = await links.graph(annOther.id, { actor: { id: 'ann' }, depth: 3 });
    expect(graph.map((g) => g.record.id)).toEqual([annLead.id]);
    const full = await links.graph(annOther.id, { actor: engine.system, depth: 3 });
    expect(full.map((g) => g.record.id).sort()).toEqual([annLead.id, bobLead.id].sort());
  });

  test('createLinked under a record the actor may not edit creates nothing', async () => {
    const { engine, links, bobLead, annLead, bobPublic } = await setup();
    const before = await snapshot(engine);
    const child = { fields: { name: 'Child', company: 'Child' }, ownerId: 'ann' };
    // ann may not even read bob's lead: it is not found for her
    expect((await codeOf(links.createLinked(bobLead.id, 'lead', child, { as: 'children', backlink: 'parent' }, { actor: { id: 'ann' } }))).code).toBe('NOT_FOUND');
    // she may read bob's public lead but not edit it: refused before anything is created
    const refused = await codeOf(links.createLinked(bobPublic.id, 'lead', child, { as: 'children', backlink: 'parent' }, { actor: { id: 'ann' } }));
    expect(refused.code).toBe('FORBIDDEN');
    expect(refused.message).toContain(`'${bobPublic.id}'`);
    expect(await snapshot(engine)).toEqual(before);
    // under her own lead it works, and the child she creates (owned by bob, so not hers to edit) is
    // linked: its create rule was checked, not its edit rule
    const made = await links.createLinked(annLead.id, 'lead', { fields: { name: 'Child', company: 'Child' }, ownerId: 'bob' }, { as: 'children', backlink: 'parent' }, { actor: { id: 'ann' } });
    expect(made.parent.meta.links).toEqual({ children: [made.record.id] });
    expect(made.record.meta.links).toEqual({ parent: [annLead.id] });
  });
});
