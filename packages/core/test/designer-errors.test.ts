import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createEngine, createMemoryStorage, defineBlueprint, defineProcess, isDealflowError, renderMermaid } from '@dealflow/core';
import type { BlueprintInput, Problem } from '@dealflow/core';

const base: BlueprintInput = {
  id: 'deal', version: 1, recordType: 'deal', initialStage: 'qualified',
  fields: { amount: { type: 'money', currency: 'EUR', requiredIn: ['proposal'] }, budgetConfirmed: { type: 'boolean', default: false } },
  stages: [{ id: 'qualified' }, { id: 'proposal' }, { id: 'won', kind: 'won' }],
  transitions: [
    { event: 'propose', from: 'qualified', to: 'proposal', guard: { '==': [{ var: 'fields.budgetConfirmed' }, true] } },
    { event: 'win', from: 'proposal', to: 'won', allow: { in: ['manager', { var: 'actor.roles' }] } },
  ],
};

function problemsOf(json: unknown): { message: string; problems: Problem[] } {
  try {
    defineBlueprint(json);
  } catch (e) {
    if (isDealflowError(e, 'BLUEPRINT_INVALID')) return { message: e.message, problems: e.problems };
    throw e;
  }
  throw new Error('expected BLUEPRINT_INVALID');
}

describe('errors a designer can act on', () => {
  it('a misspelled key gets a did-you-mean at the key itself', () => {
    const { problems } = problemsOf({ ...base, transitions: [{ event: 'propose', from: 'qualified', to: 'proposal', gaurd: true }, base.transitions![1]] });
    expect(problems).toContainEqual(expect.objectContaining({ path: '$.transitions[0].gaurd', code: 'unknown_key', hint: "did you mean 'guard'?" }));
    const stage = problemsOf({ ...base, stages: [{ id: 'qualified', deadlin: {} }, ...base.stages.slice(1)] } as unknown);
    expect(stage.problems).toContainEqual(expect.objectContaining({ path: '$.stages[0].deadlin', hint: "did you mean 'deadline'?" }));
  });

  it('the BLUEPRINT_INVALID message lists every problem with its hint', () => {
    const { message, problems } = problemsOf({ ...base, initialStage: 'qualifed', transitions: [{ event: 'propose', from: 'qualified', to: 'proposl' }] });
    expect(problems.length).toBeGreaterThanOrEqual(2);
    for (const p of problems) expect(message).toContain(`${p.path}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`);
    expect(message).toContain("did you mean 'proposal'?");
  });

  it('one wrong `to` comes first; the stages it leaves unreachable name it as the cause', () => {
    const { problems } = problemsOf({ ...base, transitions: [{ event: 'propose', from: 'qualified', to: 'proposl' }, base.transitions![1]] });
    expect(problems[0]).toMatchObject({ path: '$.transitions[0].to', code: 'unknown_stage', hint: "did you mean 'proposal'?" });
    const unreachable = problems.filter((p) => p.code === 'unreachable_stage');
    expect(unreachable.length).toBeGreaterThan(0);
    for (const p of unreachable) expect(p.hint).toMatch(/probably because \$\.transitions\[0\]\.to names unknown stage 'proposl'/);
  });

  it('a failing guard does not hide the fields the target stage needs', async () => {
    const engine = createEngine({ storage: createMemoryStorage(), blueprints: [base] });
    const { record } = await engine.create('deal', {}, { actor: { id: 'ann' } });
    const r = await engine.send(record.id, 'propose', { actor: { id: 'ann' } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.rejection).toMatchObject({ reason: 'guard', rule: '$.transitions[0].guard', missingFields: ['amount'] });
    expect(r.rejection.message).toContain("also needs field(s) 'amount'");
  });

  it('property: with a failing guard, missingFields are exactly the target stage\'s unset required fields', async () => {
    await fc.assert(
      fc.asyncProperty(fc.option(fc.integer({ min: 1, max: 1e6 }), { nil: undefined }), async (amount) => {
        const engine = createEngine({ storage: createMemoryStorage(), blueprints: [base] });
        const { record } = await engine.create('deal', { fields: amount === undefined ? {} : { amount } }, { actor: { id: 'ann' } });
        const r = await engine.send(record.id, 'propose', { actor: { id: 'ann' } });
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.rejection.missingFields).toEqual(amount === undefined ? ['amount'] : []);
      }),
      { numRuns: 20 },
    );
  });
});

describe('defineProcess and diagrams of a process', () => {
  it('runs createEngine\'s checks: an unknown calendar and a bad rule are reported together, with paths', () => {
    try {
      defineProcess({
        blueprints: [{ ...base, stages: [{ id: 'qualified', deadline: { within: 'P1D', businessTime: 'office', onBreach: 'propose' } }, ...base.stages.slice(1)] }],
        rules: { approvals: [{ id: 'big', event: 'win', approver: 'manager', extra: 1 }] },
      });
      throw new Error('expected an error');
    } catch (e) {
      expect(isDealflowError(e)).toBe(true);
      const paths = (e as { problems: Problem[] }).problems.map((p) => p.path);
      expect(paths.some((p) => p.startsWith('$.rules.approvals[0]'))).toBe(true);
      expect(paths).toContain('$.blueprints[0].stages[0].deadline.businessTime');
    }
  });

  it('a valid process starts an engine, and its diagram shows allow rules, approvals and escalations', () => {
    const process = defineProcess({
      blueprints: [base],
      rules: {
        approvals: [{ id: 'big', event: 'win', when: { '>': [{ var: 'fields.amount' }, 50000] }, approver: 'manager' }],
        escalations: [{ id: 'stuck', on: 'stage', stage: 'proposal', levels: [{ after: 'P2D', actions: [{ notify: 'manager' }] }] }],
      },
    });
    expect(() => createEngine({ storage: createMemoryStorage(), ...process })).not.toThrow();
    const text = renderMermaid(process.blueprints[0]!, { rules: process.rules });
    expect(text).toMatch(/proposal --> won : win allow: 'manager' in actor\.roles ⏸ approval by manager when fields\.amount › 50000/);
    expect(text).toMatch(/note left of proposal : escalation 'stuck' \(time in stage\): after P2D notify manager/);
  });
});
