import { describe, expect, it } from 'vitest';
import { createEngine, createManualClock, createMemoryStorage, defineBlueprint, type CalendarDefinition, type TimeRange } from '@dealflow/core';
import { badgeBlueprint, createMotivation, createQuotaBook, quotaBlueprint, type MotivationRule, type StageInfo } from '../src/index.js';

const deal = defineBlueprint({
  id: 'deal', version: 1, recordType: 'deal', initialStage: 'new',
  fields: { amount: { type: 'number' } },
  stages: [{ id: 'new', kind: 'open' }, { id: 'won', kind: 'won' }, { id: 'lost', kind: 'lost' }],
  transitions: [{ event: 'win', from: 'new', to: 'won' }, { event: 'lose', from: 'new', to: 'lost' }],
});
const stages: StageInfo[] = [{ id: 'new', kind: 'open' }, { id: 'won', kind: 'won' }, { id: 'lost', kind: 'lost' }];

function setup() {
  // Monday 2026-03-02, 09:00 UTC
  const clock = createManualClock('2026-03-02T09:00:00.000Z');
  const engine = createEngine({ storage: createMemoryStorage(), blueprints: [deal, defineBlueprint(quotaBlueprint), defineBlueprint(badgeBlueprint)], clock, rules: {} });
  return { clock, engine };
}

const rules: MotivationRule[] = [
  { id: 'caller', badge: 'Phone warrior', kind: 'streak', metric: 'activity.call', perDay: 10, days: 5 },
  { id: 'big-one', badge: 'First ¥100 000 deal', kind: 'first', metric: 'deal.won', over: 100_000 },
  { id: 'march-closer', badge: 'March: ¥150 000 won', kind: 'total', metric: 'deal.won', sum: true, atLeast: 150_000, period: { from: '2026-03-01', to: '2026-04-01' } },
  { id: 'march-top', badge: 'Top closer of March', kind: 'contest', metric: 'deal.won', sum: true, top: 1, period: { from: '2026-03-01', to: '2026-04-01' } },
];

describe('motivation: targets and contests award badges once, with events and history', () => {
  it('"10 calls a day for 5 working days": a weekend does not break the run, a short day does', async () => {
    const { clock, engine } = setup();
    const lead = (await engine.create('deal', { ownerId: 'ann' }, { actor: { id: 'ann' } })).record;
    const calls = async (who: string, n: number) => {
      for (let i = 0; i < n; i++) await engine.logActivity(lead.id, { type: 'call' }, { actor: { id: who } });
    };
    // ann: Wed, Thu, Fri 10 calls; weekend nothing; Mon 10, Tue 10 → 5 working days in a row.
    // bob: 10 a day but only 9 on Thursday → his run restarts and never reaches 5.
    clock.advance('P2D');
    for (const [d, bob] of [[0, 10], [1, 9], [2, 10], [5, 10], [6, 10]] as const) {
      if (d > 0) clock.set(new Date(Date.UTC(2026, 2, 4 + d, 9)).toISOString());
      await calls('ann', 10);
      await calls('bob', bob);
    }
    const m = createMotivation({ engine, rules: [rules[0]!], stages });
    const heard: string[] = [];
    m.onAward((b) => heard.push(`${b.rep}:${b.badge}`));
    const first = await m.evaluate();
    expect(first.map((b) => [b.rep, b.badge, b.achievedAt.slice(0, 10)])).toEqual([['ann', 'Phone warrior', '2026-03-10']]);
    expect(heard).toEqual(['ann:Phone warrior']);
    // Once: evaluating again (or in another process) awards nothing new.
    expect(await m.evaluate()).toEqual([]);
    expect(await createMotivation({ engine, rules: [rules[0]!], stages }).evaluate()).toEqual([]);
    expect(heard).toHaveLength(1);
    // The award is a record with its history: who, which rule, when.
    const badges = await m.badges({ rep: 'ann' });
    expect(badges).toHaveLength(1);
    const history = await engine.history('badge:caller:ann');
    expect(history.map((e) => e.kind)).toEqual(['created']);
    expect(await m.badges({ rep: 'bob' })).toEqual([]);
  });

  it('"first deal over ¥100 000", a period target and a contest decided at the period end', async () => {
    const { clock, engine } = setup();
    const win = async (who: string, amount: number) => {
      const d = (await engine.create('deal', { ownerId: who, fields: { amount } }, { actor: { id: who } })).record;
      await engine.send(d.id, 'win', { actor: { id: who } });
    };
    await win('ann', 90_000);
    clock.advance('P1D');
    await win('bob', 120_000); // bob's first deal over 100 000
    clock.advance('P1D');
    await win('ann', 100_000); // not over 100 000
    await win('ann', 100_001); // ann's first deal over 100 000; ann's March total 290 001
    const m = createMotivation({ engine, rules, stages });
    const now = await m.evaluate();
    expect(now.map((b) => `${b.rule}:${b.rep}`).sort()).toEqual(['big-one:ann', 'big-one:bob', 'march-closer:ann']);
    expect(now.find((b) => b.rule === 'big-one' && b.rep === 'ann')!.value).toBe(100_001);
    // The contest is decided when March is over, once.
    clock.set('2026-04-01T08:00:00.000Z');
    expect((await m.evaluate()).map((b) => `${b.rule}:${b.rep}`)).toEqual(['march-top:ann']);
    expect(await m.evaluate()).toEqual([]);
    const board = await m.leaderboard({ metric: 'deal.won', sum: true, period: { from: '2026-03-01', to: '2026-04-01' } });
    expect(board).toEqual([{ rank: 1, rep: 'ann', total: 290_001 }, { rank: 2, rep: 'bob', total: 120_000 }]);
    const byCount = await m.leaderboard({ metric: 'deal.won', period: { from: '2026-03-03', to: '2026-04-01' } });
    expect(byCount).toEqual([{ rank: 1, rep: 'ann', total: 2 }, { rank: 2, rep: 'bob', total: 1 }]);
  });

  it('two evaluations at the same time (two processes) award each badge once, heard once', async () => {
    const { clock, engine } = setup();
    const d = (await engine.create('deal', { ownerId: 'ann', fields: { amount: 150_000 } }, { actor: { id: 'ann' } })).record;
    await engine.send(d.id, 'win', { actor: { id: 'ann' } });
    const a = createMotivation({ engine, rules, stages });
    const b = createMotivation({ engine, rules, stages });
    const heard: string[] = [];
    a.onAward((x) => heard.push(`a:${x.rule}:${x.rep}`));
    b.onAward((x) => heard.push(`b:${x.rule}:${x.rep}`));
    const [ra, rb] = await Promise.all([a.evaluate(), b.evaluate()]);
    const won = [...ra, ...rb].map((x) => `${x.rule}:${x.rep}`).sort();
    expect(won).toEqual(['big-one:ann', 'march-closer:ann']);
    expect(heard).toHaveLength(2);
    expect((await engine.query({ type: 'dealflow.badge' })).map((r) => r.id).sort()).toEqual(['badge:big-one:ann', 'badge:march-closer:ann']);
    // re-runs, in parallel again: nothing more
    expect((await Promise.all([a.evaluate(), b.evaluate(), a.evaluate()])).flat()).toEqual([]);
    expect(heard).toHaveLength(2);
    // the contest, decided when March is over, by three evaluations at once: awarded once
    clock.set('2026-04-01T08:00:00.000Z');
    const decided = (await Promise.all([a.evaluate(), b.evaluate(), createMotivation({ engine, rules, stages }).evaluate()])).flat();
    expect(decided.map((x) => `${x.rule}:${x.rep}`)).toEqual(['march-top:ann']);
    expect(heard.filter((h) => h.endsWith('march-top:ann'))).toHaveLength(1);
    expect((await engine.history('badge:march-top:ann')).map((e) => e.kind)).toEqual(['created']);
  });

  it('streaks count the working days of a business calendar: time zone, holidays, make-up days', async () => {
    const { clock, engine } = setup();
    const lead = (await engine.create('deal', { ownerId: 'ann' }, { actor: { id: 'ann' } })).record;
    const callsAt = async (iso: string, who: string, n: number) => {
      clock.set(iso);
      for (let i = 0; i < n; i++) await engine.logActivity(lead.id, { type: 'call' }, { actor: { id: who } });
    };
    // Shanghai (UTC+8). Local working days Mon 2026-03-09 … with Wed 03-11 a holiday and
    // Sat 03-14 a make-up working day (调休).
    const day: TimeRange[] = [['09:00', '18:00']];
    const shanghai: CalendarDefinition = {
      id: 'cn', timeZone: 'Asia/Shanghai',
      workingHours: { mon: day, tue: day, wed: day, thu: day, fri: day },
      holidays: ['2026-03-11'], workdays: ['2026-03-14'],
    };
    // ann: Mon, Tue, (holiday), Thu, Fri, Sat (make-up) → 5 working days in a row. Her Thursday
    // calls are made at 2026-03-11T17:00Z = Thursday 01:00 in Shanghai (Wednesday in UTC).
    await callsAt('2026-03-09T02:00:00.000Z', 'ann', 10);
    await callsAt('2026-03-10T02:00:00.000Z', 'ann', 10);
    await callsAt('2026-03-11T17:00:00.000Z', 'ann', 10);
    await callsAt('2026-03-13T02:00:00.000Z', 'ann', 10);
    // bob: the same days, but nothing on the make-up Saturday → the run breaks at 4
    await callsAt('2026-03-09T03:00:00.000Z', 'bob', 10);
    await callsAt('2026-03-10T03:00:00.000Z', 'bob', 10);
    await callsAt('2026-03-12T03:00:00.000Z', 'bob', 10);
    await callsAt('2026-03-13T03:00:00.000Z', 'bob', 10);
    await callsAt('2026-03-14T02:00:00.000Z', 'ann', 10);
    await callsAt('2026-03-16T03:00:00.000Z', 'bob', 10);
    const m = createMotivation({ engine, rules: [rules[0]!], stages, calendar: shanghai });
    const got = await m.evaluate();
    expect(got.map((b) => [b.rep, b.achievedAt])).toEqual([['ann', '2026-03-14T02:00:00.000Z']]);
    // On UTC weekdays instead, ann's "Thursday" calls fall on Wednesday, Thursday has none and
    // Saturday is a weekend: the same calls make no 5-day run.
    const utc = createMotivation({ engine, rules: [{ ...rules[0]!, id: 'caller-utc' }], stages });
    expect(await utc.evaluate()).toEqual([]);
  });

  it('reads the store in pages and, on later runs, only the history of records that changed', async () => {
    const storage = createMemoryStorage();
    const reads: string[] = [];
    const counted = new Proxy(storage, {
      get(target, key, receiver) {
        if (key === 'listHistory') return (tenant: string, id: string, o?: { afterSeq?: number }) => (reads.push(id), target.listHistory(tenant, id, o));
        return Reflect.get(target, key, receiver);
      },
    });
    const clock = createManualClock('2026-03-02T09:00:00.000Z');
    const engine = createEngine({ storage: counted, blueprints: [deal, defineBlueprint(badgeBlueprint)], clock, rules: {} });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await engine.create('deal', { ownerId: 'ann', fields: { amount: 1000 } }, { actor: { id: 'ann' } })).record.id);
    const m = createMotivation({ engine, rules: [rules[2]!], stages });
    await m.evaluate();
    expect(new Set(reads)).toEqual(new Set(ids));
    reads.length = 0;
    await m.evaluate();
    expect(reads).toEqual([]);
    await engine.send(ids[3]!, 'win', { actor: { id: 'ann' } });
    await m.evaluate();
    expect(reads).toEqual([ids[3]]);
    const board = await m.leaderboard({ metric: 'deal.won', sum: true, period: { from: '2026-03-01', to: '2026-04-01' } });
    expect(board).toEqual([{ rank: 1, rep: 'ann', total: 1000 }]);
  });

  it('rejects bad rules whole, naming the rule path', () => {
    const { engine } = setup();
    expect(() => createMotivation({ engine, stages, rules: [{ id: 'x', badge: 'B', kind: 'streak', metric: 'activity.call', perDay: 0, days: 5 }] })).toThrowError(/rules\[0\]\.perDay/);
    expect(() => createMotivation({ engine, stages, rules: [rules[1]!, { ...rules[1]! }] })).toThrowError(/duplicate rule id 'big-one'/);
  });
});

describe('quotas stored as engine records', () => {
  it('sets, changes (with history) and lists quotas per rep, team and period', async () => {
    const { engine } = setup();
    const quotas = createQuotaBook({ engine });
    await quotas.set({ scope: 'rep', subject: 'ann', period: '2026-Q1', metric: 'value', amount: 250_000 }, { actor: { id: 'boss' } });
    await quotas.set({ scope: 'team', subject: 'east', period: '2026-Q1', metric: 'count', amount: 40 });
    await quotas.set({ scope: 'rep', subject: 'ann', period: '2026-Q1', metric: 'value', amount: 300_000 }, { actor: { id: 'boss' } });
    await quotas.set({ scope: 'rep', subject: 'ann', period: '2026-Q2', metric: 'value', amount: 1 });
    expect(await quotas.get({ scope: 'rep', subject: 'ann', period: '2026-Q1', metric: 'value' })).toMatchObject({ amount: 300_000 });
    expect((await quotas.list({ period: '2026-Q1' })).map((q) => `${q.scope}:${q.subject}:${q.amount}`).sort()).toEqual(['rep:ann:300000', 'team:east:40']);
    const h = await engine.history('quota:rep:value:2026-Q1:ann');
    expect(h.map((e) => [e.kind, e.actorId])).toEqual([['created', 'boss'], ['transition', 'boss']]);
    await expect(quotas.set({ scope: 'rep', subject: 'ann', period: '2026-Q5', metric: 'value', amount: 1 })).rejects.toThrowError(/period/);
    await expect(quotas.set({ scope: 'rep', subject: 'ann', period: '2026-Q1', metric: 'value', amount: -1 })).rejects.toThrowError(/amount/);
  });
});
