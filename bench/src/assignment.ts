/**
 * Assignment benchmark: leads routed per second by Dealflow's assignment rules (50 rules, 200 reps,
 * stable round robin (least recently served, kept in store counters) with per-period capacity
 * counters in the store, skill match, named owners, pool)
 * beside a hand-written if/else router of the same rules doing the same store work, in one run.
 * Both routers must give every lead the same owner before any time is reported.
 *
 * Run: pnpm --dir bench run assignment
 */
import { createAssigner, createMemoryDirectory, createMemoryStorage, createRuleEngine, ruleCompilerFrom } from '@dealflow/core';
import type { AssignmentRule, Rep, StorageTx, Team } from '@dealflow/core';
import { random } from './support/random.js';

const LEADS = 20_000;
const ROUNDS = 5;
const BATCH = 500;
const REGIONS = ['DE', 'FR', 'UK', 'NL', 'ES', 'US', 'CA', 'JP', 'SG', 'AU'];
const GROUPS = ['platform', 'analytics', 'services', 'api'];
const LANGS = ['en', 'de', 'fr', 'ja'];
const CAP = 1_000_000; // per-day cap: never reached, but checked and counted on every assignment
const NOW = '2026-01-05T09:00:00.000Z';
const DAY = NOW.slice(0, 10);

// 40 teams of 5 reps = 200 reps; each rep speaks two languages
const reps: Rep[] = [];
const teams: Team[] = [];
for (const region of REGIONS) {
  for (const group of GROUPS) {
    const id = `${region}-${group}`;
    const members: string[] = [];
    for (let i = 0; i < 5; i++) {
      const rep = `${id}-r${i}`;
      members.push(rep);
      reps.push({ id: rep, region, attributes: { language: [LANGS[i % 4]!, LANGS[(i + 1) % 4]!] }, capacity: { maxPerPeriod: CAP, period: 'day' } });
    }
    teams.push({ id, region, memberIds: members });
  }
}

// 50 rules: 9 VIP named owners, 40 region × product-group round robins with language match, default pool
const VIP = Array.from({ length: 9 }, (_, i) => `vip-${i}`);
const rules: AssignmentRule[] = [
  ...VIP.map((code, i) => ({ id: `vip-${i}`, when: { '==': [{ var: 'fields.account' }, code] }, assign: { strategy: 'owner' as const, owner: reps[i * 20]!.id } })),
  ...teams.map((t) => ({
    id: `rr-${t.id}`,
    when: { and: [{ '==': [{ var: 'fields.region' }, t.region] }, { '==': [{ var: 'fields.group' }, t.id.split('-')[1]] }] },
    assign: { strategy: 'roundRobin' as const, team: t.id, match: { language: { var: 'fields.language' } } },
  })),
  { id: 'default', assign: { strategy: 'pool', pool: 'general' } },
];

const rnd = random(7);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const leads = Array.from({ length: LEADS }, (_, i) => ({
  id: `lead-${i}`,
  type: 'lead',
  fields: {
    region: rnd() < 0.03 ? 'MARS' : pick(REGIONS),
    group: pick([...GROUPS, 'other']),
    language: pick(LANGS),
    account: rnd() < 0.02 ? pick(VIP) : `acct-${i}`,
  },
}));

// ── the hand-written router: the same rules as if/else, the same store counters ──
const teamById = new Map(teams.map((t) => [t.id, [...t.memberIds].sort()]));
const repById = new Map(reps.map((r) => [r.id, r]));
const vipOwner = new Map(VIP.map((code, i) => [code, reps[i * 20]!.id]));
async function takeSlot(tx: StorageTx, rep: string): Promise<boolean> {
  const key = `assign:period:${rep}:${DAY}`;
  const used = await tx.incrementCounter(key, 1);
  if (used > CAP) { await tx.incrementCounter(key, -1); return false; }
  return true;
}
const teamRules = teams.map((t) => ({ team: t.id, region: t.region!, group: t.id.split('-')[1]! }));
/** The same 50 rules, written by hand in the same order: first match wins. */
async function handRoute(tx: StorageTx, lead: (typeof leads)[number]): Promise<string | null> {
  const f = lead.fields;
  for (let i = 0; i < VIP.length; i++) {
    if (f.account === VIP[i]) {
      const owner = vipOwner.get(VIP[i]!)!;
      if (await takeSlot(tx, owner)) return owner;
    }
  }
  for (const rule of teamRules) {
    if (f.region === rule.region && f.group === rule.group) {
      const members = teamById.get(rule.team)!.filter((id) => (repById.get(id)!.attributes!.language as string[]).includes(f.language));
      if (members.length === 0) continue;
      // stable round robin: the member served least recently (ties: id order), as the engine does
      const key = `assign:rr:${rule.team}`;
      const turn = await tx.incrementCounter(key, 1);
      const last = await Promise.all(members.map((id) => tx.getCounter(`${key}:last:${id}`)));
      const order = members.map((id, i) => ({ id, i, last: last[i]! })).sort((a, b) => a.last - b.last || a.i - b.i);
      for (const { id } of order) {
        if (await takeSlot(tx, id)) {
          await tx.setCounter(`${key}:last:${id}`, turn);
          return id;
        }
      }
    }
  }
  return null; // default rule: pool
}

// ── Dealflow ──
const directory = createMemoryDirectory({ reps, teams });
const assigner = createAssigner({ config: { rules }, directory, compiler: ruleCompilerFrom(createRuleEngine()) });

async function run(name: string, route: (tx: StorageTx, lead: (typeof leads)[number]) => Promise<string | null>): Promise<{ ms: number; owners: Array<string | null> }> {
  const storage = createMemoryStorage();
  const owners: Array<string | null> = [];
  const t0 = performance.now();
  for (let i = 0; i < leads.length; i += BATCH) {
    await storage.transaction('bench', async (tx) => {
      for (let j = i; j < Math.min(i + BATCH, leads.length); j++) owners.push(await route(tx, leads[j]!));
    });
  }
  void name;
  return { ms: performance.now() - t0, owners };
}
const viaDealflow = async (tx: StorageTx, lead: (typeof leads)[number]) => (await assigner.decide(tx, lead, NOW)).ownerId;

// correctness first: both routers agree on every lead
const a = await run('hand', handRoute);
const b = await run('dealflow', viaDealflow);
for (let i = 0; i < leads.length; i++) {
  if (a.owners[i] !== b.owners[i]) throw new Error(`routers disagree on ${leads[i]!.id}: hand=${a.owners[i]} dealflow=${b.owners[i]}`);
}

const hand: number[] = [];
const df: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  hand.push((await run('hand', handRoute)).ms);
  df.push((await run('dealflow', viaDealflow)).ms);
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const handRate = LEADS / (median(hand) / 1000);
const dfRate = LEADS / (median(df) / 1000);
const ratio = dfRate / handRate;
const pooled = b.owners.filter((o) => o === null).length;

console.log(`assignment: ${LEADS} leads, ${rules.length} rules, ${reps.length} reps, ${ROUNDS} rounds (median), memory store, ${BATCH} leads per transaction`);
console.log(`(both routers gave all ${LEADS} leads the same owner; ${pooled} went to the pool)`);
console.log('');
console.log('router                     leads/s      ms/round   vs hand');
console.log(`hand-written if/else   ${handRate.toFixed(0).padStart(10)}   ${median(hand).toFixed(1).padStart(10)}   1.00x`);
console.log(`dealflow rules         ${dfRate.toFixed(0).padStart(10)}   ${median(df).toFixed(1).padStart(10)}   ${ratio.toFixed(2)}x`);
console.log(JSON.stringify({ bench: 'assignment', leads: LEADS, rules: rules.length, reps: reps.length, leads_per_s_dealflow: Math.round(dfRate), leads_per_s_hand: Math.round(handRate), ratio_vs_hand_router: Number(ratio.toFixed(3)) }));
