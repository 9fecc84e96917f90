/**
 * Identity (issue #15): who acts comes from the caller, what they are from the directory; the
 * system is a handle, never a missing actor; with permissions configured, no rule = denied.
 */
import { describe, expect, test } from 'vitest';
import { createEngine, createManualClock, createMemoryDirectory, createMemoryStorage, defineBlueprint, nextSteps } from '../../packages/core/src/index.js';
import type { BlueprintInput, SalesRulesInput } from '../../packages/core/src/index.js';
import { leadJson, sampleDirectory } from '../../packages/core/test/assignment-helpers.js';

const isOwner = { '==': [{ var: 'actor.id' }, { var: 'record.ownerId' }] };
const isAdmin = { in: ['admin', { var: 'actor.roles' }] };

/** Permissions configured: reps read, create and move their own leads; admins everything; no rule for `lose`'s edits. */
const rules: SalesRulesInput = {
  permissions: {
    read: { or: [isOwner, isAdmin] },
    create: { or: [isOwner, isAdmin] },
    edit: { or: [isOwner, isAdmin] },
    transitions: { contact: { or: [isOwner, isAdmin] }, lose: isAdmin },
  },
};

function closedEngine(extra: { identity?: { trustCallerRoles?: boolean } } = {}) {
  const storage = createMemoryStorage();
  const directory = sampleDirectory({ reps: [{ id: 'root', roles: ['admin'] }, { id: 'sys', roles: ['system'] }] });
  const clock = createManualClock('2026-01-05T08:00:00.000Z');
  const engine = createEngine({ storage, blueprints: [leadJson()], clock, rules, directory, ...extra });
  return { engine, storage };
}

async function refusalOf(p: Promise<unknown>): Promise<{ code?: string; details?: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; details?: Record<string, unknown> };
  }
  throw new Error('expected a refusal');
}

describe('identity from the directory', () => {
  test('resolveActor and nextSteps see the actor as the engine does: roles from the directory', async () => {
    const { engine } = closedEngine();
    expect((await engine.resolveActor({ id: 'ann', roles: ['admin'] })).roles).not.toContain('admin');
    expect((await engine.resolveActor({ id: 'root' })).roles).toContain('admin');
    expect((await refusalOf(engine.resolveActor({ id: 'nobody' }))).code).toBe('FORBIDDEN');
    // a blueprint `allow` rule (admins only): guidance answers by the directory's roles, not the caller's
    const bp = defineBlueprint({
      id: 'memo', version: 1, recordType: 'memo', initialStage: 'draft',
      stages: [{ id: 'draft', kind: 'open' }, { id: 'filed', kind: 'closed' }],
      transitions: [{ event: 'file', from: 'draft', to: 'filed', allow: isAdmin }],
    });
    const memoEngine = createEngine({ storage: createMemoryStorage(), blueprints: [bp], directory: sampleDirectory({ reps: [{ id: 'root', roles: ['admin'] }] }), rules: { permissions: { read: true, create: true } } });
    const { record } = await memoEngine.create('memo', {}, { actor: { id: 'root' } });
    const asAnn = await nextSteps(memoEngine, record.id, { actor: { id: 'ann', roles: ['admin'] } });
    expect(asAnn.transitions.find((t) => t.event === 'file')!.allowed).toBe(false);
    const asRoot = await nextSteps(memoEngine, record.id, { actor: { id: 'root' } });
    expect(asRoot.transitions.find((t) => t.event === 'file')!.allowed).toBe(true);
  });

  test('roles come from the directory, not from the caller', async () => {
    const { engine } = closedEngine();
    const { record } = await engine.create('lead', { fields: { name: 'A' }, ownerId: 'ann' }, { actor: { id: 'ann' } });
    // ann claims admin (and system): the directory says rep, so `lose` (admins only) is refused
    const e = await refusalOf(engine.send(record.id, 'lose', { actor: { id: 'ann', roles: ['admin', 'system'] } }));
    expect(e.code).toBe('FORBIDDEN');
    expect((await engine.get(record.id, { actor: engine.system }))!.stage).toBe('new');
    // bob says he is an admin: he may not read ann's lead
    expect(await engine.get(record.id, { actor: { id: 'bob', roles: ['admin'] } })).toBeNull();
    // root is an admin in the directory: allowed without saying so
    expect((await engine.send(record.id, 'lose', { actor: { id: 'root' } })).ok).toBe(true);
  });

  test('trusting caller roles is an explicit opt-in (and never grants the system role)', async () => {
    const { engine } = closedEngine({ identity: { trustCallerRoles: true } });
    const { record } = await engine.create('lead', { fields: { name: 'A' }, ownerId: 'ann' }, { actor: { id: 'ann' } });
    expect(await engine.get(record.id, { actor: { id: 'bob', roles: ['admin'] } })).not.toBeNull();
    // `system` from a caller is dropped even when roles are trusted; a rep with `system` in the directory gets nothing from it
    expect(await engine.get(record.id, { actor: { id: 'bob', roles: ['system'] } })).toBeNull();
    expect(await engine.get(record.id, { actor: { id: 'sys' } })).toBeNull();
  });

  test('an unknown actor id is refused with FORBIDDEN when permissions are configured; nothing is written', async () => {
    const { engine, storage } = closedEngine();
    const e = await refusalOf(engine.create('lead', { fields: { name: 'A' }, ownerId: 'zed' }, { actor: { id: 'zed' } }));
    expect(e).toMatchObject({ code: 'FORBIDDEN', details: { actorId: 'zed', reason: 'unknown_actor' } });
    expect(await storage.queryRecords('default', {})).toEqual([]);
  });
});

describe('the system is a handle', () => {
  test('a missing actor is refused with permissions configured; { id: system, roles: [system] } is not the system', async () => {
    const { engine, storage } = closedEngine();
    expect(await refusalOf(engine.create('lead', { fields: { name: 'A' } }))).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'no_actor' } });
    expect(await refusalOf(engine.create('lead', { fields: { name: 'A' } }, { actor: { id: 'system', roles: ['system'] } }))).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'unknown_actor' } });
    expect(await refusalOf(engine.query({}))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await storage.queryRecords('default', {})).toEqual([]);
    // a copy of the handle is not the handle, nor is another engine's
    const other = closedEngine().engine;
    expect((await refusalOf(engine.create('lead', { fields: { name: 'A' } }, { actor: { ...engine.system } }))).code).toBe('FORBIDDEN');
    expect((await refusalOf(engine.create('lead', { fields: { name: 'A' } }, { actor: other.system }))).code).toBe('FORBIDDEN');
    // the handle passes every rule, in any tenant
    const { record } = await engine.create('lead', { fields: { name: 'A' } }, { actor: engine.system });
    expect((await engine.send(record.id, 'lose', { actor: engine.system })).ok).toBe(true);
    expect((await engine.create('lead', { fields: { name: 'B' } }, { actor: engine.system, tenantId: 'acme' })).record.tenantId).toBe('acme');
    expect((await engine.history(record.id, { actor: engine.system })).map((h) => h.actorId)).toEqual(['system', 'system']);
  });

  test('without permissions, a missing actor is the anonymous actor (no rules: it passes), never the system', async () => {
    const bp: BlueprintInput = { ...leadJson(), transitions: [...leadJson().transitions!, { event: 'close', from: '*', to: 'lost', allow: { in: ['system', { var: 'actor.roles' }] } }] };
    const engine = createEngine({ storage: createMemoryStorage(), blueprints: [bp] });
    const { record } = await engine.create('lead', { fields: { name: 'A' } });
    expect((await engine.send(record.id, 'contact')).ok).toBe(true);
    expect((await engine.history(record.id)).map((h) => h.actorId)).toEqual(['anonymous', 'anonymous']);
    // an `allow` rule that asks for the system role: an anonymous call or a forged actor is refused, the handle passes
    expect((await engine.send(record.id, 'close')).ok).toBe(false);
    expect((await engine.send(record.id, 'close', { actor: { id: 'system', roles: ['system'] } })).ok).toBe(false);
    expect((await engine.send(record.id, 'close', { actor: engine.system })).ok).toBe(true);
  });

  test('without a directory, caller roles count only with trustCallerRoles', async () => {
    const bp: BlueprintInput = { ...leadJson(), transitions: [...leadJson().transitions!.slice(0, 3), { event: 'lose', from: '*', to: 'lost', allow: { in: ['manager', { var: 'actor.roles' }] } }] };
    const strict = createEngine({ storage: createMemoryStorage(), blueprints: [bp] });
    const a = (await strict.create('lead', { fields: { name: 'A' } })).record;
    expect((await strict.send(a.id, 'lose', { actor: { id: 'mia', roles: ['manager'] } })).ok).toBe(false);
    const trusting = createEngine({ storage: createMemoryStorage(), blueprints: [bp], identity: { trustCallerRoles: true } });
    const b = (await trusting.create('lead', { fields: { name: 'B' } })).record;
    expect((await trusting.send(b.id, 'lose', { actor: { id: 'mia', roles: ['manager'] } })).ok).toBe(true);
    // a directory decides where there is one
    const withDirectory = createEngine({ storage: createMemoryStorage(), blueprints: [bp], directory: createMemoryDirectory({ reps: [{ id: 'mia', roles: ['manager'] }] }) });
    const c = (await withDirectory.create('lead', { fields: { name: 'C' } })).record;
    expect((await withDirectory.send(c.id, 'lose', { actor: { id: 'mia' } })).ok).toBe(true);
  });
});

describe('deny by default with permissions configured', () => {
  test('an action no rule allows is denied, and nothing is written', async () => {
    const { engine } = closedEngine();
    const { record } = await engine.create('lead', { fields: { name: 'A' }, ownerId: 'ann' }, { actor: { id: 'ann' } });
    // no rule for `negotiate` (and no '*'): denied even to the owner
    expect(await refusalOf(engine.send(record.id, 'negotiate', { actor: { id: 'ann' } }))).toMatchObject({ code: 'FORBIDDEN' });
    // no `activity` rule: denied
    expect((await refusalOf(engine.logActivity(record.id, { type: 'call' }, { actor: { id: 'ann' } }))).code).toBe('FORBIDDEN');
    // no `assign` rule
    expect((await refusalOf(engine.assign(record.id, { to: 'bob' }, { actor: { id: 'ann' } }))).code).toBe('FORBIDDEN');
    const after = (await engine.get(record.id, { actor: { id: 'ann' } }))!;
    expect(after).toMatchObject({ stage: 'new', version: 1, ownerId: 'ann' });
    // what a rule allows still goes
    expect((await engine.send(record.id, 'contact', { actor: { id: 'ann' } })).ok).toBe(true);
    // creating for someone else is not the owner's create
    expect((await refusalOf(engine.create('lead', { fields: { name: 'B' }, ownerId: 'bob' }, { actor: { id: 'ann' } }))).code).toBe('FORBIDDEN');
  });

  test('reads need an actor and are filtered by the read rule (get, query, history, getAt, timers, tasks, agenda)', async () => {
    const { engine } = closedEngine();
    const a = (await engine.create('lead', { fields: { name: 'A' }, ownerId: 'ann' }, { actor: { id: 'ann' } })).record;
    const b = (await engine.create('lead', { fields: { name: 'B' }, ownerId: 'bob' }, { actor: { id: 'bob' } })).record;
    await engine.addTask(a.id, { title: 'call', dueAt: '2026-01-05T10:00:00.000Z', ownerId: 'ann' }, { actor: engine.system });
    const ann = { actor: { id: 'ann' } };
    expect((await engine.query({}, ann)).map((r) => r.id)).toEqual([a.id]);
    expect(await engine.get(b.id, ann)).toBeNull();
    expect(await engine.history(b.id, ann)).toEqual([]);
    expect((await engine.history(a.id, ann)).map((h) => h.kind)).toEqual(["created", "task"]);
    expect(await engine.getAt(b.id, '2030-01-01', ann)).toBeNull();
    expect(await engine.timers(b.id, ann)).toEqual([]);
    expect((await engine.tasks({}, ann)).map((t) => t.recordId)).toEqual([a.id]);
    expect(await engine.tasks({}, { actor: { id: 'bob' } })).toEqual([]);
    expect((await engine.agenda({ id: 'ann' }, '2026-01-05')).dueToday.map((t) => t.recordId)).toEqual([a.id]);
    for (const read of [engine.get(a.id), engine.history(a.id), engine.getAt(a.id, '2030-01-01'), engine.timers(a.id), engine.tasks({})]) {
      expect((await refusalOf(read)).code).toBe('FORBIDDEN');
    }
  });
});
