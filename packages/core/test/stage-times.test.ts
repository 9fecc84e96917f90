import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createEngine, createManualClock, createMemoryStorage, replay, stageTimesAt } from '@dealflow/core';
import { moveStageTimes } from '../src/stage-times/index.js';
import type { BlueprintInput, StageTimes } from '@dealflow/core';

const BP: BlueprintInput = {
  id: 'deal',
  version: 1,
  recordType: 'deal',
  initialStage: 'new',
  fields: { amount: { type: 'number' } },
  stages: [{ id: 'new' }, { id: 'negotiate' }, { id: 'review' }, { id: 'won', kind: 'won' }],
  transitions: [
    { event: 'propose', from: 'new', to: 'negotiate' },
    { event: 'review', from: 'negotiate', to: 'review' },
    { event: 'rework', from: 'review', to: 'negotiate' },
    // rules can read stage times: only deals that negotiated at least 2 hours in total may be won
    { event: 'win', from: 'review', to: 'won', guard: { '>=': [{ var: 'record.stageTimes.negotiate.cumulativeMs' }, 7_200_000] } },
  ],
};

const H = 3_600_000;

describe('stage-time properties', () => {
  it('the engine keeps entered / exited / latest / cumulative time and visits per stage', async () => {
    const clock = createManualClock('2026-03-02T09:00:00.000Z');
    const engine = createEngine({ storage: createMemoryStorage(), clock, blueprints: [BP] });
    const { record } = await engine.create('deal', { id: 'd' });
    expect(record.meta.stageTimes).toEqual({ new: { firstEnteredAt: '2026-03-02T09:00:00.000Z', enteredAt: '2026-03-02T09:00:00.000Z', exitedAt: null, latestMs: null, cumulativeMs: 0, visits: 1 } });
    clock.advance('PT1H');
    await engine.send('d', 'propose'); // negotiate from 10:00
    clock.advance('PT1H');
    await engine.send('d', 'review'); // 1h negotiating
    clock.advance('PT30M');
    expect((await engine.send('d', 'win')).ok).toBe(false); // 1h < 2h: the guard reads stage times
    await engine.send('d', 'rework'); // back to negotiate at 11:30
    clock.advance('PT90M');
    await engine.send('d', 'review'); // +1.5h negotiating, at 13:00
    const r = (await engine.get('d'))!;
    const t = r.meta.stageTimes as StageTimes;
    expect(t.negotiate).toEqual({ firstEnteredAt: '2026-03-02T10:00:00.000Z', enteredAt: '2026-03-02T11:30:00.000Z', exitedAt: '2026-03-02T13:00:00.000Z', latestMs: 1.5 * H, cumulativeMs: 2.5 * H, visits: 2 });
    expect(t.review).toMatchObject({ firstEnteredAt: '2026-03-02T11:00:00.000Z', enteredAt: '2026-03-02T13:00:00.000Z', latestMs: 0.5 * H, cumulativeMs: 0.5 * H, visits: 2 });
    expect(t.new).toMatchObject({ exitedAt: '2026-03-02T10:00:00.000Z', latestMs: H, cumulativeMs: H, visits: 1 });
    // history replays them exactly
    expect(replay(await engine.history('d'))).toEqual(r);
    // the ongoing stay is counted when read for a report
    const at = stageTimesAt(r, '2026-03-02T13:45:00.000Z');
    expect(at.review).toMatchObject({ current: true, currentMs: 0.75 * H, totalMs: 1.25 * H });
    expect(at.negotiate).toMatchObject({ current: false, currentMs: null, totalMs: 2.5 * H });
    // now 2.5h of negotiation: the guard lets it through
    expect((await engine.send('d', 'win')).ok).toBe(true);
  });

  it('property: cumulative times of all stages add up to the time since creation', () => {
    const stages = ['a', 'b', 'c'];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...stages), fc.integer({ min: 0, max: 10 * H })), { maxLength: 30 }), fc.integer({ min: 0, max: H }), (moves, tail) => {
        let t = Date.parse('2026-01-01T00:00:00.000Z');
        const start = t;
        let stage = 'a';
        let entered = new Date(t).toISOString();
        let times: StageTimes | undefined;
        for (const [to, wait] of moves) {
          t += wait;
          const at = new Date(t).toISOString();
          times = moveStageTimes(times, stage, to, at, entered);
          if (to !== stage) entered = at;
          stage = to;
        }
        const now = new Date(t + tail).toISOString();
        const view = stageTimesAt({ stage, stageEnteredAt: entered, meta: times ? { stageTimes: times } : {} }, now);
        const total = Object.values(view).reduce((s, v) => s + v.totalMs, 0);
        expect(total).toBe(t + tail - start);
        expect(Object.values(view).filter((v) => v.current).length).toBe(1);
      }),
    );
  });
});
