import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { createEngine, createManualClock, createMemoryDirectory, createMemoryStorage } from '../src/index.js';
import type { Rep, SalesRulesInput, Team } from '../src/index.js';
import { leadJson } from './assignment-helpers.js';

/**
 * Scenario: the CRM dataset's sales teams (agents, managers, regional offices) and their won deals
 * per product become the directory; 1 000 generated leads are routed by region and product with
 * capacity caps, and the distribution rules are checked lead by lead.
 */
const dir = fileURLToPath(new URL('../../../test/fixtures/crm-sales-opportunities/', import.meta.url));
function csv(name: string): Array<Record<string, string>> {
  const [head, ...rows] = readFileSync(dir + name, 'utf8').trim().split(/\r?\n/);
  const cols = head!.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i]!, v])));
}
const fixProduct = (p: string) => (p === 'GTXPro' ? 'GTX Pro' : p);

const teamsCsv = csv('sales_teams.csv');
const products = csv('products.csv').map((p) => p.product!);
const won = new Map<string, Map<string, number>>();
for (const d of csv('sales_pipeline.csv')) {
  if (d.deal_stage !== 'Won') continue;
  const m = won.get(d.sales_agent!) ?? new Map<string, number>();
  m.set(fixProduct(d.product!), (m.get(fixProduct(d.product!)) ?? 0) + 1);
  won.set(d.sales_agent!, m);
}
const SKILL_MIN_WINS = 20;
const CAP = 30;

const reps: Rep[] = [];
const teams = new Map<string, Team>();
for (const row of teamsCsv) {
  const agent = row.sales_agent!;
  const skills = [...(won.get(agent) ?? new Map()).entries()].filter(([, n]) => n >= SKILL_MIN_WINS).map(([p]) => p);
  reps.push({ id: agent, managerId: row.manager!, region: row.regional_office!, roles: ['rep'], attributes: { products: skills }, capacity: { maxOpen: CAP } });
  const team = teams.get(row.manager!) ?? { id: row.manager!, managerId: row.manager!, region: row.regional_office!, memberIds: [] };
  team.memberIds.push(agent);
  teams.set(row.manager!, team);
}
for (const t of teams.values()) reps.push({ id: t.id, region: t.region, roles: ['manager'] });
const regions = [...new Set(teamsCsv.map((r) => r.regional_office!))].sort();

const rules: SalesRulesInput = {
  assignment: {
    rules: [
      ...regions.map((region) => ({
        id: `${region}-product`,
        when: { '==': [{ var: 'fields.region' }, region] },
        assign: { strategy: 'leastLoaded' as const, match: { region: { var: 'fields.region' }, products: { var: 'fields.product' } } },
      })),
      ...regions.map((region) => ({
        id: `${region}-any`,
        when: { '==': [{ var: 'fields.region' }, region] },
        assign: { strategy: 'roundRobin' as const, match: { region: { var: 'fields.region' } } },
      })),
      { id: 'default', assign: { strategy: 'pool' as const, pool: 'unrouted' } },
    ],
  },
};

function prng(seed: number) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('routing scenario on the CRM dataset', () => {
  test('1 000 leads by region and product with capacity caps', async () => {
    expect(reps.filter((r) => r.roles?.includes('rep'))).toHaveLength(35);
    const directory = createMemoryDirectory({ reps, teams: [...teams.values()] });
    const engine = createEngine({ storage: createMemoryStorage(), blueprints: [leadJson()], clock: createManualClock(), rules, directory });
    const rand = prng(42);
    const byId = new Map(reps.map((r) => [r.id, r]));
    const load = new Map<string, number>(); // kept by the test from the results, independent of the engine
    const usedRules = new Map<string, number>();
    let pooled = 0;
    for (let i = 0; i < 1000; i++) {
      const region = rand() < 0.04 ? 'Atlantis' : regions[Math.floor(rand() * regions.length)]!;
      const product = products[Math.floor(rand() * products.length)]!;
      const { record, events } = await engine.create('lead', { fields: { name: `Lead ${i}`, region, product } });
      const ruleId = (events[0]!.data.assignment as { ruleId: string }).ruleId;
      usedRules.set(ruleId, (usedRules.get(ruleId) ?? 0) + 1);
      const inRegion = reps.filter((r) => r.region === region && r.roles?.includes('rep'));
      const skilled = inRegion.filter((r) => (r.attributes!.products as string[]).includes(product));
      const free = (rs: Rep[]) => rs.filter((r) => (load.get(r.id) ?? 0) < CAP);
      if (ruleId === `${region}-product`) {
        const rep = byId.get(record.ownerId!)!;
        // territory and skill hold, and it was the least loaded skilled rep
        expect(rep.region).toBe(region);
        expect(rep.attributes!.products).toContain(product);
        const min = Math.min(...free(skilled).map((r) => load.get(r.id) ?? 0));
        expect(load.get(rep.id) ?? 0).toBe(min);
      } else if (ruleId === `${region}-any`) {
        // only when no skilled rep of the region had room
        expect(free(skilled)).toEqual([]);
        expect(byId.get(record.ownerId!)!.region).toBe(region);
      } else {
        expect(ruleId).toBe('default');
        expect(record.ownerId).toBeNull();
        expect(region === 'Atlantis' || free(inRegion).length === 0).toBe(true);
        pooled++;
      }
      if (record.ownerId) load.set(record.ownerId, (load.get(record.ownerId) ?? 0) + 1);
    }
    // capacity caps hold for every rep; every lead is placed exactly once
    for (const [rep, n] of load) expect(n, rep).toBeLessThanOrEqual(CAP);
    expect([...load.values()].reduce((a, b) => a + b, 0) + pooled).toBe(1000);
    // the stored records agree with what the engine returned
    for (const [rep, n] of load) expect(await engine.query({ ownerId: rep })).toHaveLength(n);
    expect(await engine.query({ ownerId: null })).toHaveLength(pooled);
    // the data makes every rule type fire (skill routing, regional fallback under caps, pool)
    for (const region of regions) expect(usedRules.get(`${region}-product`) ?? 0).toBeGreaterThan(0);
    expect(regions.some((r) => (usedRules.get(`${r}-any`) ?? 0) > 0)).toBe(true);
    expect(usedRules.get('default') ?? 0).toBeGreaterThan(0);
  });
});
