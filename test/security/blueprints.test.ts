/** Hostile blueprints (issue #15): refused with a code, before any expensive work. */
import { describe, expect, it } from 'vitest';
import { createEngine, createMemoryStorage, defineBlueprint, isDealflowError } from '../../packages/core/src/index.js';

const base = {
  id: 'deal', version: 1, recordType: 'deal', initialStage: 'new',
  stages: [{ id: 'new' }, { id: 'won', kind: 'won' }],
  transitions: [{ event: 'win', from: 'new', to: 'won' }],
};

function codeOf(f: () => unknown): string {
  try {
    f();
    return 'accepted';
  } catch (e) {
    if (isDealflowError(e)) return e.code;
    throw e;
  }
}

describe('hostile blueprints', () => {
  it('a 7 MB blueprint of junk stages is INPUT_LIMIT', () => {
    const junk = { ...base, stages: Array.from({ length: 70_000 }, (_, i) => ({ id: `s${i}`, junk: 'x'.repeat(90) })) };
    expect(JSON.stringify(junk).length).toBeGreaterThan(7_000_000);
    expect(codeOf(() => defineBlueprint(junk))).toBe('INPUT_LIMIT');
    const wide = { ...base, stages: [{ id: 'new', junk: Array.from({ length: 300_000 }, () => 1) }, { id: 'won', kind: 'won' }] };
    expect(codeOf(() => defineBlueprint(wide))).toBe('INPUT_LIMIT');
  });

  it('a 20 000-stage chain is INPUT_LIMIT; 500 stages still define', () => {
    const chain = (n: number) => ({
      ...base,
      stages: [...Array.from({ length: n - 1 }, (_, i) => ({ id: i === 0 ? 'new' : `s${i}` })), { id: 'won', kind: 'won' }],
      transitions: Array.from({ length: n - 1 }, (_, i) => ({ event: `e${i}`, from: i === 0 ? 'new' : `s${i}`, to: i === n - 2 ? 'won' : `s${i + 1}` })),
    });
    expect(codeOf(() => defineBlueprint(chain(20_000)))).toBe('INPUT_LIMIT');
    expect(codeOf(() => defineBlueprint(chain(500)))).toBe('accepted');
  });

  it('a deadline of P99999999Y is refused when defined, not on every create', async () => {
    const bp = { ...base, stages: [{ id: 'new', deadline: { within: 'P99999999Y', onBreach: 'win' } }, { id: 'won', kind: 'won' }] };
    expect(codeOf(() => defineBlueprint(bp))).toBe('BLUEPRINT_INVALID');
    const ok = defineBlueprint({ ...base, stages: [{ id: 'new', deadline: { within: 'P100Y', onBreach: 'win' } }, { id: 'won', kind: 'won' }] });
    const engine = createEngine({ storage: createMemoryStorage(), blueprints: [ok] });
    expect((await engine.create('deal', {})).record.stage).toBe('new');
  });

  it('prototype names are never fields, stages or events', () => {
    for (const name of ['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty']) {
      expect(codeOf(() => defineBlueprint(JSON.parse(JSON.stringify({ ...base, fields: { [name]: { type: 'string' } } }))))).toBe('BLUEPRINT_INVALID');
    }
    expect(codeOf(() => defineBlueprint({ ...base, stages: [...base.stages, { id: 'toString' }] }))).toBe('BLUEPRINT_INVALID');
    expect(codeOf(() => defineBlueprint({ ...base, transitions: [{ event: 'constructor', from: 'new', to: 'won' }] }))).toBe('BLUEPRINT_INVALID');
    const proto = JSON.parse('{"__proto__": {"type": "string"}}');
    expect(codeOf(() => defineBlueprint({ ...base, fields: proto }))).toBe('BLUEPRINT_INVALID');
  });
});

describe('shared and cyclic blueprint objects', () => {
  it('a guard object shared by two transitions is fine; a cyclic blueprint is INPUT_LIMIT', () => {
    const guard = { var: 'fields.flag' };
    const shared = { ...base, fields: { flag: { type: 'boolean' } }, transitions: [{ event: 'win', from: 'new', to: 'won', guard }, { event: 'win2', from: 'new', to: 'won', guard }] };
    expect(codeOf(() => defineBlueprint(shared))).toBe('accepted');
    const cyclic: Record<string, unknown> = { ...base };
    cyclic.self = cyclic;
    expect(codeOf(() => defineBlueprint(cyclic))).toBe('INPUT_LIMIT');
  });
});
