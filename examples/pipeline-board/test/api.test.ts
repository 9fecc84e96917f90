import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import type { RunningBoard } from '../src/main.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (r: Response): Promise<any> => r.json();

describe('pipeline board API (smoke)', () => {
  let board: RunningBoard;
  beforeAll(async () => {
    board = await main({ port: 0, log: () => undefined });
  });
  afterAll(() => board.close());

  it('serves the page and the seeded board', async () => {
    expect(await (await fetch(board.url)).text()).toContain('<title>Dealflow pipeline board</title>');
    const b = await json(await fetch(`${board.url}/api/board`));
    expect(b.deals).toHaveLength(40);
    expect(new Set(b.deals.map((d: { stage: string }) => d.stage))).toEqual(new Set(['lead', 'qualified', 'proposal', 'negotiation', 'won', 'lost']));
    // overdue deals: the breach fired through the engine (history shows the 'overdue' event)
    const overdue = b.deals.find((d: { deadline: { breached: boolean } | null }) => d.deadline?.breached);
    const h = await json(await fetch(`${board.url}/api/deals/${overdue.id}/history`));
    expect(h.map((e: { event: string | null }) => e.event)).toContain('overdue');
  });

  it('rejections come back as 422 with the reason and nothing changes', async () => {
    const b = await json(await fetch(`${board.url}/api/board`));
    const deal = b.deals.find((d: { stage: string }) => d.stage === 'negotiation');
    const res = await fetch(`${board.url}/api/deals/${deal.id}/events`, { method: 'POST', body: JSON.stringify({ event: 'lose' }) });
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.rejection).toMatchObject({ reason: 'required_fields', missingFields: ['lossReason'] });
    const after = await json(await fetch(`${board.url}/api/board`));
    expect(after.deals.find((d: { id: string }) => d.id === deal.id).version).toBe(deal.version);
    expect((await fetch(`${board.url}/api/deals/nope/events`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${board.url}/api/deals/${deal.id}/events`, { method: 'POST', body: 'not json' })).status).toBe(400);
  });
});
