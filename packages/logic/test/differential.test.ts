import { readFileSync } from 'node:fs';
import jsonLogic from 'json-logic-js';
import { describe, expect, it } from 'vitest';
import { compileRule, createRuleEngine, validateRule } from '../src/index.js';

type Case = [unknown, unknown, unknown];
const raw = JSON.parse(readFileSync(new URL('./fixtures/jsonlogic/tests.json', import.meta.url), 'utf8')) as unknown[];
const cases = raw.filter((c): c is Case => Array.isArray(c));

const closures = createRuleEngine({ compiler: 'closures' });

describe('official JsonLogic suite: compileRule agrees with json-logic-js', () => {
  it('has the 278 vendored cases', () => {
    expect(cases).toHaveLength(278);
  });

  it.each(cases.map((c, i) => [i, ...c] as const))('case %i', (_i, rule, data, expected) => {
    expect(validateRule(rule)).toEqual([]);
    const reference = jsonLogic.apply(rule as jsonLogic.RulesLogic, data);
    const ours = compileRule(rule)(data);
    const viaClosures = closures.compile(rule)(data);
    expect(reference).toEqual(expected);
    expect(ours).toStrictEqual(reference);
    expect(viaClosures).toStrictEqual(reference);
  });
});
