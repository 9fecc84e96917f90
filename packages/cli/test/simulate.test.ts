import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defineBlueprint } from '@dealflow/core';
import { compareSimulations, simulate } from '@dealflow/cli';
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
    expect(r.err).toBe(''); // no progress bar when stderr is not a TTY
  });

  it('--json matches the library result for the same options', async () => {
    const r = await cli(['simulate', 'fixtures/deal.json', '-n', '30', '-d', '10', '-s', '5', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(JSON.parse(JSON.stringify(await simulate(deal, { records: 30, days: 10, seed: 5 }))));
  });

  it('shows a progress bar on a TTY', async () => {
    const r = await cli(['simulate', 'fixtures/deal.json', '-n', '5', '-d', '2'], { tty: true });
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/fixtures\/deal\.json \[.*\] \d+%/);
  });

  it('bad numbers are one line and exit 1', async () => {
    const r = await cli(['simulate', 'fixtures/deal.json', '--records', 'many']);
    expect(r.code).toBe(1);
    expect(r.err).toBe("dealflow: --records must be a whole number ≥ 0, got 'many'\n");
  });
});
