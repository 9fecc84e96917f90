/**
 * Sales rules under real concurrency: two engine instances (each with its own connection pool, as
 * two app servers) over one PostgreSQL schema. Round robin never gives one turn twice, two
 * concurrent creates of one customer leave one record, and two workers fire an escalation once.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { createEngine, createManualClock, createMemoryDirectory } from '../packages/core/src/index.js';
import type { BlueprintInput, SalesRulesInput } from '../packages/core/src/index.js';
import type { PostgresStorage } from '../packages/storage-postgres/src/index.js';
import { dropAndClose, freshSchema, openPostgres, postgresForTests } from './support/postgres.js';

const lead: BlueprintInput = {
  id: 'lead', version: 1, recordType: 'lead', initialStage: 'new',
  fields: { name: { type: 'string', required: true }, email: { type: 'string' } },
  stages: [{ id: 'new' }, { id: 'lost', kind: 'lost' }],
  transitions: [{ event: 'lose', from: '*', to: 'lost' }],
};
const directory = createMemoryDirectory({
  reps: [{ id: 'mia' }, ...['ann', 'bob', 'cat', 'dan'].map((id) => ({ id, managerId: 'mia' }))],
  teams: [{ id: 'east', managerId: 'mia', memberIds: ['ann', 'bob', 'cat', 'dan'] }],
});
const rules: SalesRulesInput = {
  assignment: { rules: [{ id: 'rr', assign: { strategy: 'roundRobin', team: 'east' } }] },
  duplicates: { keys: [{ name: 'email', normalize: 'email' }] },
  escalations: [{ id: 'idle', on: 'inactivity', levels: [{ after: 'P1D', actions: [{ reassign: 'nextInTeam' }, { notify: 'manager' }] }] }],
};

const { url: PG_URL, reachable } = await postgresForTests('test/assignment-concurrency.test.ts');

const opened: PostgresStorage[] = [];
async function twoInstances() {
  const schema = await freshSchema(PG_URL, 'dealflow_assign');
  const clock = createManualClock('2026-01-05T08:00:00.000Z');
  const make = () => {
    const storage = openPostgres(PG_URL, schema);
    opened.push(storage);
    return createEngine({ storage, clock, blueprints: [lead], rules, directory, maxRetries: 20 });
  };
  return { one: make(), two: make(), clock };
}

afterAll(async () => {
  for (const s of opened) await dropAndClose(s).catch(() => undefined);
});

describe.skipIf(!reachable)('sales rules on PostgreSQL with two engine instances', () => {
  test('concurrent round robin: every turn once, every rep the same share', async () => {
    const { one, two } = await twoInstances();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? one : two).create('lead', { fields: { name: `L${i}` } })));
    const turns = results.map((r) => (r.events[0]!.data.assignment as { turn: number }).turn).sort((a, b) => a - b);
    expect(turns).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const owners: Record<string, number> = {};
    for (const r of results) owners[r.record.ownerId!] = (owners[r.record.ownerId!] ?? 0) + 1;
    expect(owners).toEqual({ ann: 10, bob: 10, cat: 10, dan: 10 });
    const order = ['ann', 'bob', 'cat', 'dan'];
    for (const r of results) expect(r.record.ownerId).toBe(order[((r.events[0]!.data.assignment as { turn: number }).turn - 1) % 4]);
  });

  test('concurrent creates never push a rep past maxOpen: the cap holds across instances', async () => {
    const schema = await freshSchema(PG_URL, 'dealflow_cap');
    const capped = createMemoryDirectory({ reps: [{ id: 'cap', capacity: { maxOpen: 3 } }] });
    const capRules: SalesRulesInput = {
      assignment: { rules: [{ id: 'first', assign: { strategy: 'owner', owner: 'cap' } }, { id: 'overflow', assign: { strategy: 'pool', pool: 'overflow' } }] },
    };
    const clock = createManualClock('2026-01-05T08:00:00.000Z');
    const [one, two] = [0, 1].map(() => {
      const storage = openPostgres(PG_URL, schema);
      opened.push(storage);
      return createEngine({ storage, clock, blueprints: [lead], rules: capRules, directory: capped, maxRetries: 20 });
    });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? one! : two!).create('lead', { fields: { name: `C${i}` } })));
    expect(results.filter((r) => r.record.ownerId === 'cap')).toHaveLength(3);
    expect(await one!.query({ type: 'lead', ownerId: 'cap' })).toHaveLength(3);
  });

  test('concurrent creates of one customer: one record, the others DUPLICATE', async () => {
    const { one, two } = await twoInstances();
    const settled = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => (i % 2 ? one : two).create('lead', { fields: { name: `try ${i}`, email: 'Same@Customer.COM' } })));
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    for (const s of settled) if (s.status === 'rejected') expect((s.reason as { code: string }).code).toBe('DUPLICATE');
    expect(await one.query({ type: 'lead' })).toHaveLength(1);
  });

  test('two workers racing on due escalations fire each once', async () => {
    const { one, two, clock } = await twoInstances();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await one.create('lead', { fields: { name: `E${i}` } })).record.id);
    clock.advance('P1D');
    const [a, b] = await Promise.all([one.runDue(), two.runDue()]);
    expect(a.fired + b.fired).toBe(6);
    for (const id of ids) {
      const h = await one.history(id);
      expect(h.filter((e) => e.kind === 'escalated')).toHaveLength(1);
    }
  });
});
