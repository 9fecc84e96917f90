import { describe, expect, it } from 'vitest';
import { createEngine, createManualClock, createMemoryStorage, lintBlueprint, replay } from '@dealflow/core';
import type { BlueprintInput } from '@dealflow/core';

const BP: BlueprintInput = {
  id: 'deal',
  version: 1,
  recordType: 'deal',
  initialStage: 'negotiate',
  stages: [
    { id: 'negotiate', deadline: { within: 'P5D', remindBefore: ['P1D'], onBreach: 'expire' } },
    { id: 'waiting', pause: true },
    { id: 'review', deadline: { within: 'P2D', onBreach: 'expire' } },
    { id: 'lost', kind: 'lost' },
    { id: 'won', kind: 'won' },
  ],
  transitions: [
    { event: 'wait', from: 'negotiate', to: 'waiting' },
    { event: 'resume', from: 'waiting', to: 'negotiate' },
    { event: 'review', from: ['waiting', 'negotiate'], to: 'review' },
    { event: 'win', from: ['negotiate', 'review'], to: 'won' },
    { event: 'expire', from: ['negotiate', 'review'], to: 'lost' },
  ],
};

const T0 = '2026-03-02T09:00:00.000Z';
const at = (days: number, hours = 0) => new Date(Date.parse(T0) + (days * 24 + hours) * 3_600_000).toISOString();

async function setup() {
  const clock = createManualClock(T0);
  const engine = createEngine({ storage: createMemoryStorage(), clock, blueprints: [BP] });
  await engine.create('deal', { id: 'd' });
  return { clock, engine };
}
const pending = async (engine: Awaited<ReturnType<typeof setup>>['engine']) => (await engine.timers('d', { status: ['pending'] })).map((t) => [t.kind, t.stage, t.dueAt]);

describe('pause stages', () => {
  it('waiting for the customer stops the deadline; returning resumes it with the time that was left', async () => {
    const { clock, engine } = await setup();
    expect(await pending(engine)).toEqual([['reminder', 'negotiate', at(4)], ['breach', 'negotiate', at(5)]]);
    clock.set(at(2));
    await engine.send('d', 'wait'); // 3 days left
    expect(await pending(engine)).toEqual([]); // the pause stage has no clock running
    clock.set(at(12));
    expect((await engine.runDue()).fired).toBe(0); // the old breach (day 5) did not fire while waiting
    await engine.send('d', 'resume');
    expect(await pending(engine)).toEqual([['reminder', 'negotiate', at(14)], ['breach', 'negotiate', at(15)]]);
    clock.set(at(14, 23));
    await engine.runDue();
    expect((await engine.get('d'))!.stage).toBe('negotiate');
    clock.set(at(15, 1));
    await engine.runDue();
    expect((await engine.get('d'))!.stage).toBe('lost');
    const r = (await engine.get('d'))!;
    expect(replay(await engine.history('d'))).toEqual(r);
  });

  it('the stopped clock is dropped when the record leaves the pause stage for another stage', async () => {
    const { clock, engine } = await setup();
    clock.set(at(1));
    await engine.send('d', 'wait');
    expect((await engine.get('d'))!.meta.pausedClocks).toEqual({ negotiate: { remainingMs: 4 * 24 * 3_600_000, businessTime: null, pausedAt: at(1) } });
    clock.set(at(3));
    await engine.send('d', 'review');
    expect((await engine.get('d'))!.meta.pausedClocks).toBeUndefined();
    expect(await pending(engine)).toEqual([['breach', 'review', at(5)]]); // review's own clock from entry
  });

  it('a stage left without a running deadline resumes with a fresh one', async () => {
    const { clock, engine } = await setup();
    clock.set(at(6)); // past the breach, but not fired: record still in negotiate, breach pending
    await engine.runDue(at(0, 1)); // nothing due yet at day 0 + 1h
    await engine.send('d', 'wait'); // 0 left: resumes overdue
    clock.set(at(8));
    await engine.send('d', 'resume');
    expect(await pending(engine)).toEqual([['breach', 'negotiate', at(8)]]);
  });

  it('lint does not ask a pause stage for a deadline', () => {
    expect(lintBlueprint(BP).map((f) => f.code)).toEqual([]);
  });
});
