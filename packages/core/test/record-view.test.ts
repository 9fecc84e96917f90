import { describe, expect, it } from 'vitest';
import { createEngine, createManualClock, createMemoryDirectory, createMemoryStorage, defineBlueprint } from '@dealflow/core';
import { metaFacts } from '../src/assignment/context.js';
import type { EnginePlugin } from '@dealflow/core';

// Guards read the engine-kept facts under `record` (score, last activity, pool), the same view the
// sales rules read, so a blueprint can say "only hot deals may skip ahead".
const deal = defineBlueprint({
  id: 'view-deal',
  version: 1,
  recordType: 'deal',
  initialStage: 'open',
  fields: { points: { type: 'number' } },
  stages: [
    { id: 'open', kind: 'open' },
    { id: 'fast', kind: 'open' },
    { id: 'followed', kind: 'open' },
    { id: 'won', kind: 'won' },
  ],
  transitions: [
    { event: 'fastTrack', from: 'open', to: 'fast', guard: { '>=': [{ var: 'record.score' }, 50] } },
    { event: 'followUp', from: 'open', to: 'followed', guard: { '!!': [{ var: 'record.lastActivityAt' }] } },
    { event: 'win', from: ['fast', 'followed'], to: 'won' },
  ],
});

/** A stand-in for `@dealflow/scoring`'s plugin: score = points × 10. */
const score: EnginePlugin = {
  name: 'score',
  beforeCommit({ after }) {
    after.meta = { ...after.meta, score: Number(after.fields.points ?? 0) * 10 };
  },
};

const ctx = { actor: { id: 'ann' } };

describe('the record view rules read', () => {
  it('lets a guard read the score a plugin keeps in meta', async () => {
    const engine = createEngine({ storage: createMemoryStorage(), blueprints: [deal], plugins: [score] });
    const cold = (await engine.create('deal', { fields: { points: 2 } }, ctx)).record;
    const hot = (await engine.create('deal', { fields: { points: 7 } }, ctx)).record;

    const rejected = await engine.send(cold.id, 'fastTrack', ctx);
    expect(rejected.ok).toBe(false);
    if (!rejected.ok) expect(rejected.rejection.reason).toBe('guard');
    const accepted = await engine.send(hot.id, 'fastTrack', ctx);
    expect(accepted.ok && accepted.record.stage).toBe('fast');
  });

  it('lets a guard read the last activity time the engine keeps', async () => {
    const clock = createManualClock('2026-03-02T09:00:00.000Z');
    const engine = createEngine({
      storage: createMemoryStorage(),
      blueprints: [deal],
      clock,
      rules: { assignment: { rules: [{ id: 'default', assign: { strategy: 'owner', owner: 'ann' } }] } },
      directory: createMemoryDirectory({ reps: [{ id: 'ann' }] }),
    });
    const { record } = await engine.create('deal', { fields: {} }, ctx);

    expect((await engine.send(record.id, 'followUp', ctx)).ok).toBe(false);
    await engine.logActivity(record.id, { type: 'call', subject: 'intro' }, ctx);
    const moved = await engine.send(record.id, 'followUp', ctx);
    expect(moved.ok && moved.record.stage).toBe('followed');
  });

  it('derives the facts from meta', () => {
    expect(metaFacts({ score: 40, winProbability: 0.3, lastActivityAt: '2026-01-01T00:00:00.000Z', pool: { poolId: 'eu' }, reassignments: 2, escalations: { idle: { basis: 'x', level: 1, at: '2026-01-02T00:00:00.000Z' } } }, null)).toEqual({
      score: 40,
      winProbability: 0.3,
      lastActivityAt: '2026-01-01T00:00:00.000Z',
      priority: null,
      inPool: true,
      reassignments: 2,
      escalations: { idle: { level: 1, at: '2026-01-02T00:00:00.000Z' } },
    });
    // an owned record is not in the pool, and non-numeric scores are not scores
    expect(metaFacts({ score: 'high', pool: { poolId: 'eu' } }, 'ann')).toMatchObject({ score: null, inPool: false });
  });
});
