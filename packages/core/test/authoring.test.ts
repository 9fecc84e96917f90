import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { blueprintJsonSchema, blueprintSchema, createEngine, createMemoryStorage, defineBlueprint, renderMermaid, renderSvg, testBlueprint, toStatelyConfig } from '@dealflow/core';
import type { BlueprintInput } from '@dealflow/core';
import { createMachine, transition, initialTransition } from 'xstate';

const json: BlueprintInput = {
  id: 'deal',
  version: 1,
  recordType: 'deal',
  initialStage: 'new',
  fields: { amount: { type: 'money', currency: 'EUR', requiredIn: ['proposal'] } },
  stages: [
    { id: 'new', label: 'New lead' },
    { id: 'qualified', deadline: { within: 'P3D', onBreach: 'breach', remindBefore: ['P1D'] } },
    { id: 'proposal' },
    { id: 'won', kind: 'won' },
    { id: 'lost', kind: 'lost' },
  ],
  transitions: [
    { event: 'qualify', from: 'new', to: 'qualified' },
    { event: 'propose', from: 'qualified', to: 'proposal', guard: { '>': [{ var: 'fields.amount' }, 1000] }, requires: ['amount'] },
    { event: 'breach', from: 'qualified', to: 'new' },
    { event: 'win', from: 'proposal', to: 'won' },
    { event: 'lose', from: '*', to: 'lost' },
  ],
};
const deal = defineBlueprint(json);

describe('blueprintJsonSchema', () => {
  it('equals the committed packages/core/blueprint.schema.json (regenerate with `pnpm --filter @dealflow/cli gen`)', () => {
    const file = fileURLToPath(new URL('../blueprint.schema.json', import.meta.url));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(blueprintJsonSchema());
  });

  it('is the zod schema: required keys, stage kinds, strict objects, editor descriptions', () => {
    const s = blueprintJsonSchema() as any;
    expect(s.$schema).toContain('2020-12');
    expect(s.required).toEqual(expect.arrayContaining(['id', 'version', 'recordType', 'stages', 'initialStage']));
    expect(s.required).not.toContain('fields'); // has a default: optional when writing
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.stages.items.properties.kind.enum).toEqual(['open', 'won', 'lost', 'closed']);
    expect(s.properties.stages.items.properties.deadline.properties.within.description).toMatch(/ISO-8601/);
    expect(s.properties.transitions.items.properties.guard.description).toMatch(/JSON-logic/);
  });

  it('accepts what blueprintSchema accepts for the stage-kind and duration fields (property)', () => {
    const s = blueprintJsonSchema() as any;
    const kinds: string[] = s.properties.stages.items.properties.kind.enum;
    const pattern = new RegExp(s.properties.stages.items.properties.deadline.properties.within.pattern);
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.constantFrom('P', 'PT', 'P1', 'P3D', 'PT4H', 'P1DT2H', 'x'), (kind, dur) => {
        const input = { ...json, stages: [{ id: 'new', kind, deadline: undefined }], transitions: [] };
        expect(blueprintSchema.safeParse(input).success).toBe(kinds.includes(kind));
        const withDur = { ...json, stages: [{ id: 'new', deadline: { within: dur, onBreach: 'x' } }], transitions: [] };
        expect(blueprintSchema.safeParse(withDur).success).toBe(pattern.test(dur));
      }),
      { numRuns: 200 },
    );
  });
});

describe('renderMermaid', () => {
  const text = renderMermaid(deal);
  it('draws stages, the initial arrow, final stages and each transition with event and guard', () => {
    expect(text.startsWith('stateDiagram-v2\n')).toBe(true);
    expect(text).toContain('[*] --> new');
    expect(text).toContain('state "New lead" as new');
    expect(text).toMatch(/qualified --> proposal : propose \[fields\.amount › 1000\] requires amount/);
    expect(text).toContain('won --> [*]');
    expect(text).toContain('lost --> [*]');
    // '*' expands to every open stage
    for (const s of ['new', 'qualified', 'proposal']) expect(text).toContain(`${s} --> lost : lose`);
    expect(text).not.toContain('won --> lost');
  });
  it('shows deadlines as notes', () => {
    expect(text).toMatch(/note right of qualified : deadline P3D, on breach: breach, reminders P1D before/);
  });
  it('never puts characters that break a mermaid label into one', () => {
    const tricky = defineBlueprint({ ...json, transitions: [...json.transitions!.slice(0, 4), { event: 'lose', from: '*', to: 'lost', guard: { '==': [{ var: 'fields.amount' }, 'a;b{c}"d'] } }] });
    const lines = renderMermaid(tricky).split('\n').filter((l) => l.includes(': lose'));
    expect(lines.length).toBe(3);
    for (const l of lines) expect(l.split(' : ')[1]).not.toMatch(/[;{}"]/);
  });
});

describe('toStatelyConfig', () => {
  it('is a machine config XState accepts and that moves like the blueprint', () => {
    const config = toStatelyConfig(deal) as any;
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
    const machine = createMachine(config, { guards: { rule: ({ context }: any, params: any) => (params.transition === 1 ? (context.fields.amount ?? 0) > 1000 : true) } } as any);
    let [snap] = initialTransition(machine);
    expect(snap.value).toBe('new');
    [snap] = transition(machine, snap, { type: 'qualify' });
    expect(snap.value).toBe('qualified');
    [snap] = transition(machine, snap, { type: 'propose' });
    expect(snap.value).toBe('qualified'); // guard false: amount unset
    [snap] = transition(machine, snap, { type: 'lose' });
    expect(snap.value).toBe('lost');
    expect(snap.status).toBe('done');
    expect(config.states.qualified.meta.deadline.within).toBe('P3D');
  });
});

describe('renderSvg', () => {
  const svg = renderSvg(deal);
  it('is one SVG document with a box per stage and a label per non-wildcard transition', () => {
    expect(svg.trim().startsWith('<svg')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<g data-stage=/g)?.length).toBe(5);
    for (const ev of ['qualify', 'propose', 'breach', 'win']) expect(svg).toContain(`>${ev}`);
    expect(svg).toContain('From every open stage: lose → lost');
    expect(svg).toContain('P3D → breach');
  });
  it('escapes text', () => {
    const s = renderSvg(defineBlueprint({ ...json, name: 'A <b> & "c"' }));
    expect(s).toContain('A &lt;b&gt; &amp; &quot;c&quot;');
    expect(s).not.toContain('<b>');
  });
});

describe('testBlueprint', () => {
  it('generates every simple path, including loops back and both sides of guards', () => {
    const t = testBlueprint(deal);
    const seqs = t.paths.map((p) => p.events.join(' '));
    expect(seqs).toEqual(
      expect.arrayContaining(['lose', 'qualify lose', 'qualify breach', 'qualify propose win', 'qualify propose lose']),
    );
    for (const p of t.paths) {
      expect(p.stages[0]).toBe('new');
      expect(p.stages.length).toBe(p.steps.length + 1);
    }
    // every transition is on some path: nothing is dead in this blueprint
    expect(t.report().unreachable).toEqual({ stages: [], transitions: [] });
  });

  it('reports stages and transitions the tests do not visit', () => {
    const t = testBlueprint(deal);
    t.visitEvents(['qualify', 'propose', 'win']);
    const r = t.report();
    expect(r.complete).toBe(false);
    expect(r.stages.unvisited).toEqual(['lost']);
    expect(r.transitions.unvisited.map((e) => `${e.from}:${e.event}`).sort()).toEqual(['new:lose', 'proposal:lose', 'qualified:breach', 'qualified:lose']);
    expect(r.messages).toContain("stage 'lost' is never visited");
    for (const p of t.paths) t.visitPath(p);
    expect(t.report().complete).toBe(true);
    expect(t.report().messages).toEqual([]);
  });

  it('finds transitions no path can take (shadowed by an unguarded one)', () => {
    const shadow = defineBlueprint({
      ...json,
      transitions: [...json.transitions!, { event: 'lose', from: 'new', to: 'won' } as never].slice(0),
    });
    // 'lose' from 'new' is now handled by the stage's own transition; the '*' one never fires there
    const r = testBlueprint(shadow).report();
    expect(r.unreachable.transitions).toEqual([{ transition: 4, event: 'lose', from: 'new', to: 'lost' }]);
  });

  it('observes an engine and counts what the engine did', async () => {
    const engine = createEngine({ storage: createMemoryStorage(), blueprints: [deal] });
    const t = testBlueprint(deal);
    const stop = t.observe(engine);
    const { record } = await engine.create('deal');
    await engine.send(record.id, 'qualify');
    await engine.send(record.id, 'lose');
    stop();
    await engine.create('deal').then((r) => engine.send(r.record.id, 'lose'));
    const r = t.report();
    expect(r.transitions.visited.map((e) => `${e.from}:${e.event}`)).toEqual(['new:qualify', 'qualified:lose']);
  });

  it('rejects an event sequence the blueprint does not allow, naming the stage', () => {
    const t = testBlueprint(deal);
    expect(() => t.visitEvents(['win'])).toThrow(/stage 'new' does not handle event 'win'/);
  });
});
