/**
 * Hostile field values, event data, ids and queries on all three stores (issue #15): each is
 * refused with a coded error (`INPUT_INVALID` / `INPUT_LIMIT`) and nothing is written — the
 * record, its history and the set of records are exactly as before.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, createMemoryStorage, isDealflowError } from '../../packages/core/src/index.js';
import type { BlueprintInput, Engine, Storage } from '../../packages/core/src/index.js';
import { createSqliteStorage } from '../../packages/storage-sqlite/src/index.js';
import type { PostgresStorage } from '../../packages/storage-postgres/src/index.js';
import { dropAndClose, freshSchema, openPostgres, postgresForTests } from '../support/postgres.js';

const deal: BlueprintInput = {
  id: 'deal', version: 1, recordType: 'deal', initialStage: 'new',
  fields: { name: { type: 'string' }, amount: { type: 'number', requiredIn: ['proposal'] }, notes: { type: 'string' } },
  stages: [{ id: 'new' }, { id: 'proposal' }, { id: 'won', kind: 'won' }],
  transitions: [{ event: 'propose', from: 'new', to: 'proposal' }, { event: 'win', from: 'proposal', to: 'won' }, { event: 'touch', from: 'new', to: 'new' }],
};

const { url: PG_URL, reachable } = await postgresForTests('test/security/inputs.test.ts');
const opened: PostgresStorage[] = [];
afterAll(async () => {
  for (const s of opened) await dropAndClose(s).catch(() => undefined);
});

const stores: Array<[string, () => Promise<Storage>, boolean]> = [
  ['memory', async () => createMemoryStorage(), true],
  ['sqlite', async () => createSqliteStorage({ filename: ':memory:' }), true],
  [
    'postgres',
    async () => {
      const s = openPostgres(PG_URL, await freshSchema(PG_URL, 'dealflow_inputs'));
      opened.push(s);
      return s;
    },
    reachable,
  ],
];

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

async function codeOf(p: Promise<unknown> | (() => Promise<unknown>)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
    return 'accepted';
  } catch (e) {
    if (isDealflowError(e)) return e.code;
    throw e; // a TypeError / RangeError escaping fails the test
  }
}

/** Everything a store holds that a call could have changed. */
async function snapshot(engine: Engine, id: string): Promise<string> {
  const [record, history, all] = await Promise.all([engine.get(id), engine.history(id), engine.query({})]);
  return JSON.stringify({ record, history: history.length, ids: all.map((r) => r.id).sort() });
}

const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;

/** Field sets no call may store, with the code each gets. */
const hostileFields: Array<[string, () => unknown, string]> = [
  ['__proto__ from JSON.parse', () => JSON.parse('{"__proto__":{"amount":5}}'), 'INPUT_INVALID'],
  ['constructor and toString as fields', () => ({ constructor: 'x', toString: 1 }), 'INPUT_INVALID'],
  ['a BigInt', () => ({ amount: 10n }), 'INPUT_INVALID'],
  ['a cyclic value', () => ({ notes: cyclic }), 'INPUT_INVALID'],
  ['a field nested 10 000 deep', () => ({ notes: nested(10_000) }), 'INPUT_LIMIT'],
  ['a 5 MB value', () => ({ notes: 'x'.repeat(5_000_000) }), 'INPUT_LIMIT'],
  ['a NUL byte', () => ({ name: 'a\u0000b' }), 'INPUT_INVALID'],
  ['a lone surrogate', () => ({ name: 'a\ud800' }), 'INPUT_INVALID'],
  ['NaN', () => ({ amount: Number.NaN }), 'INPUT_INVALID'],
  ['a class instance', () => ({ notes: new (class X { y = 1; })() }), 'INPUT_INVALID'],
  ['a function', () => ({ notes: () => 1 }), 'INPUT_INVALID'],
];

describe.each(stores)('hostile inputs on the %s store', (_name, open, available) => {
  const setup = async () => {
    const storage = await open();
    const engine = createEngine({ storage, blueprints: [deal] });
    const { record } = await engine.create('deal', { fields: { name: 'ACME' } });
    return { engine, id: record.id };
  };

  it.skipIf(!available).each(hostileFields)('fields with %s: %s on create and send, nothing written', async (_what, value, code) => {
    const { engine, id } = await setup();
    const before = await snapshot(engine, id);
    expect(await codeOf(engine.create('deal', { fields: value() as Record<string, unknown> }))).toBe(code);
    expect(await codeOf(engine.send(id, { type: 'propose', fields: value() as Record<string, unknown> }))).toBe(code);
    expect(await snapshot(engine, id)).toBe(before);
  });

  it.skipIf(!available)('event data 5 000 deep, 5 MB, cyclic or BigInt is refused; nothing written', async () => {
    const { engine, id } = await setup();
    const before = await snapshot(engine, id);
    expect(await codeOf(engine.send(id, { type: 'touch', data: nested(5_000) as Record<string, unknown> }))).toBe('INPUT_LIMIT');
    expect(await codeOf(engine.send(id, { type: 'touch', data: { blob: 'x'.repeat(5_000_000) } }))).toBe('INPUT_LIMIT');
    expect(await codeOf(engine.send(id, { type: 'touch', data: cyclic }))).toBe('INPUT_INVALID');
    expect(await codeOf(engine.send(id, { type: 'touch', data: { n: 1n } }))).toBe('INPUT_INVALID');
    expect(await snapshot(engine, id)).toBe(before);
  });

  it.skipIf(!available)('ids: 1 MB, lone surrogate, NUL, empty, not a string — the same code on every store', async () => {
    const { engine, id } = await setup();
    const before = await snapshot(engine, id);
    for (const [bad, code] of [['x'.repeat(1_000_000), 'INPUT_LIMIT'], ['a\ud800', 'INPUT_INVALID'], ['a\u0000', 'INPUT_INVALID'], ['', 'INPUT_INVALID'], [42, 'INPUT_INVALID']] as const) {
      expect(await codeOf(engine.create('deal', { id: bad as string }))).toBe(code);
      expect(await codeOf(engine.send(bad as string, 'propose'))).toBe(code);
      expect(await codeOf(engine.get(bad as string))).toBe(code);
      expect(await codeOf(engine.history(bad as string))).toBe(code);
      expect(await codeOf(engine.send(id, 'touch', { idempotencyKey: bad as string }))).toBe(code);
      expect(await codeOf(engine.send(id, 'touch', { tenantId: bad as string }))).toBe(code);
    }
    expect(await snapshot(engine, id)).toBe(before);
  });

  it.skipIf(!available)('queries: operator objects, negative or huge limits are INPUT_INVALID / INPUT_LIMIT on every store', async () => {
    const { engine } = await setup();
    expect(await codeOf(engine.query({ fields: { name: { $ne: 1 } as never } }))).toBe('INPUT_INVALID');
    expect(await codeOf(engine.query({ limit: -1 }))).toBe('INPUT_INVALID');
    expect(await codeOf(engine.query({ limit: 1.5 }))).toBe('INPUT_INVALID');
    expect(await codeOf(engine.query({ offset: -3 }))).toBe('INPUT_INVALID');
    expect(await codeOf(engine.query({ limit: 1e9 }))).toBe('INPUT_LIMIT');
    expect(await codeOf(engine.query({ stage: 'a\u0000' }))).toBe('INPUT_INVALID');
    expect(await codeOf(engine.query({ nonsense: 1 } as never))).toBe('INPUT_INVALID');
    expect(await engine.query({ fields: { name: 'ACME' }, limit: 10 })).toHaveLength(1);
  });

  it.skipIf(!available)('random hostile field values: accepted and replayable, or a coded error and nothing written (property)', async () => {
    const { engine, id } = await setup();
    const value = fc.oneof(
      fc.anything({ withBigInt: true, withNullPrototype: true, withObjectString: true, withSparseArray: true, withDate: true, maxDepth: 3 }),
      fc.string({ unit: 'binary' }),
      fc.constantFrom(JSON.parse('{"__proto__":{"x":1}}'), nested(40), 'a\ud800', 'a\u0000'),
    );
    const key = fc.oneof(fc.constantFrom('name', 'notes', 'amount', '__proto__', 'constructor', 'toString', 'valueOf'), fc.string({ maxLength: 8 }));
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key, value, { maxKeys: 3 }), async (fields) => {
        const before = await snapshot(engine, id);
        const code = await codeOf(engine.send(id, { type: 'touch', fields }));
        if (code === 'accepted') {
          // what is stored equals what history replays
          expect(await engine.getAt(id, new Date(Date.now() + 86_400_000))).toEqual(await engine.get(id));
        } else {
          expect(['INPUT_INVALID', 'INPUT_LIMIT']).toContain(code);
          expect(await snapshot(engine, id)).toBe(before);
        }
      }),
      { numRuns: 60 },
    );
  });
});
