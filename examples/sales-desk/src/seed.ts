import type { CreateManyItem } from '@dealflow/core';
import { createRng, quarterOf } from '@dealflow/forecast';
import type { Desk } from './desk.js';

const DAY = 86_400_000;
const COMPANIES = ['Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark', 'Wayne', 'Tyrell', 'Cyberdyne', 'Soylent', 'Wonka', 'Acme', 'Aperture', 'Vandelay', 'Dunder', 'Pied Piper', 'Massive Dynamic'];
const NEEDS = ['CRM rollout', 'ERP upgrade', 'Sales analytics', 'Call-centre seats', 'Field sales app'];
const PATH = ['proposal', 'negotiation', 'contracting'] as const;

/**
 * Seeds a new desk (an empty store) with two quarters of the team's past deals, each with its
 * stage history (imported with `createMany`'s past stages, so forecasts learn from it), a few
 * deals in flight, and the quotas of this quarter and the next. Writes nothing when deals exist already.
 */
export async function seedDesk(desk: Desk, seed = 7): Promise<{ seeded: boolean; deals: number }> {
  const { engine } = desk;
  if ((await engine.storage.queryRecords(engine.tenantId, { type: 'deal', limit: 1 })).length > 0) return { seeded: false, deals: 0 };
  const rng = createRng(seed);
  const now = desk.clock.now().getTime();
  const reps = desk.people.users.filter((u) => u.roles.includes('rep')).map((u) => u.id);
  const iso = (ms: number) => new Date(ms).toISOString();
  const items: CreateManyItem[] = [];
  for (let i = 0; i < 90; i++) {
    const open = i >= 80;
    const owner = reps[i % reps.length]!;
    const amount = Math.round((20 + rng.next() * 180) * 10) * 100;
    const company = COMPANIES[i % COMPANIES.length]!;
    // closed deals start 25…180 days ago; deals in flight a few days ago
    let t = open ? now - (2 + rng.next() * 4) * DAY : now - (25 + rng.next() * 155) * DAY;
    const created = t;
    const stages: Array<{ stage: string; at: string }> = [];
    const reach = open ? Math.floor(rng.next() * 3) : Math.floor(rng.next() * 4); // how far along the path it got
    for (let s = 0; s < reach; s++) {
      t += (open ? 0.3 : 3 + rng.next() * 9) * DAY;
      stages.push({ stage: PATH[s]!, at: iso(t) });
    }
    let lostReason: string | undefined;
    if (!open) {
      t += (2 + rng.next() * 8) * DAY;
      const won = reach >= 2 && rng.next() < 0.7;
      if (!won) lostReason = (['price', 'competitor', 'no_decision', 'timing'] as const)[Math.floor(rng.next() * 4)]!;
      stages.push({ stage: won ? 'won' : 'lost', at: iso(Math.min(t, now - DAY)) });
    }
    items.push({
      fields: {
        title: `${company} – ${NEEDS[i % NEEDS.length]}`, amount, region: 'east', source: 'referral',
        decisionMaker: 'Purchasing', quoteSent: iso(created).slice(0, 10), closeDate: iso(t + 10 * DAY).slice(0, 10),
        ...(lostReason ? { lostReason } : {}),
      },
      ownerId: owner,
      createdAt: iso(created),
      stages,
      idempotencyKey: `seed-deal-${i}`,
    });
  }
  const results = await engine.createMany('deal', items, { actor: engine.system }); // seeding is the app's own job, not a user's
  const refused = results.filter((r) => !r.ok);
  if (refused.length > 0) throw new Error(`seed: ${refused.length} deal(s) refused, first: ${JSON.stringify(refused[0])}`);
  // this quarter's and the next one's quotas
  const current = quarterOf(now);
  for (const period of [current.id, quarterOf(current.toMs).id]) {
    for (const rep of reps) await desk.quotas.set({ scope: 'rep', subject: rep, period, metric: 'value', amount: 600_000 });
  }
  return { seeded: true, deals: items.length };
}
