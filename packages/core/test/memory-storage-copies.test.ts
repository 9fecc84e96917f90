import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { createMemoryStorage } from '../src/index.js';
import type { StorageTx, StoredRecord, TimerRecord } from '../src/index.js';

// The memory store (the reference store) keeps an index of each record's timers, writes
// copy-on-write and copies what it is given and what it hands out; these tests pin that behaviour.

const rec = (version: number, meta: Record<string, unknown>): StoredRecord => ({
  tenantId: 't1', id: 'r1', type: 'deal', blueprintId: 'deal', blueprintVersion: 1, stage: 'open', version,
  fields: { n: version }, ownerId: null, teamId: null, meta, stageEnteredAt: '2026-01-01T00:00:00.000Z',
  createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
});

const timer = (id: string, key: string, kind: string): TimerRecord => ({
  tenantId: 't1', id, recordId: 'r1', kind, key, dueAt: '2026-01-02T00:00:00.000Z', event: 'late', payload: {}, stage: 'open',
  recordVersion: 1, status: 'pending', leaseOwner: null, leaseUntil: null, attempts: 0,
  createdAt: '2026-01-01T00:00:00.000Z', finishedAt: null, outcome: null,
});

type Op = { op: 'schedule'; key: string; kind: string } | { op: 'cancelKind'; kind: string } | { op: 'cancelKey'; key: string };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('schedule' as const), key: fc.constantFrom('k1', 'k2', 'k3'), kind: fc.constantFrom('breach', 'reminder') }),
  fc.record({ op: fc.constant('cancelKind' as const), kind: fc.constantFrom('breach', 'reminder') }),
  fc.record({ op: fc.constant('cancelKey' as const), key: fc.constantFrom('k1', 'k2', 'k3') }),
);

describe('memory store: copies, timer index, rollback', () => {
  test('active timers after committed and rolled-back transactions match a model (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ ops: fc.array(opArb, { minLength: 1, maxLength: 5 }), abort: fc.boolean() }), { minLength: 1, maxLength: 12 }), async (txs) => {
        const s = createMemoryStorage();
        // model: timer id → { key, kind } of the pending ones
        let model = new Map<string, { key: string; kind: string }>();
        let next = 0;
        for (const { ops, abort } of txs) {
          const draft = new Map(model);
          const counts: number[] = [];
          const expected: number[] = [];
          const run = s.transaction('t1', async (tx) => {
            for (const o of ops) {
              if (o.op === 'schedule') {
                const id = `tm${next++}`;
                for (const [other, t] of draft) if (t.key === o.key) draft.delete(other);
                draft.set(id, { key: o.key, kind: o.kind });
                await tx.scheduleTimers([timer(id, o.key, o.kind)]);
              } else {
                const match = [...draft].filter(([, t]) => (o.op === 'cancelKind' ? t.kind === o.kind : t.key === o.key));
                expected.push(match.length);
                for (const [id] of match) draft.delete(id);
                counts.push(await tx.cancelTimers('r1', o.op === 'cancelKind' ? { kinds: [o.kind] } : { keys: [o.key] }));
              }
            }
            if (abort) throw new Error('abort');
          });
          if (abort) await expect(run).rejects.toThrow('abort');
          else {
            await run;
            model = draft;
          }
          expect(counts).toEqual(expected);
          const active = await s.transaction('t1', (tx) => tx.listTimers('r1', { status: ['pending', 'claimed'] }));
          expect(active.map((t) => t.id).sort()).toEqual([...model.keys()].sort());
        }
      }),
      { numRuns: 150 },
    );
  });

  test('a history event stores the values it is given, also when they were changed after the record write', async () => {
    const s = createMemoryStorage();
    const times = { open: { visits: 1 } };
    await s.transaction('t1', async (tx) => {
      await tx.insertRecord(rec(1, { stageTimes: times }));
    });
    const meta = { stageTimes: { open: { visits: 2 } } };
    await s.transaction('t1', async (tx) => {
      await tx.updateRecord(rec(2, meta), 1);
      meta.stageTimes.open.visits = 3; // changed between the record write and the history write
      await tx.appendHistory([{ tenantId: 't1', id: 'h1', recordId: 'r1', seq: 1, at: 'x', kind: 'transition', data: { changes: { meta } } }]);
    });
    meta.stageTimes.open.visits = 4; // changed after both writes: the store keeps its own copies
    const [h] = await s.listHistory('t1', 'r1');
    expect(h!.data).toEqual({ changes: { meta: { stageTimes: { open: { visits: 3 } } } } });
    expect((await s.getRecord('t1', 'r1'))!.meta).toEqual({ stageTimes: { open: { visits: 2 } } });
    // what a reader gets is its own copy too
    (h!.data.changes as { meta: { stageTimes: { open: { visits: number } } } }).meta.stageTimes.open.visits = 99;
    expect((await s.getRecord('t1', 'r1'))!.meta).toEqual({ stageTimes: { open: { visits: 2 } } });
    expect((await s.listHistory('t1', 'r1'))[0]!.data).toEqual({ changes: { meta: { stageTimes: { open: { visits: 3 } } } } });
  });

  test('transition events, full events and other events read back exactly as written, each a copy', async () => {
    const s = createMemoryStorage();
    const changes = { stage: 'b', fields: { tags: ['x'] } };
    const plain = { tenantId: 't1', id: 'h1', recordId: 'r1', seq: 1, at: 'x', kind: 'transition', event: 'go', from: 'a', to: 'b', actorId: 'ana', data: { transition: 0, changes } };
    const other = { tenantId: 't1', id: 'h2', recordId: 'r1', seq: 2, at: 'y', kind: 'note', data: { transition: 1, changes: {}, extra: [1] } };
    // plain moves (kept flat): stage only, stage and entry time, and a null actor
    const move = { tenantId: 't1', id: 'h3', recordId: 'r1', seq: 3, at: 'z', kind: 'transition', event: 'go', from: 'b', to: 'c', actorId: 'ana', data: { transition: 2, changes: { stage: 'c' } } };
    const timed = { ...move, id: 'h4', seq: 4, from: 'c', to: 'd', actorId: null, data: { transition: 3, changes: { stage: 'd', stageEnteredAt: 'z' } } };
    await s.transaction('t1', (tx) => tx.appendHistory([plain, other, move, timed]));
    // a rolled-back move leaves nothing behind
    await s.transaction('t1', async (tx) => {
      await tx.appendHistory([{ ...move, id: 'h5', seq: 5 }]);
      throw new Error('roll back');
    }).catch(() => undefined);
    changes.fields.tags.push('changed after the write');
    const read = await s.listHistory('t1', 'r1');
    expect(read).toEqual([
      { ...plain, data: { transition: 0, changes: { stage: 'b', fields: { tags: ['x'] } } } },
      other,
      move,
      timed,
    ]);
    expect('event' in read[1]!).toBe(false);
    expect(Object.keys(read[2]!).sort()).toEqual(Object.keys(move).sort());
    expect(await s.listHistory('t1', 'r1', { afterSeq: 2, limit: 1 })).toEqual([move]);
    // each read is a fresh copy
    (read[3]!.data.changes as { stage: string }).stage = 'hacked';
    expect((await s.listHistory('t1', 'r1'))[3]).toEqual(timed);
  });

  test('outbox messages read back exactly as written, each a copy', async () => {
    const s = createMemoryStorage();
    const kept = { n: 1 };
    const transition = { tenantId: 't1', id: 'm2', recordId: 'r1', type: 'dealflow.transition', createdAt: 'x', payload: { recordId: 'r1', type: 'deal', event: 'go', from: 'a', to: 'b', actorId: null, version: 2 } };
    // look-alikes that are not plain transition messages stay whole
    const extra = { ...transition, id: 'm3', payload: { ...transition.payload, note: 'x' } };
    const otherRecord = { ...transition, id: 'm4', payload: { ...transition.payload, recordId: 'r2' } };
    await s.transaction('t1', async (tx) => {
      await tx.appendOutbox([{ tenantId: 't1', id: 'm1', recordId: 'r1', type: 't', payload: kept, createdAt: 'x' }]);
      await tx.appendOutbox([transition, extra, otherRecord]);
    });
    await s.transaction('t1', async (tx) => {
      await tx.appendOutbox([{ ...transition, id: 'm5' }]);
      throw new Error('roll back');
    }).catch(() => undefined);
    kept.n = 2; // the store has its own copy
    const read = await s.readOutbox({ limit: 10 });
    expect(read).toEqual([
      { tenantId: 't1', id: 'm1', recordId: 'r1', type: 't', payload: { n: 1 }, createdAt: 'x', position: 1 },
      { ...transition, position: 2 },
      { ...extra, position: 3 },
      { ...otherRecord, position: 4 },
    ]);
    // readers get copies
    read[1]!.payload.to = 'hacked';
    expect((await s.readOutbox({ limit: 10 }))[1]!.payload).toEqual(transition.payload);
    await s.ackOutbox(2);
    expect((await s.readOutbox({ limit: 10 })).map((m) => m.id)).toEqual(['m3', 'm4']);
  });

  test('a transaction settles with its callback: a plain value, a promise, a throw or a rejection (rolled back)', async () => {
    const s = createMemoryStorage();
    const plain = (tx: StorageTx) => {
      void tx.insertRecord(rec(1, {}));
      return 'value' as unknown as Promise<string>;
    };
    expect(await s.transaction('t1', plain)).toBe('value');
    await expect(
      s.transaction('t1', () => {
        throw new Error('sync boom');
      }),
    ).rejects.toThrow('sync boom');
    await expect(
      s.transaction('t1', async (tx) => {
        await tx.updateRecord(rec(2, { x: 1 }), 1);
        throw new Error('async boom');
      }),
    ).rejects.toThrow('async boom');
    expect((await s.getRecord('t1', 'r1'))?.version).toBe(1);
    // the lock was released every time: a later transaction runs
    expect(await s.transaction('t1', async (tx) => (await tx.getRecord('r1'))?.meta)).toEqual({});
  });

  test('history and outbox keep copies made at the append: later changes do not reach them, a Date reads back in its JSON form', async () => {
    const s = createMemoryStorage();
    const when = new Date('2026-03-02T09:00:00.000Z');
    const data: Record<string, unknown> = { eventData: { when, nested: { n: 1 } }, gone: undefined };
    const event = { tenantId: 't1', id: 'e1', recordId: 'r1', seq: 1, at: '2026-01-01T00:00:00.000Z', kind: 'created', actorId: 'ann', data };
    const message = { tenantId: 't1', id: 'm1', recordId: 'r1', type: 'dealflow.created', payload: { when }, createdAt: '2026-01-01T00:00:00.000Z' };
    await s.transaction('t1', async (tx) => {
      await tx.insertRecord(rec(1, {}));
      await tx.appendHistory([event]);
      await tx.appendOutbox([message]);
      // the caller changes what it appended, inside and after the transaction
      (data.eventData as { nested: { n: number } }).nested.n = 2;
    });
    message.payload.when = new Date(0);
    const [stored] = await s.listHistory('t1', 'r1');
    expect(stored!.data).toEqual({ eventData: { when: '2026-03-02T09:00:00.000Z', nested: { n: 1 } } });
    expect('gone' in stored!.data).toBe(false);
    expect(JSON.parse(JSON.stringify(event.data))).not.toEqual(stored!.data); // (the caller's object did change)
    const [m] = await s.readOutbox({ limit: 10 });
    expect(m!.payload).toEqual({ when: '2026-03-02T09:00:00.000Z' });
  });
});
