import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { createActor, transition } from 'xstate';
import { blueprintSchema, defineBlueprint, isDealflowError, DealflowError } from '../src/index.js';
import type { BlueprintInput } from '../src/index.js';
import { dealJson } from './fixtures.js';

function problemsOf(json: unknown) {
  try {
    defineBlueprint(json);
  } catch (e) {
    expect(isDealflowError(e, 'BLUEPRINT_INVALID')).toBe(true);
    return (e as DealflowError).problems;
  }
  throw new Error('expected BLUEPRINT_INVALID');
}

describe('defineBlueprint', () => {
  test('accepts a valid blueprint and exposes stages, fields and required-ness per stage', () => {
    const bp = defineBlueprint(dealJson());
    expect(bp.id).toBe('deal');
    expect(bp.initialStage).toBe('prospecting');
    expect(bp.stages.get('qualified')?.deadline?.within).toBe('P3D');
    expect(bp.isFinal('won')).toBe(true);
    expect(bp.isFinal('proposal')).toBe(false);
    expect(bp.requiredIn('proposal')).toEqual(['amount']);
    expect(bp.requiredIn('prospecting')).toEqual([]);
  });

  test('stage kind defaults to open', () => {
    const bp = defineBlueprint({
      id: 'mini', version: 1, recordType: 'lead', initialStage: 'a',
      stages: [{ id: 'a' }, { id: 'b', kind: 'won' }],
      transitions: [{ event: 'go', from: 'a', to: 'b' }],
    });
    expect(bp.stages.get('a')?.kind).toBe('open');
  });

  test('reports every schema problem with its JSON path, not just the first', () => {
    const json = dealJson() as Record<string, unknown>;
    const stages = (json.stages as Array<Record<string, unknown>>).map((s) => ({ ...s }));
    stages[1]!.probability = 1.5;
    stages[2]!.kind = 'maybe';
    const problems = problemsOf({ ...json, version: 0, stages, fields: { x: { type: 'txt' } } });
    const paths = problems.map((p) => p.path);
    expect(paths).toContain('$.version');
    expect(paths).toContain('$.stages[1].probability');
    expect(paths).toContain('$.stages[2].kind');
    expect(paths).toContain('$.fields.x.type');
  });

  test('schema problems and cross-reference problems are reported together', () => {
    const json = dealJson();
    json.stages![1] = { ...json.stages![1]!, probability: 7 };
    json.transitions![0] = { ...json.transitions![0]!, to: 'qualifed' };
    const problems = problemsOf(json);
    expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(['$.stages[1].probability', '$.transitions[0].to']));
    expect(problems.find((p) => p.path === '$.transitions[0].to')?.hint).toBe("did you mean 'qualified'?");
  });

  test('catches unknown stages, finals with exits, duplicate events, unreachable stages at once', () => {
    const json: BlueprintInput = {
      id: 'bad', version: 1, recordType: 'deal', initialStage: 'open',
      stages: [
        { id: 'open' },
        { id: 'review' },
        { id: 'island' },
        { id: 'won', kind: 'won' },
      ],
      transitions: [
        { event: 'go', from: 'open', to: 'reveiw' },
        { event: 'go', from: ['open', 'review'], to: 'won' },
        { event: 'reopen', from: 'won', to: 'open' },
        { event: 'x', from: 'nowhere', to: 'won' },
        { event: 'up', from: 'open', to: 'review' },
      ],
    };
    const problems = problemsOf(json);
    const byCode = (c: string) => problems.filter((p) => p.code === c);
    expect(byCode('unknown_stage').map((p) => p.path).sort()).toEqual(['$.transitions[0].to', '$.transitions[3].from']);
    expect(byCode('unknown_stage')[0]?.hint).toBe("did you mean 'review'?");
    expect(byCode('duplicate_event').map((p) => p.path)).toEqual(['$.transitions[1].from[0]']);
    expect(byCode('transition_from_final').map((p) => p.path)).toEqual(['$.transitions[2].from']);
    expect(byCode('unreachable_stage').map((p) => p.value)).toEqual(['island']);
    expect(problems.every((p) => p.message.length > 0)).toBe(true);
  });

  test('validates rules: unknown operators and undeclared fields are reported with the rule path', () => {
    const json = dealJson();
    json.transitions![2] = { ...json.transitions![2]!, guard: { '>': [{ var: 'fields.amont' }, 0] } };
    json.transitions![4] = { ...json.transitions![4]!, allow: { frobnicate: [1] } };
    const problems = problemsOf(json);
    const guard = problems.find((p) => p.path.startsWith('$.transitions[2].guard'));
    expect(guard?.message).toContain('amont');
    expect(guard?.hint).toContain('amount');
    expect(problems.some((p) => p.path.startsWith('$.transitions[4].allow'))).toBe(true);
  });

  test('unknown field references in requires, requiredIn and set actions', () => {
    const json = dealJson();
    json.transitions![3] = { ...json.transitions![3]!, requires: ['closeDat'] };
    json.fields!.amount = { type: 'money', requiredIn: ['propsal'] };
    const problems = problemsOf(json);
    expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(['$.transitions[3].requires[0]', '$.fields.amount.requiredIn[0]']));
  });

  test('deadline events must be handled from their stage', () => {
    const json = dealJson();
    json.stages![1] = { ...json.stages![1]!, deadline: { within: 'P1D', onBreach: 'nobody.listens' } };
    const problems = problemsOf(json);
    expect(problems.find((p) => p.code === 'breach_unhandled')?.path).toBe('$.stages[1].deadline.onBreach');
  });

  test('rejects bad ISO durations in deadlines', () => {
    const json = dealJson();
    json.stages![1] = { ...json.stages![1]!, deadline: { within: '3 days', onBreach: 'qualified.breach' } };
    expect(problemsOf(json).map((p) => p.path)).toContain('$.stages[1].deadline.within');
  });

  test('blueprintSchema converts to JSON Schema for editors', () => {
    const schema = z.toJSONSchema(blueprintSchema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['id', 'version', 'recordType', 'stages', 'transitions', 'fields']));
  });
});

describe('compiled machine', () => {
  test('is a real XState machine: actors and pure transitions follow the blueprint', () => {
    const bp = defineBlueprint(dealJson());
    const actor = createActor(bp.machine, { input: { fields: { amount: 500 } } }).start();
    expect(actor.getSnapshot().value).toBe('prospecting');
    actor.send({ type: 'qualify' });
    expect(actor.getSnapshot().value).toBe('qualified');
    actor.send({ type: 'propose' });
    expect(actor.getSnapshot().value).toBe('proposal');
    actor.send({ type: 'lose' });
    expect(actor.getSnapshot().value).toBe('lost');
    expect(actor.getSnapshot().status).toBe('done');
    actor.stop();

    const start = bp.machine.resolveState({ value: 'qualified', context: { fields: { amount: 0 }, record: null } });
    const [blocked] = transition(bp.machine, start, { type: 'propose' });
    expect(blocked.value).toBe('qualified');
    const [moved] = transition(bp.machine, start, { type: 'propose', fields: { amount: 10 } });
    expect(moved.value).toBe('proposal');
  });

  test('final stages are final states and carry stage meta', () => {
    const bp = defineBlueprint(dealJson());
    const root = bp.machine.root;
    expect(root.states.won?.type).toBe('final');
    expect(root.states.proposal?.type).toBe('atomic');
    expect(root.states.proposal?.meta).toMatchObject({ kind: 'open', probability: 0.5 });
  });
});
