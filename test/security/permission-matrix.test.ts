/**
 * The permission matrix (issue #15): every actor × action × stage through the public API, against
 * a model of the rules written out by hand. A refusal is `FORBIDDEN` and writes nothing.
 */
import { describe, expect, test } from 'vitest';
import { createEngine, createManualClock, createMemoryStorage, defineBlueprint } from '../../packages/core/src/index.js';
import type { Actor, Engine, SalesRulesInput } from '../../packages/core/src/index.js';
import { leadJson, sampleDirectory } from '../../packages/core/test/assignment-helpers.js';

const LEAD = defineBlueprint(leadJson());
const owner = { '==': [{ var: 'actor.id' }, { var: 'record.ownerId' }] };
const chain = { in: [{ var: 'actor.id' }, { var: 'record.ownerManagerChain' }] };
const role = (r: string) => ({ in: [r, { var: 'actor.roles' }] });

const rules: SalesRulesInput = {
  permissions: {
    read: { or: [owner, chain] },
    create: role('manager'),
    edit: { or: [owner, chain] },
    fields: { discount: role('manager') },
    transitions: { contact: owner, negotiate: owner, win: chain },
    activity: owner,
    assign: role('manager'),
    superRoles: ['admin'],
    // no rule for `lose`, `claim`, `distribute`, `handover`: denied to all but admins and the system
  },
};

/** Who acts: reps and managers of the directory, an admin, an unknown id, a forged system, none, the handle. */
const ACTORS = ['ann', 'bob', 'mia', 'wes', 'dora', 'root', 'zed', 'forged', 'none', 'system'] as const;
type Who = (typeof ACTORS)[number];

/** The lead is ann's; her manager is mia, mia's is dora (the directory); wes manages another team. */
const model = {
  owner: (w: Who) => w === 'ann',
  chain: (w: Who) => w === 'mia' || w === 'dora',
  manager: (w: Who) => w === 'mia' || w === 'wes',
  known: (w: Who) => !['zed', 'forged', 'none'].includes(w),
  superuser: (w: Who) => w === 'root' || w === 'system',
};

type Outcome = 'ok' | 'forbidden' | 'hidden' | 'rejected';

interface Action {
  name: string;
  /** Runs the action as `actor` on the record; resolves to what it read or wrote. */
  run(engine: Engine, id: string, ctx: { actor?: Actor }): Promise<unknown>;
  /** The model: what the rules say for this actor in this stage. */
  expect(w: Who, stage: string): Outcome;
  /** Reads answer `hidden` (null or empty) instead of refusing a known actor. */
  read?: boolean;
}

const TRANSITIONS: Record<string, string[]> = { contact: ['new'], negotiate: ['new', 'contacted'], win: ['negotiation'], lose: ['new', 'contacted', 'negotiation'] };
const moveRule: Record<string, (w: Who) => boolean> = { contact: model.owner, negotiate: model.owner, win: model.chain, lose: () => false };

const ACTIONS: Action[] = [
  { name: 'get', read: true, run: (e, id, c) => e.get(id, c), expect: (w) => (model.owner(w) || model.chain(w) || model.superuser(w) ? 'ok' : 'hidden') },
  { name: 'history', read: true, run: async (e, id, c) => ((await e.history(id, c)).length > 0 ? 1 : null), expect: (w) => (model.owner(w) || model.chain(w) || model.superuser(w) ? 'ok' : 'hidden') },
  { name: 'query', read: true, run: async (e, _id, c) => ((await e.query({}, c)).length > 0 ? 1 : null), expect: (w) => (model.owner(w) || model.chain(w) || model.superuser(w) ? 'ok' : 'hidden') },
  ...Object.keys(TRANSITIONS).map((event): Action => ({
    name: `send ${event}`,
    run: async (e, id, c) => {
      const r = await e.send(id, event, c);
      if (!r.ok) throw Object.assign(new Error(r.rejection.reason), { rejected: true });
      return r;
    },
    expect: (w, stage) => {
      if (!model.known(w)) return 'forbidden';
      if (!TRANSITIONS[event]!.includes(stage)) return 'rejected';
      return model.superuser(w) || moveRule[event]!(w) ? 'ok' : 'forbidden';
    },
  })),
  { name: 'update name', run: (e, id, c) => e.update(id, { fields: { name: 'Renamed' } }, c), expect: (w) => (model.superuser(w) || (model.known(w) && (model.owner(w) || model.chain(w))) ? 'ok' : 'forbidden') },
  { name: 'update discount', run: (e, id, c) => e.update(id, { fields: { discount: 30 } }, c), expect: (w) => (model.superuser(w) || ((model.owner(w) || model.chain(w)) && model.manager(w)) ? 'ok' : 'forbidden') },
  { name: 'logActivity', run: (e, id, c) => e.logActivity(id, { type: 'call' }, c), expect: (w) => (model.superuser(w) || model.owner(w) ? 'ok' : 'forbidden') },
  { name: 'assign', run: (e, id, c) => e.assign(id, { to: 'bob' }, c), expect: (w) => (model.superuser(w) || model.manager(w) ? 'ok' : 'forbidden') },
  { name: 'returnToPool', run: (e, id, c) => e.returnToPool(id, {}, c), expect: (w) => (model.superuser(w) || model.owner(w) || model.manager(w) ? 'ok' : 'forbidden') }, // another's record: the assign rule
  { name: 'handover', run: (e, _id, c) => e.handover('ann', { to: 'bob' }, c), expect: (w) => (model.superuser(w) ? 'ok' : 'forbidden') },
  {
    name: 'returnManyToPool',
    run: async (e, id, c) => {
      const [r] = await e.returnManyToPool([id], {}, c);
      if (!r!.ok) throw Object.assign(new Error(r!.error.message), { code: r!.error.code });
      return r;
    },
    expect: (w) => (model.superuser(w) || model.owner(w) || model.manager(w) ? 'ok' : 'forbidden'), // the same checks as returnToPool, per item
  },
  { name: 'create', run: (e, _id, c) => e.create('lead', { fields: { name: 'New' }, ownerId: 'ann' }, c), expect: (w) => (model.superuser(w) || model.manager(w) ? 'ok' : 'forbidden') },
];

function engineWithLeadIn(stage: string): Promise<{ engine: Engine; id: string; storage: ReturnType<typeof createMemoryStorage> }> {
  const storage = createMemoryStorage();
  const directory = sampleDirectory({ reps: [{ id: 'root', roles: ['admin'] }] });
  const engine = createEngine({ storage, blueprints: [LEAD], clock: createManualClock('2026-01-05T08:00:00.000Z'), rules, directory });
  const sys = { actor: engine.system };
  return (async () => {
    const { record } = await engine.create('lead', { fields: { name: 'Lead' }, ownerId: 'ann', teamId: 'east' }, sys);
    if (stage === 'contacted') await engine.send(record.id, 'contact', sys);
    if (stage === 'negotiation') await engine.send(record.id, 'negotiate', sys);
    return { engine, id: record.id, storage };
  })();
}

function ctxOf(engine: Engine, w: Who): { actor?: Actor } {
  if (w === 'none') return {};
  if (w === 'system') return { actor: engine.system };
  if (w === 'forged') return { actor: { id: 'system', roles: ['system', 'admin'] } };
  // every caller claims to be an admin: the directory decides
  return { actor: { id: w, roles: ['admin', 'manager'] } };
}

async function outcomeOf(p: Promise<unknown>): Promise<Outcome> {
  try {
    const v = await p;
    return v === null ? 'hidden' : 'ok';
  } catch (e) {
    if ((e as { rejected?: boolean }).rejected) return 'rejected';
    if ((e as { code?: string }).code === 'FORBIDDEN') return 'forbidden';
    throw e;
  }
}

describe('permission matrix: actor × action × stage', () => {
  for (const stage of ['new', 'contacted', 'negotiation']) {
    test(`stage '${stage}'`, async () => {
      const got: string[] = [];
      const want: string[] = [];
      for (const action of ACTIONS) {
        for (const w of ACTORS) {
          const { engine, id, storage } = await engineWithLeadIn(stage);
          const before = JSON.stringify([await storage.queryRecords('default', {}), await storage.listHistory('default', id)]);
          const outcome = await outcomeOf(action.run(engine, id, ctxOf(engine, w)));
          const expected = action.read && !model.known(w) ? 'forbidden' : action.expect(w, stage);
          got.push(`${action.name} as ${w}: ${outcome}`);
          want.push(`${action.name} as ${w}: ${expected}`);
          if (outcome !== 'ok' || action.read) {
            // a refusal (and every read) writes nothing
            expect(JSON.stringify([await storage.queryRecords('default', {}), await storage.listHistory('default', id)])).toBe(before);
          }
        }
      }
      expect(got.filter((g, i) => g !== want[i]), `expected: ${want.filter((w, i) => w !== got[i]).join('; ')}`).toEqual([]);
      // the matrix is not trivially one-sided
      expect(got.filter((g) => g.endsWith(': ok')).length).toBeGreaterThan(20);
      expect(got.filter((g) => g.endsWith(': forbidden')).length).toBeGreaterThan(40);
    });
  }
});
