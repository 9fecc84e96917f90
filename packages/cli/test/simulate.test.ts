import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defineBlueprint } from '@dealflow/core';
import { compareSimulations, parseScenario, simulate } from '@dealflow/cli';
import { cli } from './helpers.js';

const deal = defineBlueprint(JSON.parse(readFileSync(new URL('./fixtures/deal.json', import.meta.url), 'utf8')));
const sla2 = defineBlueprint(JSON.parse(readFileSync(new URL('./fixtures/deal-sla2.json', import.meta.url), 'utf8')));

describe('simulate', () => {
  it('puts every generated record somewhere and counts breaches the store fired', async () => {
    const r = await simulate(deal, { records: 120, days: 20, seed: 3 });
    expect(r.stages.reduce((a, s) => a + s.count, 0)).toBe(120);
    expect(r.stages.map((s) => s.stage)).toEqual(['new', 'qualified', 'escalated', 'proposal', 'won', 'lost']);
    // every breach of 'qualified' sends 'escalate', which moves the record: breaches = escalations
    expect(r.breaches.total).toBeGreaterThan(0);
    expect(r.breaches.byStage).toEqual({ qualified: r.breaches.total });
    expect(r.escalations.byEvent.escalate).toBe(r.breaches.total);
    // records only reach 'escalated' through a breach, and cannot leave it except to proposal/lost
    expect(r.stages.find((s) => s.stage === 'escalated')!.count).toBeLessThanOrEqual(r.breaches.total);
    // proposal needs amount and decisionMaker: some first tries are rejected
    expect(r.rejections.required_fields ?? 0).toBeGreaterThan(0);
  });

  it('is deterministic for a seed and differs between seeds', async () => {
    const a = await simulate(deal, { records: 60, days: 15, seed: 7 });
    const b = await simulate(deal, { records: 60, days: 15, seed: 7 });
    const c = await simulate(deal, { records: 60, days: 15, seed: 8 });
    expect(b).toEqual(a);
    expect(c.stages).not.toEqual(a.stages);
  });

  it('what-if: a tighter SLA (3 → 2 days) never breaches less on the same seed (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 10_000 }), async (seed) => {
        const base = await simulate(deal, { records: 40, days: 12, seed });
        const policy = await simulate(sla2, { records: 40, days: 12, seed });
        const diff = compareSimulations(base, policy);
        expect(diff.breaches.delta).toBeGreaterThanOrEqual(0);
        expect(diff.breaches.delta).toBe(policy.breaches.total - base.breaches.total);
        // records arrive identically: the same number of records in both runs
        expect(policy.stages.reduce((a, s) => a + s.count, 0)).toBe(base.stages.reduce((a, s) => a + s.count, 0));
      }),
      { numRuns: 4 },
    );
  });

  it('reports which guard and which missing fields rejected how often, adding up to the rejections', async () => {
    const r = await simulate(deal, { records: 150, days: 20, seed: 4 });
    const total = Object.values(r.rejections).reduce((a, b) => a + b, 0);
    expect(r.rejectedBy.reduce((a, x) => a + x.count, 0)).toBe(total);
    expect(r.rejectedBy).toContainEqual(expect.objectContaining({ reason: 'required_fields', event: 'propose', fields: expect.arrayContaining(['decisionMaker']) }));
    // most frequent first
    for (let i = 1; i < r.rejectedBy.length; i++) expect(r.rejectedBy[i]!.count).toBeLessThanOrEqual(r.rejectedBy[i - 1]!.count);
  });

  it('a scenario sets field distributions and event weights', async () => {
    // decision makers always known and amounts always positive: propose is never rejected
    const sure = await simulate(deal, { records: 100, days: 20, seed: 2, scenario: { fields: { amount: { min: 1000, max: 5000 }, decisionMaker: { value: 'CFO' } } } });
    expect(sure.rejectedBy.filter((x) => x.event === 'propose')).toEqual([]);
    // nobody ever sends 'win': nothing is won
    const never = await simulate(deal, { records: 100, days: 20, seed: 2, scenario: { events: { win: 0 } } });
    expect(never.stages.find((s) => s.stage === 'won')!.count).toBe(0);
    expect(() => parseScenario({ fields: { budget: { p: 0.5 } } }, { fields: new Set(['amount']), events: new Set() })).toThrow(/unknown field 'budget'/);
  });

  it('rejects bad options with a DealflowError naming the option', async () => {
    await expect(simulate(deal, { records: -1 })).rejects.toThrow(/records must be a whole number/);
    await expect(simulate(deal, { meanDwell: 'two days' })).rejects.toThrow(/meanDwell: 'two days' is not a positive ISO-8601 duration/);
  });
});

describe('dealflow simulate', () => {
  it('prints stage distribution, breaches and escalations, and the what-if difference', async () => {
    const r = await cli(['simulate', 'fixtures/deal.json', '--records', '80', '--days', '15', '--seed', '2', '--policy', 'fixtures/deal-sla2.json']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Simulated 80 record\(s\) of 'deal' v1 over 15 day\(s\), seed 2/);
    expect(r.out).toMatch(/Stage distribution at the end/);
    expect(r.out).toMatch(/Deadline breaches: \d+/);
    expect(r.out).toMatch(/Escalations: \d+/);
    expect(r.out).toMatch(/What-if: fixtures\/deal-sla2\.json vs fixtures\/deal\.json \(same seed\)/);
    expect(r.out).toMatch(/deadline breaches\s+\d+\s+\d+\s+[+]?\d+/);
    expect(r.err).not.toMatch(/\r/); // off a terminal: plain lines (one every 5 s), never a redrawn bar
  });

  it('--json matches the library result for the same options', async () => {
    const r = await cli(['simulate', 'fixtures/deal.json', '-n', '30', '-d', '10', '-s', '5', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(JSON.parse(JSON.stringify(await simulate(deal, { records: 30, days: 10, seed: 5 }))));
  });

  it('shows progress with rate and ETA on a TTY', async () => {
    const r = await cli(['simulate', 'fixtures/deal.json', '-n', '5', '-d', '2'], { tty: true });
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/fixtures\/deal\.json 100% day 2\/2 · [\d,]+ steps\/s · done in \d+s/);
  });

  it('bad numbers are one line and exit 1', async () => {
    const r = await cli(['simulate', 'fixtures/deal.json', '--records', 'many']);
    expect(r.code).toBe(1);
    expect(r.err).toBe("dealflow: --records must be a whole number ≥ 0, got 'many'\n");
  });
});
