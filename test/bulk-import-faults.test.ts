/**
 * A store failure in the middle of an import, on each store: the batch's transaction rolls back and
 * the batch runner splits it and runs its halves again. The summary, the ledger and the report of
 * refused rows must describe what committed — each refused row reported once, the created count
 * equal to the records in the store — also with `duplicates: 'merge'`, whose checkpoint must stop
 * before every row still to merge.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createEngine, DealflowError } from '../packages/core/src/index.js';
import type { Storage, StorageTx } from '../packages/core/src/index.js';
import { importRecords, readLedger } from '../packages/bulk/src/index.js';
import type { RefusedRow } from '../packages/bulk/src/index.js';
import { badReason, leadBlueprint, leadsCsv, mapping } from './support/bulk-fixture.js';
import { withOverrides } from './support/overrides.js';
import { storeKinds } from './support/stores.js';

const T = 'default';

/** The store, failing the commit of the `nth` transaction that writes records (after its callback ran whole). */
function failingNthWrite(base: Storage, nth: number): Storage {
  let writes = 0;
  return withOverrides(base, {
    transaction: <R>(tenantId: string, fn: (tx: StorageTx) => Promise<R>) => base.transaction(tenantId, async (tx) => {
      let wrote = false;
      const spy = withOverrides(tx, {
        insertRecord: (record) => { wrote = true; return tx.insertRecord(record); },
        insertRecords: (records) => { wrote = true; return tx.insertRecords(records); },
      });
      const out = await fn(spy);
      if (wrote && ++writes === nth) throw new DealflowError('STORAGE', 'injected: the connection dropped before COMMIT');
      return out;
    }),
  });
}

/** The lines of a sink's entries, in line order (windows committing at once add theirs as they go). */
const inLineOrder = (rows: readonly RefusedRow[]) => rows.map((r) => r.line).sort((a, b) => a - b);

const N = 240;
const badLines = Array.from({ length: N }, (_, i) => i).filter((i) => badReason(i) !== null).map((i) => i + 2);

for (const kind of await storeKinds('test/bulk-import-faults.test.ts')) {
  describe(`import with a failed batch on ${kind.name}`, () => {
    for (const nth of [1, 3]) {
      it(`the summary, the ledger and the report describe what committed (failure on write transaction ${nth})`, async () => {
        const { storage, drop } = await kind.open();
        try {
          const engine = createEngine({ storage: failingNthWrite(storage, nth), blueprints: [leadBlueprint()] });
          const reported: RefusedRow[] = [];
          const summary = await importRecords({
            engine, source: PassThrough.from(leadsCsv(N)), format: 'csv', mapping, importId: `faults-${nth}`, window: 60, batchSize: 20,
            report: { add: (rows) => { reported.push(...rows); } },
          });
          const records = await storage.queryRecords(T, {});
          expect(records).toHaveLength(N - badLines.length);
          expect(summary).toMatchObject({ created: records.length, refused: badLines.length, skipped: 0, merged: 0, line: N + 1 });
          expect(await readLedger(storage, T, `faults-${nth}`)).toEqual({ line: N + 1, created: records.length, refused: badLines.length, skipped: 0, merged: 0 });
          expect(inLineOrder(reported)).toEqual(badLines);
        } finally {
          await drop();
        }
      });
    }

    it('with duplicates merged, a failed batch neither loses a merge nor counts one twice', async () => {
      const { storage, drop } = await kind.open();
      try {
        // ids made by the import, duplicates found by the guard on e-mail: the second import meets every row again
        const rules = { duplicates: { keys: [{ name: 'email', normalize: 'email' as const }] } };
        const guarded = { ...mapping, id: undefined, duplicates: 'merge' as const };
        const plain = createEngine({ storage, blueprints: [leadBlueprint()], rules });
        const first = await importRecords({ engine: plain, source: PassThrough.from(leadsCsv(N)), format: 'csv', mapping: guarded, importId: 'm1', window: 60, batchSize: 20 });
        const good = N - badLines.length;
        expect(first).toMatchObject({ created: good, merged: 0, refused: badLines.length });
        const engine = createEngine({ storage: failingNthWrite(storage, 2), blueprints: [leadBlueprint()], rules });
        const reported: RefusedRow[] = [];
        const again = await importRecords({
          engine, source: PassThrough.from(leadsCsv(N)), format: 'csv', mapping: guarded, importId: 'm2', window: 60, batchSize: 20,
          report: { add: (rows) => { reported.push(...rows); } },
        });
        expect((await storage.queryRecords(T, {})).length).toBe(good);
        expect(again).toMatchObject({ created: 0, merged: good, refused: badLines.length, skipped: 0, line: N + 1 });
        expect(await readLedger(storage, T, 'm2')).toEqual({ line: N + 1, created: 0, merged: good, refused: badLines.length, skipped: 0 });
        expect(inLineOrder(reported)).toEqual(badLines);
        // without an id column, a duplicate the guard finds is reported (it was taken for this import's own row and skipped)
        const reportedDup: RefusedRow[] = [];
        const third = await importRecords({
          engine: plain, source: PassThrough.from(leadsCsv(20)), format: 'csv', mapping: { ...guarded, duplicates: 'report' }, importId: 'm3',
          report: { add: (rows) => { reportedDup.push(...rows); } },
        });
        const good20 = Array.from({ length: 20 }, (_, i) => i).filter((i) => badReason(i) === null).map((i) => i + 2);
        expect(third).toMatchObject({ created: 0, skipped: 0, refused: 20 });
        expect(inLineOrder(reportedDup.filter((r) => r.code === 'DUPLICATE'))).toEqual(good20);
      } finally {
        await drop();
      }
    });
  });
}
