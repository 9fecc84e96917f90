/**
 * A bulk load refreshes the store's planner statistics once it has written rows (PostgreSQL's advice
 * after loading many rows; see packages/storage-postgres/test/plans.test.ts for the plan it buys):
 * `importRecords` and `restoreRecords` call `Storage.refreshStatistics` once at the end when the call
 * wrote at least 1 000 records, never for a small load, and not at all on a store without it.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createEngine, createMemoryStorage } from '../packages/core/src/index.js';
import type { Storage } from '../packages/core/src/index.js';
import { exportRecords, importRecords, restoreRecords } from '../packages/bulk/src/index.js';
import { badReason, leadBlueprint, leadsCsv, mapping } from './support/bulk-fixture.js';
import { withOverrides } from './support/overrides.js';

/** A memory store that counts refreshStatistics calls. */
function countingStore(): { storage: Storage; calls: () => number } {
  let calls = 0;
  const storage = withOverrides<Storage>(createMemoryStorage(), { refreshStatistics: async () => { calls++; } });
  return { storage, calls: () => calls };
}

const good = (n: number) => Array.from({ length: n }, (_, i) => i).filter((i) => badReason(i) === null).length;

describe('statistics after a bulk load', () => {
  it('importRecords refreshes them once after a large load, not after a small one', async () => {
    const large = countingStore();
    const engine = createEngine({ storage: large.storage, blueprints: [leadBlueprint()] });
    const big = await importRecords({ engine, source: PassThrough.from(leadsCsv(1300)), format: 'csv', mapping, importId: 'big', window: 200 });
    expect(big.created).toBe(good(1300));
    expect(big.created).toBeGreaterThanOrEqual(1000);
    expect(large.calls()).toBe(1);

    const small = countingStore();
    const engine2 = createEngine({ storage: small.storage, blueprints: [leadBlueprint()] });
    const few = await importRecords({ engine: engine2, source: PassThrough.from(leadsCsv(50)), format: 'csv', mapping, importId: 'few' });
    expect(few.created).toBe(good(50));
    expect(small.calls()).toBe(0);
  });

  it('restoreRecords refreshes them after restoring a large export; a store without the method restores the same', async () => {
    const source = createMemoryStorage();
    const engine = createEngine({ storage: source, blueprints: [leadBlueprint()] });
    await importRecords({ engine, source: PassThrough.from(leadsCsv(1300)), format: 'csv', mapping, importId: 'seed', window: 500 });
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await exportRecords({ storage: source, tenantId: 'default', out, what: 'dealflow' });
    const dump = Buffer.concat(chunks).toString('utf8');

    const target = countingStore();
    const restored = await restoreRecords({ storage: target.storage, tenantId: 'default', source: PassThrough.from(dump), importId: 'r' });
    expect(restored.restored).toBe(good(1300));
    expect(target.calls()).toBe(1);

    const plain = createMemoryStorage();
    expect('refreshStatistics' in plain).toBe(false);
    const again = await restoreRecords({ storage: plain, tenantId: 'default', source: PassThrough.from(dump), importId: 'r' });
    expect(again.restored).toBe(good(1300));
  });
});
