import { createMemoryStorage } from '@dealflow/core';
import type { Storage, StorageTx } from '@dealflow/core';

/**
 * The store a simulation runs on: the reference memory store, minus what a simulation never
 * reads back (the history log and the outbox), so memory holds records and timers only and
 * does not grow with the number of events.
 */
export function createSimulationStorage(): Storage {
  const inner = createMemoryStorage();
  const lean = (tx: StorageTx): StorageTx =>
    new Proxy(tx, {
      get(target, key) {
        if (key === 'appendHistory' || key === 'appendOutbox') return async () => {};
        const v = Reflect.get(target, key, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  return {
    name: 'simulation',
    transaction: (tenantId, fn) => inner.transaction(tenantId, (tx) => fn(lean(tx))),
    getRecord: (t, id) => inner.getRecord(t, id),
    queryRecords: (t, q) => inner.queryRecords(t, q),
    listHistory: (t, id, o) => inner.listHistory(t, id, o),
    queryTasks: (t, q) => inner.queryTasks(t, q),
    queryDeadlines: (t, q) => inner.queryDeadlines(t, q),
    claimDueTimers: (o) => inner.claimDueTimers(o),
    oldestDueAt: (o) => inner.oldestDueAt(o),
    readOutbox: (o) => inner.readOutbox(o),
    ackOutbox: (p, o) => inner.ackOutbox(p, o),
    close: () => inner.close(),
  };
}
