import { it, describe, expect } from 'vitest';
import { MAX_BATCH_IDS, STORAGE_FAULTS } from '@dealflow/core/storage';
import type { Storage, StorageFault, StorageTx } from '@dealflow/core/storage';
import { expectDealflowError, type SuiteContext } from '../context.js';
import { makeHistoryEvent, makeOutboxMessage, makeRecord, makeTaskRow, makeTimer } from '../fixtures.js';

const T = 'tenant-a';
const OTHER = 'tenant-b';

/** Each fault: the call that commits it, in a store holding record `deal-1` (version 1, one history event, timer `tm-1`, key `k`). */
const FAULTS: Record<Exclude<StorageFault, 'closed'>, (tx: StorageTx) => Promise<unknown>> = {
  insertExistingId: (tx) => tx.insertRecord(makeRecord({ tenantId: T, id: 'deal-1' })),
  insertRepeatedId: (tx) => tx.insertRecords([makeRecord({ tenantId: T, id: 'x' }), makeRecord({ tenantId: T, id: 'x' })]),
  insertVersionNotOne: (tx) => tx.insertRecord(makeRecord({ tenantId: T, id: 'deal-2', version: 2 })),
  foreignTenant: (tx) => tx.insertRecord(makeRecord({ tenantId: OTHER, id: 'deal-2' })),
  updateStaleVersion: (tx) => tx.updateRecord(makeRecord({ tenantId: T, id: 'deal-1', version: 3 }), 2),
  updateMissingRecord: (tx) => tx.updateRecord(makeRecord({ tenantId: T, id: 'nobody', version: 2 }), 1),
  updateVersionNotNext: (tx) => tx.updateRecord(makeRecord({ tenantId: T, id: 'deal-1', version: 5 }), 1),
  historySeqGap: (tx) => tx.appendHistory([makeHistoryEvent({ tenantId: T, recordId: 'deal-1', seq: 3 })]),
  timerIdTaken: (tx) => tx.scheduleTimers([makeTimer({ tenantId: T, id: 'tm-1', recordId: 'deal-1' })]),
  idempotencyKeyTaken: (tx) => tx.putIdempotency('k', 'f', { ok: true }, '2026-01-05T09:00:00.000Z'),
  batchTooLarge: (tx) => tx.getRecords(Array.from({ length: MAX_BATCH_IDS + 1 }, (_, i) => `r${i}`)),
  taskRowOfOtherRecord: (tx) => tx.replaceTasks('deal-1', [makeTaskRow({ tenantId: T, id: 'call', recordId: 'deal-9' })]),
};

/** Other tenants' objects, each refused alike (`foreignTenant`). */
const FOREIGN: Record<string, (tx: StorageTx) => Promise<unknown>> = {
  'insertRecords': (tx) => tx.insertRecords([makeRecord({ tenantId: OTHER, id: 'deal-2' })]),
  'updateRecord': (tx) => tx.updateRecord(makeRecord({ tenantId: OTHER, id: 'deal-1', version: 2 }), 1),
  'appendHistory': (tx) => tx.appendHistory([makeHistoryEvent({ tenantId: OTHER, recordId: 'deal-1', seq: 2 })]),
  'scheduleTimers': (tx) => tx.scheduleTimers([makeTimer({ tenantId: OTHER, id: 'tm-2', recordId: 'deal-1' })]),
  'appendOutbox': (tx) => tx.appendOutbox([makeOutboxMessage({ tenantId: OTHER, id: 'm-1' })]),
};

async function seed(s: Storage): Promise<void> {
  await s.transaction(T, async (tx) => {
    await tx.insertRecord(makeRecord({ tenantId: T, id: 'deal-1' }));
    await tx.appendHistory([makeHistoryEvent({ tenantId: T, recordId: 'deal-1', seq: 1 })]);
    await tx.scheduleTimers([makeTimer({ tenantId: T, id: 'tm-1', recordId: 'deal-1' })]);
    await tx.putIdempotency('k', 'f', { ok: true }, '2026-01-05T09:00:00.000Z');
  });
}

/** What a tenant holds, to show a refused call changed nothing. */
async function snapshot(s: Storage): Promise<unknown> {
  return s.transaction(T, async (tx) => ({
    records: await tx.queryRecords({}),
    history: await tx.listHistory('deal-1'),
    timers: await tx.listTimers('deal-1'),
    tasks: await tx.listTasks('deal-1'),
    outbox: await s.readOutbox({ limit: 100 }),
  }));
}

/** Every store answers each fault with the code `STORAGE_FAULTS` pins, and the refused transaction leaves nothing behind. */
export function faultCases(ctx: SuiteContext): void {
  describe('fault codes (STORAGE_FAULTS)', () => {
    for (const [fault, call] of Object.entries(FAULTS) as Array<[StorageFault, (tx: StorageTx) => Promise<unknown>]>) {
      it(`${fault}: ${STORAGE_FAULTS[fault]}, nothing written`, async () => {
        await ctx.withStore(async (s) => {
          await seed(s);
          const before = await snapshot(s);
          await expectDealflowError(s.transaction(T, (tx) => call(tx)), STORAGE_FAULTS[fault]);
          expect(await snapshot(s)).toEqual(before);
        });
      });
    }

    for (const [call, run] of Object.entries(FOREIGN)) {
      it(`foreignTenant in ${call}: ${STORAGE_FAULTS.foreignTenant}, nothing written`, async () => {
        await ctx.withStore(async (s) => {
          await seed(s);
          const before = await snapshot(s);
          await expectDealflowError(s.transaction(T, (tx) => run(tx)), STORAGE_FAULTS.foreignTenant);
          expect(await snapshot(s)).toEqual(before);
        });
      });
    }

    it.skipIf(!ctx.supports.close)(`closed: ${STORAGE_FAULTS.closed}`, async () => {
      await ctx.withStore(async (s) => {
        await s.close();
        await expectDealflowError(s.transaction(T, async () => undefined), STORAGE_FAULTS.closed);
        await expectDealflowError(s.getRecord(T, 'deal-1'), STORAGE_FAULTS.closed);
      });
    });
  });
}
