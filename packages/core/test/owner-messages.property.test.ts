/**
 * Property: whatever sequence of sales operations runs (claims, assignments, returns to the pool,
 * handovers, activities, tasks, some of them refused), the outbox holds exactly one
 * `dealflow.assigned` per history event that changed a record's owner, and replaying those messages
 * in order yields each record's current owner.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createEngine, createManualClock, createMemoryDirectory, createMemoryStorage, replay } from '../src/index.js';
import type { BlueprintInput, SalesRulesInput } from '../src/index.js';

const lead: BlueprintInput = {
  id: 'lead', version: 1, recordType: 'lead', initialStage: 'new',
  fields: { name: { type: 'string' } },
  stages: [{ id: 'new', kind: 'open' }, { id: 'lost', kind: 'lost' }],
  transitions: [{ event: 'lose', from: 'new', to: 'lost' }],
};
const rules: SalesRulesInput = { assignment: { rules: [{ id: 'pool', assign: { strategy: 'pool', pool: 'p' } }] } };
const REPS = ['ann', 'bob', 'cat'] as const;

const op = fc.oneof(
  fc.record({ kind: fc.constant('claim' as const), record: fc.nat(3), rep: fc.constantFrom(...REPS) }),
  fc.record({ kind: fc.constant('assign' as const), record: fc.nat(3), rep: fc.constantFrom(...REPS) }),
  fc.record({ kind: fc.constant('return' as const), record: fc.nat(3), rep: fc.constantFrom(...REPS) }),
  fc.record({ kind: fc.constant('handover' as const), record: fc.nat(3), rep: fc.constantFrom(...REPS) }),
  fc.record({ kind: fc.constant('activity' as const), record: fc.nat(3), rep: fc.constantFrom(...REPS) }),
  fc.record({ kind: fc.constant('task' as const), record: fc.nat(3), rep: fc.constantFrom(...REPS) }),
);

describe('owner-change messages (property)', () => {
  test('one dealflow.assigned per owner change, and they replay to every current owner', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
        const storage = createMemoryStorage();
        const directory = createMemoryDirectory({
          reps: [{ id: 'mia', roles: ['manager'] }, ...REPS.map((id) => ({ id, managerId: 'mia', roles: ['rep'] }))],
          teams: [{ id: 'east', managerId: 'mia', memberIds: [...REPS] }],
        });
        const engine = createEngine({ storage, blueprints: [lead], clock: createManualClock('2026-01-05T09:00:00.000Z'), rules, directory });
        const ids: string[] = [];
        for (let i = 0; i < 4; i++) ids.push((await engine.create('lead', { fields: { name: `L${i}` } }, { actor: engine.system })).record.id);
        for (const o of ops) {
          const id = ids[o.record]!;
          const run = async () => {
            if (o.kind === 'claim') await engine.claim(id, { actor: { id: o.rep } });
            else if (o.kind === 'assign') await engine.assign(id, { to: o.rep }, { actor: { id: 'mia' } });
            else if (o.kind === 'return') await engine.returnToPool(id, {}, { actor: engine.system });
            else if (o.kind === 'handover') await engine.handover(o.rep, { to: REPS[(REPS.indexOf(o.rep) + 1) % REPS.length]! }, { actor: { id: 'mia' } });
            else if (o.kind === 'activity') await engine.logActivity(id, { type: 'call' }, { actor: { id: o.rep } });
            else await engine.addTask(id, { title: 'call back', dueAt: '2026-01-06T09:00:00.000Z' }, { actor: { id: o.rep } });
          };
          await run().catch((e: unknown) => {
            // refusals (a claim of an owned record, a return of a pooled one) are part of the game; they write nothing
            if (!(e instanceof Error) || !['CONFLICT', 'FORBIDDEN', 'REJECTED', 'INPUT_INVALID'].includes((e as { code?: string }).code ?? '')) throw e;
          });
        }
        const messages = (await storage.readOutbox({ limit: 10_000 })).filter((m) => m.type === 'dealflow.assigned');
        const owners = new Map<string, string | null>(ids.map((id) => [id, null]));
        let changes = 0;
        for (const id of ids) {
          const history = await engine.history(id, { actor: engine.system });
          // the owner after each event, by replaying history: an event that changed it has a message
          for (let i = 1; i < history.length; i++) {
            const before = replay(history.slice(0, i)).ownerId;
            const after = replay(history.slice(0, i + 1)).ownerId;
            const written = messages.filter((m) => m.id === `${history[i]!.id}:assigned`);
            expect(written).toHaveLength(before === after ? 0 : 1);
            if (before !== after) {
              changes++;
              expect(written[0]!.payload).toMatchObject({ recordId: id, ownerId: after, previousOwnerId: before });
            }
          }
        }
        expect(messages).toHaveLength(changes);
        for (const m of messages) owners.set(m.recordId!, m.payload.ownerId as string | null);
        for (const id of ids) expect(owners.get(id)).toBe((await engine.get(id, { actor: engine.system }))!.ownerId);
      }),
      { numRuns: 40 },
    );
  });
});
