/**
 * One record view for every rule (issue #14): guards, `allow` rules, actions, assignment rules,
 * approvals, permissions, escalations, link rules (a linked record) and scoring criteria all read the same view — every property
 * docs/concepts.md lists — for the same record. A custom operator notes what each rule kind sees.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, createLinkRules, createManualClock, createMemoryDirectory, createMemoryStorage } from '@dealflow/core';
import type { BlueprintInput, SalesRulesInput } from '@dealflow/core';
import { createRuleScorer } from '@dealflow/scoring';

/** The properties docs/concepts.md lists under "Rule data" for `record`. */
const DOCUMENTED = ['id', 'type', 'stage', 'ownerId', 'teamId', 'version', 'createdAt', 'stageEnteredAt', 'fields', 'stageTimes', 'lastActivityAt', 'priority', 'inPool', 'score', 'winProbability', 'reassignments', 'escalations'];

function setup() {
  const seen = new Map<string, Record<string, unknown>>();
  // `{ saw: ['guard', { var: 'record' }] }` notes the record view a rule of that kind was given, and holds
  const saw = (kind: unknown, record: unknown) => {
    seen.set(String(kind), JSON.parse(JSON.stringify(record)) as Record<string, unknown>);
    return true;
  };
  const spy = (kind: string) => ({ saw: [kind, { var: 'record' }] });
  const json: BlueprintInput = {
    id: 'deal', version: 1, recordType: 'deal', initialStage: 'open',
    fields: { amount: { type: 'number' } },
    stages: [{ id: 'open', kind: 'open' }, { id: 'review', kind: 'open' }, { id: 'won', kind: 'won' }],
    transitions: [
      { event: 'probe', from: 'open', to: 'open', guard: spy('guard'), allow: spy('allow'), actions: [{ type: 'set', field: 'amount', value: { if: [spy('action'), 7, 0] } }] },
      { event: 'review', from: 'open', to: 'review' },
      { event: 'win', from: 'review', to: 'won' },
    ],
  };
  const rules: SalesRulesInput = {
    assignment: { rules: [{ id: 'spy', when: spy('assignment'), assign: { strategy: 'owner', owner: 'ann' } }, { id: 'default', assign: { strategy: 'owner', owner: 'ann' } }] },
    approvals: [{ id: 'review', event: 'review', when: spy('approval'), approver: { role: 'manager' } }],
    // (with permissions configured what no rule allows is denied: the other actions are open here)
    permissions: { edit: spy('permission'), read: true, create: true, transitions: { '*': true } },
    escalations: [{ id: 'idle', on: 'inactivity', when: spy('escalation'), levels: [{ after: 'PT1H', actions: [{ notify: 'owner' }] }] }],
  };
  const clock = createManualClock('2026-03-02T09:00:00.000Z');
  const engine = createEngine({
    storage: createMemoryStorage(),
    blueprints: [json],
    clock,
    rules,
    directory: createMemoryDirectory({ reps: [{ id: 'ann', roles: ['rep'] }, { id: 'mia', roles: ['manager'] }] }),
    operators: { saw },
  });
  return { engine, clock, seen, spy };
}

describe('one record view for every rule kind', () => {
  it('guards, allow, actions, assignment, approvals, permissions, escalations, link rules and scoring see the same record', async () => {
    const { engine, clock, seen, spy } = setup();
    const ann = { actor: { id: 'ann', roles: ['rep'] } };
    const { record } = await engine.create('deal', { id: 'd1', fields: { amount: 1 } }, ann);
    // assignment rules run on the new record
    const assigned = seen.get('assignment')!;
    expect(Object.keys(assigned)).toEqual(expect.arrayContaining(DOCUMENTED));
    expect(assigned).toMatchObject({ id: 'd1', type: 'deal', stage: 'open', version: 1, fields: { amount: 1 } });

    // the transition rules see the stored record
    seen.clear();
    const probed = await engine.send('d1', 'probe', ann);
    expect(probed.ok).toBe(true);
    const current = (await engine.get('d1', ann))!;
    // a permission check and an approval request on the record as it is now
    await engine.update('d1', { fields: { amount: 9 } }, ann);
    const afterUpdate = (await engine.get('d1', ann))!;
    const sent = await engine.send('d1', 'review', ann);
    expect(sent.ok).toBe(false); // held for approval
    // the escalation's `when` at its firing
    clock.advance('PT2H');
    await engine.runDue();
    // a link rule's `where` reads a linked record at its root (`stage`, `fields.x`): the same view
    const links = createLinkRules({ blocks: [{ id: 'spy', recordType: 'deal', events: ['win'], while: { via: 'self', where: { saw: ['link', { var: '' }] } }, message: 'spy' }] }, { ruleEngine: engine.rules });
    const now = (await engine.get('d1', ann))!;
    await engine.storage.transaction('default', (tx) => links.blockersOf(tx, { ...now, meta: { ...now.meta, links: { self: ['d1'] } } }, 'win')).catch(() => []);
    // a scoring criterion (@dealflow/scoring) on the same record
    const scorer = createRuleScorer({ criteria: [{ id: 'spy', when: spy('scoring'), points: 1, reason: 'spy' }], ruleEngine: engine.rules });
    expect(scorer.scoreRecord(now, '2026-03-02T12:00:00.000Z').points).toBe(1);

    const kinds = ['guard', 'allow', 'action', 'permission', 'approval', 'escalation', 'link', 'scoring'];
    for (const kind of kinds) expect(seen.has(kind), `${kind} rule ran`).toBe(true);
    // every kind sees every documented property
    for (const kind of kinds) expect(Object.keys(seen.get(kind)!).sort(), kind).toEqual(expect.arrayContaining(DOCUMENTED.slice().sort()));
    // and the same values for the same record state
    const strip = (v: Record<string, unknown>) => Object.fromEntries(DOCUMENTED.map((k) => [k, v[k] ?? null]));
    expect(strip(seen.get('allow')!)).toEqual(strip(seen.get('guard')!));
    expect(strip(seen.get('action')!)).toEqual(strip(seen.get('guard')!));
    expect(seen.get('guard')).toMatchObject({ id: 'd1', version: record.version, stage: 'open', fields: { amount: 1 } });
    expect(strip(seen.get('permission')!)).toEqual(strip({ ...current, stageTimes: current.meta.stageTimes ?? {}, lastActivityAt: null, priority: null, inPool: false, score: null, winProbability: null, reassignments: 0, escalations: {} } as unknown as Record<string, unknown>));
    expect(seen.get('approval')).toMatchObject({ id: 'd1', version: afterUpdate.version, stageEnteredAt: afterUpdate.stageEnteredAt, fields: { amount: 9 } });
    expect(seen.get('escalation')).toMatchObject({ id: 'd1', stage: 'open' });
    expect(seen.get('link')).toMatchObject({ id: 'd1', stage: 'open', version: now.version });
    expect(strip(seen.get('scoring')!)).toEqual(strip(seen.get('link')!));
  });
});
