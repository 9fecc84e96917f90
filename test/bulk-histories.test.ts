/**
 * `Storage.listHistories` (the history of many records in one read, for exports) on the memory
 * store, SQLite and PostgreSQL: the same events as `listHistory` record by record, in the order of
 * the ids given; unknown and repeated ids add nothing; other tenants' events never appear.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, createManualClock } from '../packages/core/src/index.js';
import { leadBlueprint } from './support/bulk-fixture.js';
import { storeKinds } from './support/stores.js';

for (const kind of await storeKinds('test/bulk-histories.test.ts')) {
  describe(`listHistories on ${kind.name}`, () => {
    it('answers what listHistory answers for each record, in the order given', async () => {
      const { storage, drop } = await kind.open();
      try {
        expect(typeof storage.listHistories).toBe('function');
        const engine = createEngine({ storage, blueprints: [leadBlueprint()], clock: createManualClock('2026-03-02T10:00:00.000Z') });
        await engine.createMany('lead', Array.from({ length: 12 }, (_, i) => ({ id: `h${i}`, fields: { name: `H${i}` } })));
        await engine.sendMany(Array.from({ length: 12 }, (_, i) => ({ recordId: `h${i}`, event: i % 3 === 0 ? 'lose' : 'contact' })));
        await engine.sendMany([4, 5, 7].map((i) => ({ recordId: `h${i}`, event: 'qualify' })));
        // another tenant's record of the same id
        await engine.create('lead', { id: 'h4', fields: { name: 'other tenant' } }, { tenantId: 'other', actor: engine.system });
        const ids = ['h7', 'h0', 'missing', 'h4', 'h7', 'h11'];
        const expected = [];
        for (const id of [...new Set(ids)]) expected.push(...(await storage.listHistory('default', id)));
        const got = await storage.listHistories!('default', ids);
        expect(got).toEqual(expected);
        expect(got.map((e) => `${e.recordId}:${e.seq}`)).toEqual(['h7:1', 'h7:2', 'h7:3', 'h0:1', 'h0:2', 'h4:1', 'h4:2', 'h4:3', 'h11:1', 'h11:2']);
        expect(await storage.listHistories!('default', [])).toEqual([]);
      } finally {
        await drop();
      }
    });
  });
}
