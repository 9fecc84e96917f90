/**
 * The deadline worker firing many timers per store transaction (`timersPerTransaction`) on the
 * memory store, SQLite and PostgreSQL: the same records, history, timers and outbox as firing each
 * timer in its own transaction (stage breaches and reminders, sales escalations with reassignment,
 * task reminders, pool returns), and a timer whose lease was lost in a batch never sinks the others.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, createManualClock, createWorker, replay } from '../packages/core/src/index.js';
import type { BlueprintInput, Engine, SalesRulesInput, Storage } from '../packages/core/src/index.js';
import { leadJson, sampleDirectory } from '../packages/core/test/assignment-helpers.js';
import { storeKinds } from './support/stores.js';

const START = '2026-01-05T08:00:00.000Z'; // Monday 09:00 Berlin

/** The assignment helpers' lead with a deadline (a reminder before, a breach moving to lost) on `contacted`. */
function lead(): BlueprintInput {
  const bp = leadJson();
  return {
    ...bp,
    stages: bp.stages.map((s) => (s.id === 'contacted' ? { ...s, deadline: { within: 'P2D', remindBefore: ['PT12H'], onBreach: 'stale' } } : s)),
    transitions: [...(bp.transitions ?? []), { event: 'stale', from: 'contacted', to: 'lost' }],
  };
}

const rules: SalesRulesInput = {
  assignment: { rules: [{ id: 'east', assign: { strategy: 'roundRobin', team: 'east' } }] },
  escalations: [{ id: 'no-call', on: 'inactivity', stages: ['new'], levels: [{ after: 'P1D', actions: [{ reassign: 'nextInTeam' }, { notify: 'manager' }] }] }],
  pool: { returnAfter: 'P3D' },
};

let ids = 0;
function engineOn(storage: Storage): { engine: Engine; clock: ReturnType<typeof createManualClock> } {
  const clock = createManualClock(START);
  ids = 0;
  const engine = createEngine({ storage, blueprints: [lead()], rules, directory: sampleDirectory(), clock, newId: (p) => `${p}_${(++ids).toString(36)}` });
  return { engine, clock };
}

/** Records in every situation a due timer can meet: escalations, pool returns, task reminders, stage reminders and breaches, stale timers. */
async function scenario(engine: Engine): Promise<string[]> {
  const sys = { actor: engine.system };
  const made: string[] = [];
  for (let i = 0; i < 24; i++) {
    const { record } = await engine.create('lead', { id: `r${i}`, fields: { name: `Lead ${i}` } }, sys);
    made.push(record.id);
    if (i % 3 === 1) await engine.send(record.id, 'contact', sys); // stage deadline: reminder, then breach
    if (i % 4 === 2) await engine.addTask(record.id, { title: 'call back', dueAt: '2026-01-06T10:00:00.000Z' }, sys);
    if (i % 6 === 5) await engine.send(record.id, 'lose', sys); // its timers are cancelled: none fire
  }
  return made;
}

async function stateOf(storage: Storage, engine: Engine, recordIds: string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const id of recordIds) {
    const record = await storage.getRecord('default', id);
    const history = await storage.listHistory('default', id);
    expect(replay(history)).toEqual(record);
    // (finishedAt of a cancelled timer is the store's wall time, not the engine's clock)
    out.push(record, history, (await engine.timers(id)).map(({ finishedAt: _f, leaseUntil: _l, leaseOwner: _o, ...t }) => t));
  }
  out.push((await storage.readOutbox({ limit: 10_000 })).map((m) => ({ ...m, position: undefined })));
  return out;
}

async function runWorker(engine: Engine, clock: ReturnType<typeof createManualClock>, timersPerTransaction: number): Promise<{ fired: number; noop: number; rejected: number; failed: number }> {
  // (one transaction at a time: the firing order, and so the ids drawn, is the claim order in both runs)
  const worker = createWorker({ engine, workerId: 'w', timersPerTransaction, batchSize: 100, concurrency: 1 });
  const total = { fired: 0, noop: 0, rejected: 0, failed: 0 };
  // a week in steps of six hours: reminders, escalations, breaches and pool returns fall due on the way
  for (let step = 0; step < 28; step++) {
    clock.advance('PT6H');
    for (;;) {
      const r = await worker.tick();
      total.fired += r.fired;
      total.noop += r.noop;
      total.rejected += r.rejected;
      total.failed += r.failed;
      if (r.claimed === 0) break;
    }
  }
  return total;
}

for (const kind of await storeKinds('test/bulk-worker-batches.test.ts')) {
  describe(`worker batches on ${kind.name}`, () => {
    it('firing 50 timers per transaction leaves what firing each in its own transaction leaves', async () => {
      const results: Array<{ counts: unknown; state: unknown[] }> = [];
      for (const perTx of [1, 50]) {
        const { storage, drop } = await kind.open();
        try {
          const { engine, clock } = engineOn(storage);
          const recordIds = await scenario(engine);
          const counts = await runWorker(engine, clock, perTx);
          results.push({ counts, state: await stateOf(storage, engine, recordIds) });
        } finally {
          await drop();
        }
      }
      const [single, batched] = results;
      expect(batched!.counts).toEqual(single!.counts);
      expect((single!.counts as { fired: number }).fired).toBeGreaterThan(20);
      expect(batched!.state).toEqual(single!.state);
      // the scenario met every kind of timer
      const kinds = new Set((single!.state.filter((_, i) => i % 3 === 2).flat() as Array<{ kind: string; status: string }>).filter((t) => t.status === 'done').map((t) => t.kind));
      expect([...kinds].sort()).toEqual(expect.arrayContaining(['breach', 'escalation', 'reminder', 'task']));
    });

    it('a timer whose lease was lost is reported lease-lost; the others of its batch fire', async () => {
      const { storage, drop } = await kind.open();
      try {
        const { engine, clock } = engineOn(storage);
        for (let i = 0; i < 6; i++) {
          const { record } = await engine.create('lead', { id: `c${i}`, fields: { name: `C ${i}` } }, { actor: engine.system });
          await engine.send(record.id, 'contact', { actor: engine.system });
        }
        clock.advance('P3D'); // reminders and breaches of every record are due
        const claimed = await storage.claimDueTimers({ now: clock.now().toISOString(), limit: 100, leaseMs: 1000, workerId: 'slow', tenantId: 'default' });
        const breaches = claimed.filter((t) => t.kind === 'breach');
        expect(breaches).toHaveLength(6);
        // the lease of one runs out and another worker takes that timer
        clock.advance('PT1M');
        const stolen = await storage.claimDueTimers({ now: clock.now().toISOString(), limit: 100, leaseMs: 60_000, workerId: 'fast', tenantId: 'default' });
        expect(stolen.length).toBeGreaterThan(0);
        const takenId = breaches[2]!.id;
        const taken = stolen.find((t) => t.id === takenId)!;
        // the fast worker gives back all but the one it fires
        const results = await engine.fireTimers(breaches, { workerId: 'slow' });
        expect(results.every((r) => r.outcome === 'lease-lost')).toBe(true);
        const fast = await engine.fireTimers([taken, ...stolen.filter((t) => t.kind === 'breach' && t.id !== takenId)], { workerId: 'fast' });
        expect(fast.map((r) => r.outcome)).toEqual(Array(6).fill('fired'));
        // and in a batch where one timer is no longer held (fired meanwhile), the others fire
        for (let i = 0; i < 4; i++) {
          const { record } = await engine.create('lead', { id: `d${i}`, fields: { name: `D ${i}` } }, { actor: engine.system });
          await engine.send(record.id, 'contact', { actor: engine.system });
        }
        clock.advance('P3D');
        const due = (await storage.claimDueTimers({ now: clock.now().toISOString(), limit: 100, leaseMs: 60_000, workerId: 'w1', tenantId: 'default' })).filter((t) => t.recordId.startsWith('d') && t.kind === 'breach');
        expect(due).toHaveLength(4);
        expect((await engine.fireTimer(due[1]!, { workerId: 'w1' })).outcome).toBe('fired');
        const mixed = await engine.fireTimers(due, { workerId: 'w1' });
        expect(mixed.map((r) => r.outcome)).toEqual(['fired', 'lease-lost', 'fired', 'fired']);
        for (const t of due) {
          const record = await storage.getRecord('default', t.recordId);
          expect(record?.stage).toBe('lost');
          // fired once: one breach transition in its history
          expect((await storage.listHistory('default', t.recordId)).filter((e) => e.event === 'stale')).toHaveLength(1);
        }
      } finally {
        await drop();
      }
    });
  });
}
