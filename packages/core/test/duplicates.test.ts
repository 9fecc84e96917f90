import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { createMemoryStorage, isDealflowError, normalizeCompany, normalizeEmail, normalizePhone } from '../src/index.js';
import type { SalesRulesInput } from '../src/index.js';
import { as, salesEngine, system } from './assignment-helpers.js';

const rules: SalesRulesInput = {
  duplicates: {
    keys: [
      { name: 'email', normalize: 'email' },
      { name: 'phone', normalize: 'phone', defaultCountryCode: '49' },
      { name: 'company', normalize: 'company' },
    ],
  },
  assignment: { rules: [{ id: 'rr', assign: { strategy: 'roundRobin', team: 'east' } }] },
};

describe('normalizers', () => {
  test('e-mail: case and spaces', () => {
    expect(normalizeEmail('  Ann.Lee@Example.COM ')).toBe('ann.lee@example.com');
    expect(normalizeEmail('not-an-email')).toBeNull();
    expect(normalizeEmail(42)).toBeNull();
  });
  test('phone: E.164-ish with a default country code, 00 prefix, trunk zero, extensions', () => {
    expect(normalizePhone('(030) 123-4567', '49')).toBe('+49301234567');
    expect(normalizePhone('+49 30 1234567')).toBe('+49301234567');
    expect(normalizePhone('0049 30 1234567')).toBe('+49301234567');
    expect(normalizePhone('+1 (415) 555-0100 ext. 12')).toBe('+14155550100');
    expect(normalizePhone('12-34')).toBeNull();
  });
  test('company: case, punctuation, accents and legal suffixes', () => {
    expect(normalizeCompany('ACME, Inc.')).toBe('acme');
    expect(normalizeCompany('Acme Incorporated')).toBe('acme');
    expect(normalizeCompany('acme')).toBe('acme');
    expect(normalizeCompany('Müller GmbH & Co. KG')).toBe('muller');
    expect(normalizeCompany('The Kwik-E-Mart Ltd')).toBe('kwik e mart');
    expect(normalizeCompany('阿里巴巴集团有限公司')).toBe('阿里巴巴');
    expect(normalizeCompany('  ')).toBeNull();
  });
  test('property: normalization is idempotent and ignores case and surrounding punctuation', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 30 }), (name) => {
      const n = normalizeCompany(name);
      if (n === null) return;
      expect(normalizeCompany(n)).toBe(n);
      expect(normalizeCompany(`${name.toUpperCase()}, Inc.`)).toBe(normalizeCompany(name.toUpperCase()));
    }));
  });
});

describe('duplicate guard through the engine', () => {
  test('create → DUPLICATE naming the existing record and its owner; nothing written', async () => {
    const { engine, storage } = salesEngine(rules);
    const first = await engine.create('lead', { id: 'L1', fields: { name: 'Ann', email: 'ann@acme.com', company: 'ACME Inc.' } });
    expect(first.record.ownerId).toBe('ann');
    const err = await engine.create('lead', { id: 'L2', fields: { name: 'Ann again', email: ' ANN@acme.com' } }).catch((e) => e);
    expect(isDealflowError(err, 'DUPLICATE')).toBe(true);
    expect(err.details).toMatchObject({ existingRecordId: 'L1', existingOwnerId: 'ann', keys: ['email'] });
    expect(err.message).toContain("'L1'");
    expect(err.message).toContain("'ann'");
    expect(await storage.getRecord('default', 'L2')).toBeNull();
    // company alone collides too (legal suffix and case ignored); round robin turn was not used up
    await expect(engine.create('lead', { fields: { name: 'x', company: 'acme' } })).rejects.toMatchObject({ code: 'DUPLICATE', details: { existingRecordId: 'L1', keys: ['company'] } });
    expect((await engine.create('lead', { fields: { name: 'Other', company: 'Initech' } })).record.ownerId).toBe('bob');
  });

  test('phone numbers in different notations collide', async () => {
    const { engine } = salesEngine(rules);
    await engine.create('lead', { id: 'P1', fields: { name: 'A', phone: '030 1234567' } });
    await expect(engine.create('lead', { fields: { name: 'B', phone: '+49 (30) 123-4567' } })).rejects.toMatchObject({ code: 'DUPLICATE', details: { existingRecordId: 'P1', keys: ['phone'] } });
  });

  test('merge when the caller asks: empty fields are filled, set ones kept, history says so', async () => {
    const { engine } = salesEngine(rules);
    await engine.create('lead', { id: 'M1', fields: { name: 'Ann', email: 'ann@acme.com' } });
    const res = await engine.createOrMerge('lead', { fields: { name: 'Ann Lee', email: 'ANN@ACME.COM', phone: '030 555 0000' } });
    expect(res.merged).toBe(true);
    expect(res.record.id).toBe('M1');
    expect(res.record.fields).toMatchObject({ name: 'Ann', phone: '030 555 0000' });
    expect(res.filled).toEqual(['phone']);
    expect(res.kept).toEqual(['name', 'email']);
    const h = await engine.history('M1');
    expect(h.at(-1)).toMatchObject({ kind: 'merged', data: { filled: ['phone'] } });
    // the merged phone is now guarded too
    await expect(engine.create('lead', { fields: { name: 'C', phone: '+49 30 5550000' } })).rejects.toMatchObject({ code: 'DUPLICATE', details: { existingRecordId: 'M1' } });
    // no duplicate: createOrMerge creates
    const fresh = await engine.createOrMerge('lead', { fields: { name: 'New', email: 'new@x.io' } });
    expect(fresh.merged).toBe(false);
  });

  test('changing a key field re-claims it: the old value is free again, a taken value is refused', async () => {
    const { engine } = salesEngine({ ...rules, assignment: undefined } as SalesRulesInput);
    await engine.create('lead', { id: 'A', fields: { name: 'A', email: 'a@x.io' } });
    await engine.create('lead', { id: 'B', fields: { name: 'B', email: 'b@x.io' } });
    const moved = await engine.send('A', { type: 'contact', fields: { email: 'a2@x.io' } });
    expect(moved.ok).toBe(true);
    await engine.create('lead', { id: 'C', fields: { name: 'C', email: 'a@x.io' } });
    await expect(engine.send('B', { type: 'contact', fields: { email: 'A2@x.io' } })).rejects.toMatchObject({ code: 'DUPLICATE', details: { existingRecordId: 'A' } });
    expect((await engine.get('B'))!).toMatchObject({ stage: 'new', fields: { email: 'b@x.io' } });
  });

  test('two concurrent creates of one customer (two engine instances) → one record', async () => {
    const storage = createMemoryStorage();
    const one = salesEngine(rules, { storage }).engine;
    const two = salesEngine(rules, { storage }).engine;
    const settled = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? one : two).create('lead', { fields: { name: `try ${i}`, email: `Same@Customer.com` } })),
    );
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    for (const s of settled) if (s.status === 'rejected') expect(s.reason).toMatchObject({ code: 'DUPLICATE' });
    expect(await storage.queryRecords('default', {})).toHaveLength(1);
  });

  test('invalid duplicate config is RULE_INVALID with the path', () => {
    expect(() => salesEngine({ duplicates: { keys: [{ name: 'email', normalize: 'soundex' }] } })).toThrow(/\$\.duplicates\.keys\[0\]\.normalize/);
  });
});

describe('duplicate keys: release policy', () => {
  const DAY = 24 * 3_600_000;
  const dupOf = async (p: Promise<unknown>): Promise<string | null> => {
    try {
      await p;
      return null;
    } catch (e) {
      if (!isDealflowError(e, 'DUPLICATE')) throw e;
      return e.details.existingRecordId as string;
    }
  };

  test('without a policy a lost or pooled record blocks its keys for good', async () => {
    const { engine, clock } = salesEngine(rules);
    const a = await engine.create('lead', { fields: { name: 'Ann', email: 'ann@acme.com' }, ownerId: 'bob' }, system);
    await engine.send(a.record.id, 'lose', system);
    clock.advance(3650 * DAY);
    expect(await dupOf(engine.create('lead', { fields: { name: 'Ann', email: 'ann@acme.com' } }, system))).toBe(a.record.id);
  });

  test('lost: released that long after entering the lost stage; returned: after entering the pool; a record owned again keeps blocking', async () => {
    const { engine, clock } = salesEngine({ ...rules, duplicates: { ...(rules.duplicates as object), release: { lost: 'P10D', returned: 'P2D' } } });
    const lost = await engine.create('lead', { fields: { name: 'Ann', email: 'ann@acme.com' }, ownerId: 'bob' }, system);
    clock.advance(20 * DAY); // time before the loss does not count
    await engine.send(lost.record.id, 'lose', system);
    clock.advance(10 * DAY - 1);
    expect(await dupOf(engine.create('lead', { fields: { name: 'Ann', email: 'ANN@acme.com' } }, system))).toBe(lost.record.id);
    clock.advance(1);
    const fresh = await engine.create('lead', { fields: { name: 'Ann', email: 'ann@acme.com' }, ownerId: 'bob' }, system);
    // the lost record gave up the key: the new one holds it
    expect(await dupOf(engine.create('lead', { fields: { name: 'Ann 3', email: 'ann@acme.com' } }, system))).toBe(fresh.record.id);

    const pooled = await engine.create('lead', { fields: { name: 'Ben', phone: '030 555' }, ownerId: 'bob' }, system);
    await engine.returnToPool(pooled.record.id, {}, system);
    clock.advance(2 * DAY);
    expect(await dupOf(engine.create('lead', { fields: { name: 'Ben', phone: '+4930555' }, ownerId: 'bob' }, system))).toBeNull();

    const owned = await engine.create('lead', { fields: { name: 'Cy', company: 'Cyberdyne' }, ownerId: 'bob' }, system);
    await engine.returnToPool(owned.record.id, {}, system);
    await engine.claim(owned.record.id, as('cat'));
    clock.advance(5 * DAY);
    expect(await dupOf(engine.create('lead', { fields: { name: 'Cy', company: 'Cyberdyne Inc.' } }, system))).toBe(owned.record.id);
  });

  test('a bad release duration is refused with its path', () => {
    let err: unknown;
    try {
      salesEngine({ duplicates: { keys: [{ name: 'email', normalize: 'email' }], release: { lost: '90 days' } } });
    } catch (e) {
      err = e;
    }
    expect(isDealflowError(err, 'RULE_INVALID')).toBe(true);
    expect((err as { problems: Array<{ path: string }> }).problems[0]!.path).toBe('$.duplicates.release.lost');
  });
});
