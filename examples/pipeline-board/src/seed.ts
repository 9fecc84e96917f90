import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Engine } from '@dealflow/core';
import { parseCsv } from '@dealflow/forecast';

/** The CRM Sales Opportunities dataset shipped with the repository. */
export const CRM_DIR = fileURLToPath(new URL('../../../test/fixtures/crm-sales-opportunities/', import.meta.url));

/** A clock the seeding moves by hand, then hands over to real time. */
export interface SeedClock {
  now(): Date;
  set(time: Date | null): void;
}

/** `set(null)` = real time. */
export function createSeedClock(): SeedClock {
  let fixed: Date | null = null;
  return { now: () => (fixed ? new Date(fixed) : new Date()), set: (t) => void (fixed = t) };
}

function rows(file: string): Record<string, string>[] {
  const [header, ...body] = parseCsv(readFileSync(`${CRM_DIR}${file}`, 'utf8'));
  return body.filter((r) => r.length > 1).map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}

const OPEN_PATH = ['lead', 'qualified', 'proposal', 'negotiation'] as const;
const EVENT_INTO: Record<string, string> = { qualified: 'qualify', proposal: 'propose', negotiation: 'negotiate', won: 'win' };
const DEADLINE_DAYS: Record<string, number> = { lead: 7, qualified: 14, proposal: 10, negotiation: 21 };
const DECISION_MAKERS = ['CFO', 'Head of IT', 'COO', 'VP Sales', 'CEO', 'Procurement lead'];
const DAY = 86_400_000;

/**
 * Seeds the board from the CRM dataset: `open` engaging opportunities spread over the four open
 * stages (some past their stage deadline), plus a few won and lost ones, each moved through the
 * engine on the seed clock so history, timers and deadlines are real. Deals before `proposal`
 * have no decision maker yet, so moving them on needs one.
 */
export async function seedBoard(engine: Engine, clock: SeedClock, options: { open?: number; closed?: number } = {}): Promise<number> {
  const key = (product: string | undefined) => (product ?? '').replace(/\s+/g, '').toLowerCase();
  const priceMap = new Map(rows('products.csv').map((p) => [key(p.product), Number(p.sales_price)]));
  const prices = { get: (product: string) => priceMap.get(key(product)) };
  const all = rows('sales_pipeline.csv');
  const open = all.filter((r) => r.deal_stage === 'Engaging' && r.account).slice(0, options.open ?? 32);
  const nClosed = options.closed ?? 8;
  const wonRows = all.filter((r) => r.deal_stage === 'Won' && r.account).slice(0, Math.ceil(nClosed * 0.6));
  const lostRows = all.filter((r) => r.deal_stage === 'Lost' && r.account).slice(0, nClosed - wonRows.length);
  const closed = wonRows.flatMap((w, k) => (lostRows[k] ? [w, lostRows[k]!] : [w]));
  const now = Date.now();
  let n = 0;
  const move = async (id: string, agent: string, stages: readonly string[], enteredLast: number, fields: (stage: string) => Record<string, unknown> | undefined) => {
    // stage i was entered 3 days before stage i + 1
    for (let i = 1; i < stages.length; i++) {
      const stage = stages[i]!;
      clock.set(new Date(enteredLast - (stages.length - 1 - i) * 3 * DAY));
      const f = fields(stage);
      const res = await engine.send(id, f ? { type: EVENT_INTO[stage] ?? 'lose', fields: f } : EVENT_INTO[stage] ?? 'lose', { actor: { id: agent } });
      if (!res.ok) throw new Error(`seed: ${id} ${res.rejection.message}`);
    }
  };
  for (const [i, r] of open.entries()) {
    const target = i % 4;
    const stages = OPEN_PATH.slice(0, target + 1);
    const limit = DEADLINE_DAYS[OPEN_PATH[target]!]!;
    // age in the current stage: most within the deadline, every fifth one past it
    const age = i % 5 === 4 ? limit + 1 + (i % 3) : ((i * 7) % Math.max(1, limit - 1)) + 0.4;
    const enteredLast = now - age * DAY;
    const id = `deal-${r.opportunity_id}`;
    clock.set(new Date(enteredLast - target * 3 * DAY - DAY));
    await engine.create('deal', { id, ownerId: r.sales_agent!, fields: { account: r.account || 'Unknown account', product: r.product, amount: prices.get(r.product!) ?? 1000 } }, { actor: { id: r.sales_agent! } });
    await move(id, r.sales_agent!, stages, enteredLast, (stage) => (stage === 'proposal' ? { decisionMaker: DECISION_MAKERS[i % DECISION_MAKERS.length] } : undefined));
    n++;
  }
  for (const [i, r] of closed.entries()) {
    const won = r.deal_stage === 'Won';
    const id = `deal-${r.opportunity_id}`;
    const closedAt = now - (2 + i) * DAY;
    const stages = won ? [...OPEN_PATH, 'won'] : ['lead', 'qualified', 'lost'];
    clock.set(new Date(closedAt - (stages.length - 1) * 3 * DAY - DAY));
    await engine.create('deal', { id, ownerId: r.sales_agent!, fields: { account: r.account || 'Unknown account', product: r.product, amount: Number(r.close_value) || (prices.get(r.product!) ?? 1000) } }, { actor: { id: r.sales_agent! } });
    await move(id, r.sales_agent!, stages, closedAt, (stage) =>
      stage === 'proposal' ? { decisionMaker: DECISION_MAKERS[i % DECISION_MAKERS.length] } : stage === 'lost' ? { lossReason: 'Chose a competitor' } : undefined,
    );
    n++;
  }
  clock.set(null);
  await engine.runDue(); // deadlines that passed while seeding are breached now
  return n;
}
