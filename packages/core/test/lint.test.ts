import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeCondition, defineBlueprint, implies, lintBlueprint } from '@dealflow/core';
import type { BlueprintInput, LintFinding } from '@dealflow/core';

/** The smallest sound blueprint: one open stage with a deadline, won and lost. */
function base(extra: Partial<BlueprintInput> = {}): BlueprintInput {
  return {
    id: 'deal',
    version: 1,
    recordType: 'deal',
    initialStage: 'open',
    fields: { amount: { type: 'number' } },
    stages: [
      { id: 'open', deadline: { within: 'P3D', onBreach: 'expire' } },
      { id: 'won', kind: 'won' },
      { id: 'lost', kind: 'lost' },
    ],
    transitions: [
      { event: 'win', from: 'open', to: 'won' },
      { event: 'expire', from: 'open', to: 'lost' },
    ],
    ...extra,
  };
}

const codes = (fs: LintFinding[]) => fs.map((f) => f.code);
const only = (fs: LintFinding[], code: string) => fs.filter((f) => f.code === code);

describe('lintBlueprint: graph', () => {
  it('a sound blueprint has no findings', () => {
    expect(lintBlueprint(base())).toEqual([]);
    expect(lintBlueprint(defineBlueprint(base()))).toEqual([]);
  });

  it('reports an unreachable stage with its path', () => {
    const bp = base({ stages: [...base().stages, { id: 'limbo', kind: 'lost' }] });
    const f = only(lintBlueprint(bp), 'unreachable_stage');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', path: '$.stages[3]' });
    expect(f[0]!.message).toContain("'limbo'");
    expect(f[0]!.hint.length).toBeGreaterThan(0);
  });

  it('reports a dead-end open stage (Zoho RECORD_IN_BLUEPRINT)', () => {
    const bp = base({
      stages: [...base().stages, { id: 'review', deadline: { within: 'P1D', onBreach: 'expire' } }],
      transitions: [{ event: 'win', from: 'open', to: 'won' }, { event: 'expire', from: 'open', to: 'lost' }, { event: 'review', from: 'open', to: 'review' }],
    });
    const f = lintBlueprint(bp);
    expect(only(f, 'dead_end_stage').map((x) => x.path)).toEqual(['$.stages[3]']);
    expect(only(f, 'dead_end_stage')[0]!.message).toContain("'review'");
  });

  it('reports stages from which no final stage is reachable (a loop with no way out)', () => {
    const bp = base({
      stages: [
        ...base().stages,
        { id: 'a', deadline: { within: 'P1D', onBreach: 'next' } },
        { id: 'b', deadline: { within: 'P1D', onBreach: 'next' } },
      ],
      transitions: [
        ...base().transitions!,
        { event: 'loop', from: 'open', to: 'a' },
        { event: 'next', from: 'a', to: 'b' },
        { event: 'next', from: 'b', to: 'a' },
      ],
    });
    const f = only(lintBlueprint(bp), 'no_final_reachable');
    expect(f.map((x) => x.path).sort()).toEqual(['$.stages[3]', '$.stages[4]']);
    expect(codes(lintBlueprint(bp))).not.toContain('dead_end_stage');
  });

  it('a transition whose guard can never be true is no way out', () => {
    const bp = base({
      transitions: [
        { event: 'win', from: 'open', to: 'won', guard: { '===': [{ var: 'fields.amount' }, 'big'] } },
        { event: 'expire', from: 'open', to: 'open' },
      ],
    });
    const c = codes(lintBlueprint(bp));
    expect(c).toContain('guard_never_true');
    expect(c).toContain('dead_end_stage');
  });
});

describe('lintBlueprint: guards', () => {
  const withGuard = (guard: unknown, fields: BlueprintInput['fields'] = { amount: { type: 'number' }, tier: { type: 'enum', values: ['gold', 'silver'] }, vip: { type: 'boolean' } }) =>
    lintBlueprint(base({ fields, transitions: [{ event: 'win', from: 'open', to: 'won', guard }, { event: 'expire', from: 'open', to: 'lost' }] }));

  it('number field compared with a string (strict) is never true', () => {
    const f = only(withGuard({ '===': [{ var: 'fields.amount' }, '1000'] }), 'guard_never_true');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', path: '$.transitions[0].guard' });
    expect(f[0]!.message).toContain("'amount'");
  });

  it('number field ordered against a non-numeric string is never true', () => {
    expect(codes(withGuard({ '>': [{ var: 'fields.amount' }, 'large'] }))).toContain('guard_never_true');
  });

  it('contradictory ranges on one field are never true', () => {
    const f = withGuard({ and: [{ '>': [{ var: 'fields.amount' }, 5000] }, { '<': [{ var: 'fields.amount' }, 1000] }] });
    expect(only(f, 'guard_never_true')[0]!.message).toContain("'amount'");
  });

  it('an enum value that does not exist is never true; its negation always true', () => {
    expect(codes(withGuard({ '==': [{ var: 'fields.tier' }, 'platinum'] }))).toContain('guard_never_true');
    expect(codes(withGuard({ '!=': [{ var: 'fields.tier' }, 'platinum'] }))).toContain('guard_always_true');
  });

  it('an exhaustive test over a boolean field is always true', () => {
    const f = withGuard({ or: [{ '==': [{ var: 'fields.vip' }, true] }, { '!': { var: 'fields.vip' } }] });
    expect(only(f, 'guard_always_true')).toHaveLength(1);
  });

  it('guards that depend on data are not reported', () => {
    expect(withGuard({ '>': [{ var: 'fields.amount' }, 1000] })).toEqual([]);
    expect(withGuard({ and: [{ '>': [{ var: 'fields.amount' }, 10] }, { '<': [{ var: 'fields.amount' }, 20] }] })).toEqual([]);
    expect(withGuard({ '==': [{ var: 'fields.tier' }, 'gold'] })).toEqual([]);
    expect(withGuard({ '==': [{ var: 'fields.amount' }, '1000'] })).toEqual([]); // loose: 1000 == '1000'
  });

  it('property: a reported verdict agrees with evaluation on every sampled value', () => {
    const ops = ['<', '<=', '>', '>=', '==', '===', '!=', '!=='] as const;
    const atom = fc.record({ op: fc.constantFrom(...ops), c: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom('x', '3', true)) });
    const fields = { amount: { type: 'number' as const } };
    const bp = defineBlueprint(base());
    fc.assert(
      fc.property(fc.array(atom, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.array(fc.oneof(fc.integer({ min: -8, max: 8 }), fc.constant(null)), { minLength: 20, maxLength: 20 }), (atoms, conj, samples) => {
        const parts = atoms.map(({ op, c }) => ({ [op]: [{ var: 'fields.amount' }, c] }));
        const rule = { [conj ? 'and' : 'or']: parts };
        const { verdict } = analyzeCondition(rule, fields);
        if (verdict === 'unknown') return;
        const fn = bp.ruleEngine.compile(rule);
        for (const v of samples) {
          const out = Boolean(fn({ fields: v === null ? {} : { amount: v } }));
          expect(out).toBe(verdict === 'always');
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('lintBlueprint: deadlines and required fields', () => {
  it('warns about open stages without deadline, silenced per stage', () => {
    const bp = base({ stages: [{ id: 'open' }, { id: 'won', kind: 'won' }, { id: 'lost', kind: 'lost' }], transitions: [{ event: 'win', from: 'open', to: 'won' }, { event: 'lose', from: 'open', to: 'lost' }] });
    const f = lintBlueprint(bp);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'warning', code: 'stage_without_deadline', path: '$.stages[0]' });
    const silenced = { ...bp, stages: [{ id: 'open', lint: { ignore: ['stage_without_deadline'] } }, ...bp.stages.slice(1)] };
    expect(lintBlueprint(silenced)).toEqual([]);
    expect(lintBlueprint(bp, undefined, { ignore: ['stage_without_deadline'] })).toEqual([]);
  });

  it('reports a reminder not shorter than its deadline', () => {
    const bp = base({ stages: [{ id: 'open', deadline: { within: 'PT4H', remindBefore: ['PT1H', 'P1D'], onBreach: 'expire' } }, ...base().stages.slice(1)] });
    const f = only(lintBlueprint(bp), 'reminder_not_before_deadline');
    expect(f.map((x) => x.path)).toEqual(['$.stages[0].deadline.remindBefore[1]']);
  });

  it('reports a required field that only a deadline breach could bring (never supplied)', () => {
    const bp = base({
      fields: { reason: { type: 'string', requiredIn: ['lost'] } },
    });
    const f = only(lintBlueprint(bp), 'required_field_unsupplied');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', path: '$.fields.reason.requiredIn' });
    expect(f[0]!.message).toContain("'lost'");
    // a set action on the breach transition supplies it
    const fixed = base({
      fields: { reason: { type: 'string', requiredIn: ['lost'] } },
      transitions: [{ event: 'win', from: 'open', to: 'won' }, { event: 'expire', from: 'open', to: 'lost', actions: [{ type: 'set', field: 'reason', value: 'expired' }] }],
    });
    expect(lintBlueprint(fixed)).toEqual([]);
  });

  it('warns when a breach transition lacks a field a user transition to the same stage can bring', () => {
    const bp = base({
      fields: { reason: { type: 'string', requiredIn: ['lost'] } },
      transitions: [...base().transitions!, { event: 'lose', from: 'open', to: 'lost' }],
    });
    const f = lintBlueprint(bp);
    expect(codes(f)).toEqual(['timer_transition_lacks_field']);
    expect(f[0]!.path).toBe('$.transitions[1]');
  });

  it('returns schema and reference problems as errors instead of throwing', () => {
    const f = lintBlueprint({ ...base(), transitions: [{ event: 'win', from: 'open', to: 'wonn' }, { event: 'expire', from: 'open', to: 'lost' }] });
    const unknown = only(f, 'unknown_stage');
    expect(unknown[0]).toMatchObject({ severity: 'error', path: '$.transitions[0].to', hint: "did you mean 'won'?" });
    expect(only(lintBlueprint({ id: 'x' }), 'schema').length).toBeGreaterThan(0);
  });
});

describe('lintBlueprint: assignment and escalation rules', () => {
  const assignment = (rules: unknown[]) => ({ assignment: { rules } });

  it('a rule after a catch-all is shadowed', () => {
    const f = lintBlueprint(base(), assignment([
      { id: 'everyone', assign: { strategy: 'roundRobin', team: 'sales' } },
      { id: 'big', when: { '>': [{ var: 'fields.amount' }, 1000] }, assign: { strategy: 'owner', owner: 'ann' } },
    ]));
    const s = only(f, 'assignment_rule_shadowed');
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({ severity: 'error', path: 'rules.assignment.rules[1]' });
    expect(s[0]!.message).toContain("'everyone'");
  });

  it('an earlier broader condition shadows a narrower later one on the same field; the reverse order is fine', () => {
    const big = { id: 'big', when: { '>': [{ var: 'fields.amount' }, 1000] }, assign: { strategy: 'owner', owner: 'ann' } };
    const huge = { id: 'huge', when: { '>=': [{ var: 'fields.amount' }, 50000] }, assign: { strategy: 'owner', owner: 'bob' } };
    const rest = { id: 'rest', assign: { strategy: 'pool', pool: 'general' } };
    expect(only(lintBlueprint(base(), assignment([big, huge, rest])), 'assignment_rule_shadowed').map((f) => f.path)).toEqual(['rules.assignment.rules[1]']);
    expect(lintBlueprint(base(), assignment([huge, big, rest]))).toEqual([]);
  });

  it('warns when there is no default rule', () => {
    const f = lintBlueprint(base(), assignment([{ id: 'big', when: { '>': [{ var: 'fields.amount' }, 1000] }, assign: { strategy: 'owner', owner: 'ann' } }]));
    expect(codes(f)).toEqual(['assignment_no_default']);
  });

  it('reports assignment targets that do not exist when reps and teams are known', () => {
    const f = lintBlueprint(base(), assignment([{ id: 'x', assign: { strategy: 'roundRobin', team: 'salse' } }, { id: 'y', assign: { strategy: 'owner', owner: 'zed' } }]), { reps: ['ann'], teams: ['sales'] });
    expect(codes(f)).toEqual(expect.arrayContaining(['unknown_team', 'unknown_rep', 'assignment_rule_shadowed']));
  });

  it('reports escalations naming unknown stages, transitions and reps', () => {
    const escalations = [
      { id: 'e1', on: 'stage', stage: 'negotiation', types: ['deal'], levels: [{ after: 'P1D', actions: [{ notify: 'manager' }] }] },
      { id: 'e2', on: 'inactivity', levels: [{ after: 'P2D', actions: [{ transition: 'escalate' }, { notify: { rep: 'ghost' } }] }] },
    ];
    const f = lintBlueprint(base(), { escalations }, { reps: ['ann'] });
    expect(only(f, 'escalation_unknown_stage')[0]).toMatchObject({ severity: 'error', path: 'rules.escalations[0].stage' });
    expect(only(f, 'escalation_unknown_transition')[0]).toMatchObject({ path: 'rules.escalations[1].levels[0].actions[0].transition' });
    expect(only(f, 'escalation_unknown_target')[0]).toMatchObject({ path: 'rules.escalations[1].levels[0].actions[1].notify.rep' });
  });

  it('an escalation transition into a stage requiring a field the escalation cannot bring is reported', () => {
    const bp = base({
      fields: { reason: { type: 'string', requiredIn: ['lost'] } },
      transitions: [{ event: 'win', from: 'open', to: 'won' }, { event: 'expire', from: 'open', to: 'open' }, { event: 'giveUp', from: 'open', to: 'lost' }],
    });
    const escalations = [{ id: 'e', on: 'stage', stage: 'open', levels: [{ after: 'P5D', actions: [{ transition: 'giveUp' }] }] }];
    expect(codes(lintBlueprint(bp))).not.toContain('required_field_unsupplied');
    expect(codes(lintBlueprint(bp, { escalations }))).toContain('required_field_unsupplied');
  });
});

describe('implies (rule shadowing)', () => {
  it('property: when implies(later, earlier) holds, every value matching later matches earlier', () => {
    const bp = defineBlueprint(base());
    const atom = fc.record({ op: fc.constantFrom('<', '<=', '>', '>=', '==', '!='), c: fc.integer({ min: -5, max: 5 }) });
    const cond = fc.array(atom, { minLength: 1, maxLength: 2 }).map((as) => ({ and: as.map(({ op, c }) => ({ [op]: [{ var: 'fields.amount' }, c] })) }));
    fc.assert(
      fc.property(cond, cond, (later, earlier) => {
        if (!implies(later, earlier, { amount: { type: 'number' } })) return;
        const l = bp.ruleEngine.compile(later);
        const e = bp.ruleEngine.compile(earlier);
        for (let v = -8; v <= 8; v++) if (l({ fields: { amount: v } })) expect(Boolean(e({ fields: { amount: v } }))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

describe('example blueprints get a clean bill', () => {
  const root = join(__dirname, '..', '..', '..');
  const found: string[] = [];
  const walk = (dir: string) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries) {
      if (e === 'node_modules' || e.startsWith('.')) continue;
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.blueprint.json')) found.push(p);
    }
  };
  walk(join(root, 'examples'));
  walk(join(root, 'packages', 'templates'));
  if (found.length === 0) it.skip('no example blueprints exist yet', () => {});
  for (const file of found) {
    it(`${relative(root, file)} has no lint errors`, () => {
      const findings = lintBlueprint(JSON.parse(readFileSync(file, 'utf8')));
      expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    });
  }
});
