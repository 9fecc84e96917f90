/**
 * The tenant matrix (issue #15): every public engine method that acts for a caller refuses an
 * actor of another tenant with `FORBIDDEN`, on every store, and writes nothing in either tenant.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEngine, createManualClock, defineBlueprint } from '../../packages/core/src/index.js';
import type { Engine, SalesRulesInput, Storage } from '../../packages/core/src/index.js';
import { leadJson, sampleDirectory } from '../../packages/core/test/assignment-helpers.js';
import { storeKinds } from '../support/stores.js';

const LEAD = defineBlueprint(leadJson());
/** Everything is allowed to ann in her tenant: a refusal below is the tenant's, not a rule's. */
const rules: SalesRulesInput = {
  assignment: { rules: [{ id: 'pool', assign: { strategy: 'pool', pool: 'general' } }] },
  approvals: [{ id: 'big', event: 'win', when: { '>': [{ var: 'fields.discount' }, 20] }, approver: 'manager' }],
  permissions: { read: true, create: true, edit: true, transitions: { '*': true }, claim: true, distribute: true, assign: true, approve: true, handover: true, activity: true },
};

/** ann works for acme only; the engine's default tenant is acme. */
function engineOn(storage: Storage): Engine {
  const directory = sampleDirectory({ reps: [{ id: 'ann2', roles: ['rep', 'manager'], tenantIds: ['acme'], managerId: 'mia' }] });
  return createEngine({ storage, blueprints: [LEAD], clock: createManualClock('2026-01-05T08:00:00.000Z'), rules, directory, tenantId: 'acme' });
}

/** Each method called as ann2 for tenant `tenant` on a record `id` of that tenant. */
function calls(engine: Engine, id: string, taskId: string, tenant: string): Record<string, () => Promise<unknown>> {
  const ctx = { tenantId: tenant, actor: { id: 'ann2' } };
  return {
    create: () => engine.create('lead', { fields: { name: 'X' } }, ctx),
    createMany: () => engine.createMany('lead', [{ fields: { name: 'X' } }], ctx),
    send: () => engine.send(id, 'contact', ctx),
    sendMany: () => engine.sendMany([{ recordId: id, event: 'contact' }], ctx),
    update: () => engine.update(id, { fields: { name: 'Y' } }, ctx),
    get: () => engine.get(id, ctx),
    query: () => engine.query({}, ctx),
    history: () => engine.history(id, ctx),
    getAt: () => engine.getAt(id, '2030-01-01', ctx),
    timers: () => engine.timers(id, ctx),
    tasks: () => engine.tasks({}, ctx),
    agenda: () => engine.agenda({ id: 'ann2' }, '2026-01-05', { tenantId: tenant }),
    assign: () => engine.assign(id, { to: 'ann2' }, ctx),
    explainAssignment: () => engine.explainAssignment({ type: 'lead', fields: {} }, ctx),
    logActivity: () => engine.logActivity(id, { type: 'call' }, ctx),
    addTask: () => engine.addTask(id, { title: 'T', dueAt: '2026-01-06T10:00:00.000Z' }, ctx),
    completeTask: () => engine.completeTask(id, taskId, ctx),
    createOrMerge: () => engine.createOrMerge('lead', { fields: { name: 'X' } }, ctx),
    claim: () => engine.claim(id, ctx),
    distribute: () => engine.distribute(id, 'ann2', ctx),
    distributeMany: () => engine.distributeMany([{ recordId: id, to: 'ann2' }], ctx),
    returnToPool: () => engine.returnToPool(id, {}, ctx),
    returnManyToPool: () => engine.returnManyToPool([id], {}, ctx),
    handover: () => engine.handover('bob', { to: 'ann2' }, ctx),
    approve: () => engine.approve(id, ctx),
    reject: () => engine.reject(id, ctx),
    getFor: () => engine.getFor(id, ctx),
    queryFor: () => engine.queryFor({}, ctx),
    can: () => engine.can('read', id, ctx),
    resolveActor: () => engine.resolveActor(ctx.actor, { tenantId: tenant }),
  };
}

/** Methods that are the app's own (workers, set-up, events), not a caller's. */
const NOT_A_CALLERS = new Set(['fireTimer', 'fireTimers', 'runDue', 'blueprint', 'on', 'off', 'once']);

async function snapshot(storage: Storage, ids: string[]): Promise<string> {
  const parts: unknown[] = [];
  for (const t of ['acme', 'globex']) {
    parts.push(await storage.queryRecords(t, {}));
    for (const id of ids) parts.push(await storage.listHistory(t, id));
  }
  parts.push(await storage.readOutbox({ limit: 1000 }));
  return JSON.stringify(parts);
}

const kinds = await storeKinds('tenant matrix');

describe.each(kinds)('tenant matrix on $name', (kind) => {
  let opened: Awaited<ReturnType<typeof kind.open>>;
  beforeAll(async () => {
    opened = await kind.open();
  });
  afterAll(async () => {
    await opened?.drop();
  });

  test('every caller method refuses a foreign tenant and writes nothing; the same call in the own tenant is not refused for it', async () => {
    const engine = engineOn(opened.storage);
    const sys = (tenantId: string) => ({ tenantId, actor: engine.system });
    // one record with a task in each tenant, owned by bob (so that handover has work)
    const mine = (await engine.create('lead', { fields: { name: 'Acme lead' }, ownerId: 'bob' }, sys('acme'))).record;
    const theirs = (await engine.create('lead', { fields: { name: 'Globex lead' }, ownerId: 'bob' }, sys('globex'))).record;
    const mineTask = (await engine.addTask(mine.id, { title: 'call', dueAt: '2026-01-05T10:00:00.000Z' }, sys('acme'))).taskId;
    const theirTask = (await engine.addTask(theirs.id, { title: 'call', dueAt: '2026-01-05T10:00:00.000Z' }, sys('globex'))).taskId;

    const foreign = calls(engine, theirs.id, theirTask, 'globex');
    // the matrix covers every function the engine has, but the app's own
    const all: string[] = [];
    for (let o: object | null = engine; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
      for (const k of Object.keys(o)) if (typeof (engine as unknown as Record<string, unknown>)[k] === 'function' && !all.includes(k)) all.push(k);
    }
    expect(all.filter((k) => !NOT_A_CALLERS.has(k) && !(k in foreign)).sort()).toEqual([]);

    const ids = [mine.id, theirs.id];
    const before = await snapshot(opened.storage, ids);
    const refused: string[] = [];
    for (const [name, call] of Object.entries(foreign)) {
      const e = (await call().then(() => null, (err: unknown) => err)) as { code?: string; details?: { reason?: string } } | null;
      if (e?.code === 'FORBIDDEN' && e.details?.reason === 'foreign_tenant') refused.push(name);
      expect(await snapshot(opened.storage, ids), `${name} wrote in a foreign tenant`).toBe(before);
    }
    expect(refused.sort()).toEqual(Object.keys(foreign).sort());

    // positive control: in her own tenant no call is refused for the tenant (some may fail for other reasons)
    for (const [name, call] of Object.entries(calls(engine, mine.id, mineTask, 'acme'))) {
      const e = (await call().then(() => null, (err: unknown) => err)) as { details?: { reason?: string } } | null;
      expect(e?.details?.reason, name).not.toBe('foreign_tenant');
    }
    // the system handle acts in any tenant
    expect((await engine.get(theirs.id, sys('globex')))?.id).toBe(theirs.id);
  });
});
