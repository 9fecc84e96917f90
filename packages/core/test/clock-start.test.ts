import { describe, expect, it } from 'vitest';
import { createEngine, createManualClock, createMemoryStorage } from '@dealflow/core';
import type { BlueprintInput, CalendarSpec } from '@dealflow/core';

const T0 = '2026-03-02T09:00:00.000Z';
const at = (days: number, hours = 0) => new Date(Date.parse(T0) + (days * 24 + hours) * 3_600_000).toISOString();

function blueprint(deadline: Record<string, unknown>): BlueprintInput {
  return {
    id: 'lead',
    version: 1,
    recordType: 'lead',
    initialStage: 'open',
    fields: { note: { type: 'string' } },
    stages: [{ id: 'open', deadline: { within: 'P2D', onBreach: 'expire', ...deadline } }, { id: 'lost', kind: 'lost' }, { id: 'won', kind: 'won' }],
    transitions: [
      { event: 'touch', from: 'open', to: 'open' },
      { event: 'win', from: 'open', to: 'won' },
      { event: 'expire', from: 'open', to: 'lost' },
    ],
  };
}

async function setup(deadline: Record<string, unknown>) {
  const clock = createManualClock(T0);
  const engine = createEngine({ storage: createMemoryStorage(), clock, blueprints: [blueprint(deadline)], rules: {} });
  await engine.create('lead', { id: 'l' });
  return { clock, engine };
}

describe('deadline clock start options', () => {
  it('stageEntry (default): changes in the stage do not move the deadline', async () => {
    const { clock, engine } = await setup({});
    clock.set(at(1));
    await engine.send('l', { type: 'touch', fields: { note: 'called' } });
    clock.set(at(2, 1));
    await engine.runDue();
    expect((await engine.get('l'))!.stage).toBe('lost');
  });

  it('lastModified: each change in the stage restarts the clock; reminders do not count as changes', async () => {
    const { clock, engine } = await setup({ clockStart: 'lastModified', remindBefore: ['PT12H'] });
    clock.set(at(1));
    await engine.send('l', { type: 'touch', fields: { note: 'called' } });
    clock.set(at(2, 1)); // the original breach (day 2) is due, but the clock restarted on day 1
    const first = await engine.runDue();
    expect(first.fired).toBe(0);
    expect((await engine.get('l'))!.stage).toBe('open');
    const moved = (await engine.timers('l', { status: ['pending'] })).map((t) => [t.kind, t.dueAt]);
    expect(moved).toEqual([['reminder', at(2, 12)], ['breach', at(3)]]);
    clock.set(at(2, 13));
    await engine.runDue(); // the reminder fires (a system update, not a modification)
    expect((await engine.get('l'))!.stage).toBe('open');
    clock.set(at(3, 1));
    await engine.runDue();
    expect((await engine.get('l'))!.stage).toBe('lost');
  });

  it('lastModified: a logged activity restarts the clock too', async () => {
    const { clock, engine } = await setup({ clockStart: 'lastModified' });
    clock.set(at(1, 12));
    await engine.logActivity('l', { type: 'call' }, { actor: { id: 'ann' } });
    clock.set(at(2, 1));
    await engine.runDue();
    expect((await engine.get('l'))!.stage).toBe('open');
    clock.set(at(3, 13));
    await engine.runDue();
    expect((await engine.get('l'))!.stage).toBe('lost');
  });

  it('stopAt firstActivity: the first logged activity stops the clock (first-response SLA)', async () => {
    const { clock, engine } = await setup({ stopAt: 'firstActivity', remindBefore: ['PT6H'] });
    clock.set(at(1));
    await engine.logActivity('l', { type: 'email' }, { actor: { id: 'ann' } });
    clock.set(at(10));
    const run = await engine.runDue();
    expect(run.fired).toBe(0);
    expect((await engine.get('l'))!.stage).toBe('open');
    expect(await engine.timers('l', { status: ['pending', 'claimed'] })).toEqual([]);
    const outcomes = (await engine.timers('l')).map((t) => t.outcome);
    expect(outcomes).toContain('noop:clock-stopped');
  });

  it('stopAt firstActivity: without activity the breach fires', async () => {
    const { clock, engine } = await setup({ stopAt: 'firstActivity' });
    clock.set(at(2, 1));
    await engine.runDue();
    expect((await engine.get('l'))!.stage).toBe('lost');
  });
});

describe('deadlines on business calendars (engine level)', () => {
  const berlin: CalendarSpec = { id: 'berlin', timeZone: 'Europe/Berlin', workingHours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] } };
  // a fictitious holiday week with a make-up working Saturday (调休)
  const shanghai: CalendarSpec = {
    id: 'shanghai',
    timeZone: 'Asia/Shanghai',
    workingHours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
    holidays: ['2026-05-04', '2026-05-05', '2026-05-06', '2026-05-07', '2026-05-08'],
    workdays: ['2026-05-09'],
  };
  const bp = (cal: string, within: string, remindBefore?: string[]): BlueprintInput => ({
    id: 'case', version: 1, recordType: 'case', initialStage: 'open',
    stages: [{ id: 'open', deadline: { within, businessTime: cal, onBreach: 'expire', ...(remindBefore ? { remindBefore } : {}) } }, { id: 'lost', kind: 'lost' }],
    transitions: [{ event: 'expire', from: 'open', to: 'lost' }],
  });

  it('across the spring DST change: Friday 16:00 CET + 4 working hours = Monday 12:00 CEST', async () => {
    const clock = createManualClock('2026-03-27T15:00:00.000Z'); // Fri 16:00 CET
    const engine = createEngine({ storage: createMemoryStorage(), clock, blueprints: [bp('berlin', 'PT4H')], calendars: [berlin] });
    await engine.create('case', { id: 'c' });
    const [breach] = await engine.timers('c');
    expect(breach!.dueAt).toBe('2026-03-30T10:00:00.000Z'); // 12:00 CEST = 10:00 UTC
  });

  it('across a holiday week and a make-up Saturday: the Saturday counts, the holidays do not', async () => {
    const clock = createManualClock('2026-05-01T08:00:00.000Z'); // Fri 16:00 in Shanghai
    const engine = createEngine({ storage: createMemoryStorage(), clock, blueprints: [bp('shanghai', 'PT16H', ['PT8H'])], calendars: [shanghai] });
    await engine.create('case', { id: 'c' });
    const timers = Object.fromEntries((await engine.timers('c')).map((t) => [t.kind, t.dueAt]));
    // Fri 16-17 (1h), holidays Mon–Fri, Sat 9 May 09-17 (8h), Mon 11 May 09-16 (7h)
    expect(timers.breach).toBe('2026-05-11T08:00:00.000Z');
    // 8 working hours before: Mon 09-16 (7h) + Sat 16-17 (1h) → Sat 16:00
    expect(timers.reminder).toBe('2026-05-09T08:00:00.000Z');
    clock.set('2026-05-11T08:00:01.000Z');
    await engine.runDue();
    expect((await engine.get('c'))!.stage).toBe('lost');
  });
});
