import { describe, expect, test } from 'vitest';
import { createEngine, createMemoryStorage, defineBlueprint } from '../src/index.js';
import { mayReadRoot } from '../src/engine/rule-reads.js';

describe('mayReadRoot (which rules get the record view)', () => {
  test.each([
    [{ '>': [{ var: 'fields.amount' }, 0] }, false],
    [{ '==': [{ var: 'record.stage' }, 'won'] }, true],
    [{ var: 'record' }, true],
    [{ var: '' }, true],
    [{ var: ['fields.x', { var: 'record.ownerId' }] }, true],
    [{ var: { cat: ['rec', 'ord.stage'] } }, true],
    [{ missing: ['fields.a', 'record.ownerId'] }, true],
    [{ missing: [{ var: 'event.data.key' }] }, true], // keys built at run time
    [{ missing_some: [1, ['fields.a', 'fields.b']] }, false],
    [{ missing_some: [1, { var: 'event.data.keys' }] }, true],
    [{ and: [{ in: ['rep', { var: 'actor.roles' }] }, { some: [{ var: 'fields.tags' }, { '==': [{ var: '' }, 'x'] }] }] }, true],
    [{ and: [{ in: ['rep', { var: 'actor.roles' }] }, { '<': [{ var: 'now' }, '2030'] }] }, false],
    [undefined, false],
    [true, false],
  ])('%j reads record: %s', (rule, expected) => {
    expect(mayReadRoot(rule, 'record')).toBe(expected);
  });

  test('guards that read the record see it; guards that do not still decide the same way', async () => {
    const bp = defineBlueprint({
      id: 'rv', version: 1, recordType: 'rv', initialStage: 'a',
      fields: { n: { type: 'number' } },
      stages: [{ id: 'a', kind: 'open' }, { id: 'b', kind: 'open' }, { id: 'c', kind: 'won' }],
      transitions: [
        { event: 'go', from: 'a', to: 'b', guard: { '>': [{ var: 'fields.n' }, 0] } },
        { event: 'go', from: 'b', to: 'c', guard: { and: [{ '==': [{ var: 'record.stage' }, 'b'] }, { '==': [{ var: { cat: ['record.', 'version'] } }, 2] }] } },
      ],
    });
    const engine = createEngine({ storage: createMemoryStorage(), blueprints: [bp] });
    const { record } = await engine.create('rv', { fields: { n: 1 } });
    expect((await engine.send(record.id, 'go')).ok).toBe(true);
    const last = await engine.send(record.id, 'go');
    expect(last.ok && last.record.stage).toBe('c');
  });
});
