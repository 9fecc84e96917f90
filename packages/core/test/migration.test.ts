import { describe, expect, it } from 'vitest';
import { createEngine, createManualClock, createMemoryStorage, defineBlueprint, isDealflowError, migrateRecords, planMigration, previewMigration, replay } from '@dealflow/core';
import type { BlueprintInput, DeadlinePolicy, Engine } from '@dealflow/core';

const V1: BlueprintInput = {
  id: 'deal',
  version: 1,
  recordType: 'deal',
  initialStage: 'new',
  fields: { amount: { type: 'number' }, budgetApproved: { type: 'boolean' } },
  stages: [
    { id: 'new', deadline: { within: 'P2D', remindBefore: ['P1D'], onBreach: 'expire' } },
    { id: 'qualify', deadline: { within: 'P5D', onBreach: 'expire' } },
    { id: 'negotiate', deadline: { within: 'P10D', onBreach: 'expire' } },
    { id: 'won', kind: 'won' },
    { id: 'lost', kind: 'lost' },
  ],
  transitions: [
    { event: 'qualify', from: 'new', to: 'qualify' },
    { event: 'propose', from: 'qualify', to: 'negotiate' },
    { event: 'win', from: 'negotiate', to: 'won' },
    { event: 'expire', from: '*', to: 'lost' },
  ],
};

const V2: BlueprintInput = {
  ...V1,
  version: 2,
  fields: { amount: { type: 'number' }, budgetApproved: { type: 'boolean', requiredIn: ['negotiate_large'] } },
  stages: [
    { id: 'new', deadline: { within: 'P1D', onBreach: 'expire' } },
    { id: 'discovery', deadline: { within: 'P5D', onBreach: 'expire' } },
    { id: 'negotiate_small', deadline: { within: 'P10D', onBreach: 'expire' } },
    { id: 'negotiate_large', deadline: { within: 'P20D', onBreach: 'expire' } },
    { id: 'won', kind: 'won' },
    { id: 'lost', kind: 'lost' },
  ],
  transitions: [
    { event: 'qualify', from: 'new', to: 'discovery' },
    { event: 'propose', from: 'discovery', to: 'negotiate_small' },
    { event: 'proposeLarge', from: 'discovery', to: 'negotiate_large' },
    { event: 'win', from: ['negotiate_small', 'negotiate_large'], to: 'won' },
    { event: 'expire', from: '*', to: 'lost' },
  ],
};

const SPLIT = { rule: { if: [{ '>': [{ var: 'fields.amount' }, 50000] }, 'negotiate_large', 'negotiate_small'] } };
const T0 = '2026-03-02T09:00:00.000Z';
const hours = (iso: string, h: number) => new Date(Date.parse(iso) + h * 3_600_000).toISOString();

/** An engine that first knows only v1; records are created and moved on v1; then v2 is published. */
async function setup() {
  const storage = createMemoryStorage();
  const clock = createManualClock(T0);
  const e1 = createEngine({ storage, clock, blueprints: [V1] });
  const ids: Record<string, string> = {};
  ids.fresh = (await e1.create('deal', { id: 'fresh', fields: { amount: 100 } })).record.id;
  clock.set(hours(T0, 1));
  ids.q = (await e1.create('deal', { id: 'q', fields: { amount: 200 } })).record.id;
  await e1.send('q', 'qualify');
  ids.small = (await e1.create('deal', { id: 'small', fields: { amount: 1000 } })).record.id;
  await e1.send('small', 'qualify');
  await e1.send('small', 'propose');
  ids.large = (await e1.create('deal', { id: 'large', fields: { amount: 90000, budgetApproved: true } })).record.id;
  await e1.send('large', 'qualify');
  await e1.send('large', 'propose');
  ids.lacking = (await e1.create('deal', { id: 'lacking', fields: { amount: 80000 } })).record.id;
  await e1.send('lacking', 'qualify');
  await e1.send('lacking', 'propose');
  ids.done = (await e1.create('deal', { id: 'done', fields: { amount: 5 } })).record.id;
  await e1.send('done', 'qualify');
  await e1.send('done', 'propose');
  await e1.send('done', 'win');
  clock.set(hours(T0, 10));
  const engine = createEngine({ storage, clock, blueprints: [defineBlueprint(V1), defineBlueprint(V2)] });
  return { storage, clock, engine, e1 };
}

const breachOf = async (engine: Engine, id: string) => (await engine.timers(id, { status: ['pending'] })).filter((t) => t.kind === 'breach');

describe('versioned blueprints', () => {
  it('publishing v2 does not change running records; new records start on v2', async () => {
    const { engine } = await setup();
    expect((await engine.get('q'))!).toMatchObject({ blueprintVersion: 1, stage: 'qualify' });
    const res = await engine.send('fresh', 'qualify'); // v1 transition: to 'qualify', not 'discovery'
    expect(res.ok && res.to).toBe('qualify');
    const created = await engine.create('deal', { id: 'n2' });
    expect(created.record.blueprintVersion).toBe(2);
    expect((await breachOf(engine, 'n2'))[0]!.dueAt).toBe(hours(hours(T0, 10), 24)); // v2's P1D
  });
});

describe('planMigration', () => {
  const from = defineBlueprint(V1);
  const to = defineBlueprint(V2);
  const fail = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      if (isDealflowError(e, 'MIGRATION_INVALID')) return e;
      throw e;
    }
    throw new Error('expected MIGRATION_INVALID');
  };

  it('rejects unmapped and unknown stages, bad policies, wrong blueprint or version, listing every problem', () => {
    const e = fail(() => planMigration(from, to, { stageMap: { negotiate: 'negotiation', ghost: 'new' }, deadlinePolicy: { '*': 'forever' as DeadlinePolicy, won: 'restart', nope: 'restart' } }));
    const paths = e.problems.map((p) => p.path).sort();
    expect(paths).toEqual(['$.deadlinePolicy.*', '$.deadlinePolicy.nope', '$.stageMap.ghost', '$.stageMap.negotiate', '$.stageMap.qualify'].sort());
    expect(e.problems.find((p) => p.path === '$.stageMap.qualify')!.message).toContain("'qualify'");
    expect(fail(() => planMigration(to, from)).problems.map((p) => p.code)).toContain('version_not_newer');
    expect(fail(() => planMigration(from, defineBlueprint({ ...V2, id: 'other' }), { stageMap: { qualify: 'discovery', negotiate: SPLIT } })).problems.map((p) => p.code)).toContain('blueprint_mismatch');
    expect(fail(() => planMigration(from, to, { stageMap: { qualify: 'discovery', negotiate: { rule: { nosuchop: [] } } } })).problems[0]!.path).toContain('$.stageMap.negotiate.rule');
  });
});

describe('previewMigration / migrateRecords', () => {
  const stageMap = { qualify: 'discovery', negotiate: SPLIT };

  it('the dry run writes nothing and predicts exactly what the migration does', async () => {
    const { engine, storage } = await setup();
    const plan = planMigration(engine.blueprint('deal', 1), engine.blueprint('deal', 2), { stageMap, deadlinePolicy: 'keepDueTime' });
    const before = JSON.stringify(await storage.queryRecords('default', {}));
    const preview = await previewMigration(engine, plan, { details: true });
    expect(JSON.stringify(await storage.queryRecords('default', {}))).toBe(before);
    expect(preview.moves).toEqual([
      { from: 'negotiate', to: 'negotiate_large', count: 1 },
      { from: 'negotiate', to: 'negotiate_small', count: 1 },
      { from: 'new', to: 'new', count: 1 },
      { from: 'qualify', to: 'discovery', count: 1 },
      { from: 'won', to: 'won', count: 1 },
    ]);
    expect(preview.missingRequired).toEqual([{ recordId: 'lacking', from: 'negotiate', to: 'negotiate_large', fields: ['budgetApproved'] }]);
    const done = await migrateRecords(engine, plan, { details: true, batchSize: 2 });
    expect({ ...done, dryRun: true }).toEqual(preview);
    expect((await engine.get('lacking'))!.blueprintVersion).toBe(1);
    expect((await engine.get('large'))!).toMatchObject({ blueprintVersion: 2, stage: 'negotiate_large' });
    // idempotent: a second run moves nothing
    expect((await migrateRecords(engine, plan)).migrated).toBe(0);
  });

  it('each record changes with a history event naming both versions, and replays exactly', async () => {
    const { engine } = await setup();
    await migrateRecords(engine, planMigration(engine.blueprint('deal', 1), engine.blueprint('deal', 2), { stageMap }));
    const history = await engine.history('q');
    expect(history[history.length - 1]).toMatchObject({ kind: 'migrated', from: 'qualify', to: 'discovery', actorId: 'system:migration', data: { blueprintId: 'deal', fromVersion: 1, toVersion: 2 } });
    expect(replay(history)).toEqual(await engine.get('q'));
    // the stay in the renamed stage keeps its stage times under the new name
    const times = (await engine.get('q'))!.meta.stageTimes as Record<string, { enteredAt: string }>;
    expect(Object.keys(times).sort()).toEqual(['discovery', 'new']);
    expect(times.discovery!.enteredAt).toBe(hours(T0, 1));
    // after migration the record follows v2's transitions
    const sent = await engine.send('q', 'propose');
    expect(sent.ok && sent.to).toBe('negotiate_small');
  });

  const cases: Array<[DeadlinePolicy, (entered: string, oldDue: string, now: string) => string]> = [
    ['keepDueTime', (_e, oldDue) => oldDue],
    ['keepRemaining', (_e, oldDue) => oldDue], // wall-clock to wall-clock: the same instant
    ['restart', (_e, _o, now) => hours(now, 24)],
    ['recompute', (entered) => hours(entered, 24)],
  ];
  for (const [policy, expected] of cases) {
    it(`deadline policy ${policy} on the shortened deadline (new: P2D → P1D)`, async () => {
      const { engine, clock } = await setup();
      const [old] = await breachOf(engine, 'fresh');
      const entered = (await engine.get('fresh'))!.stageEnteredAt;
      const now = clock.now().toISOString();
      const report = await migrateRecords(engine, planMigration(engine.blueprint('deal', 1), engine.blueprint('deal', 2), { stageMap, deadlinePolicy: policy }));
      const breaches = await breachOf(engine, 'fresh');
      expect(breaches).toHaveLength(1);
      expect(breaches[0]!.dueAt).toBe(expected(entered, old!.dueAt, now));
      expect(breaches[0]!.stage).toBe('new');
      // the old reminder (P1D before) is gone; v2 has none for 'new'
      expect((await engine.timers('fresh', { status: ['pending'] })).filter((t) => t.kind === 'reminder')).toEqual([]);
      const change = report.deadlines.find((d) => d.stage === 'new')!;
      expect(change.policy).toBe(policy);
      // the breach fires once, through the v2 process
      clock.set(hours(breaches[0]!.dueAt, 1));
      const run = await engine.runDue();
      expect(run.fired).toBeGreaterThanOrEqual(1);
      expect((await engine.get('fresh'))!.stage).toBe('lost');
      expect((await engine.runDue()).fired).toBe(0);
    });
  }

  it('keepRemaining carries the time left onto a new business calendar', async () => {
    const { engine: _old, storage, clock } = await setup();
    const cal = { id: 'office', timeZone: 'UTC', workingHours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] } };
    const v2b = defineBlueprint({ ...V2, stages: V2.stages.map((s) => (s.id === 'discovery' ? { ...s, deadline: { within: 'PT40H', businessTime: 'office', onBreach: 'expire' } } : s)) } as BlueprintInput);
    const engine = createEngine({ storage, clock, blueprints: [defineBlueprint(V1), v2b], calendars: [cal as never] });
    const [old] = await breachOf(engine, 'q'); // v1: entered 10:00 Mon + P5D = Sat 10:00
    const now = clock.now().toISOString(); // Mon 19:00 UTC
    await migrateRecords(engine, planMigration(engine.blueprint('deal', 1), v2b, { stageMap, deadlinePolicy: { discovery: 'keepRemaining' } }), { calendars: [cal as never] });
    const [b] = await breachOf(engine, 'q');
    const leftMs = Date.parse(old!.dueAt) - Date.parse(now); // 111 wall-clock hours left
    expect(leftMs).toBe(111 * 3_600_000);
    // 111 business hours of 8h days from Mon 19:00: Tue 09:00, 13 days of 8h (to Thu 19 17:00) + 7h → Fri 20 16:00
    expect(b!.dueAt).toBe('2026-03-20T16:00:00.000Z');
  });

  it('a migration is no bulk path around escalation rules: records moved into a stage get its escalation timers', async () => {
    const { storage, clock } = await setup();
    const escalations = [{ id: 'slow-discovery', on: 'stage', stage: 'discovery', levels: [{ after: 'P1D', actions: [{ notify: 'manager' }] }] }];
    const engine = createEngine({ storage, clock, blueprints: [defineBlueprint(V1), defineBlueprint(V2)], rules: { escalations } });
    expect((await engine.timers('q', { status: ['pending'] })).filter((t) => t.kind === 'escalation')).toEqual([]);
    await migrateRecords(engine, planMigration(engine.blueprint('deal', 1), engine.blueprint('deal', 2), { stageMap }));
    const esc = (await engine.timers('q', { status: ['pending'] })).filter((t) => t.kind === 'escalation');
    expect(esc).toHaveLength(1);
    expect(esc[0]!.dueAt).toBe(hours(hours(T0, 1), 24)); // counted from entering the stage (kept across the rename)
    expect((await engine.timers('fresh', { status: ['pending'] })).filter((t) => t.kind === 'escalation')).toEqual([]);
  });

  it('a split rule that names no stage of v2 leaves the record on v1 and reports it', async () => {
    const { engine } = await setup();
    const plan = planMigration(engine.blueprint('deal', 1), engine.blueprint('deal', 2), { stageMap: { qualify: 'discovery', negotiate: { rule: { if: [{ '>': [{ var: 'fields.amount' }, 50000] }, 'negotiate_large', 'nowhere'] } } } });
    const done = await migrateRecords(engine, plan);
    expect(done.unmapped).toEqual([{ recordId: 'small', from: 'negotiate', result: 'nowhere' }]);
    expect((await engine.get('small'))!.blueprintVersion).toBe(1);
  });
});
