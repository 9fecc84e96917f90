import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { readOpportunities, replayDataset } from '../src/replay.js';

describe('dataset-replay example', () => {
  it('main() replays a subset and prints the reports', async () => {
    let printed = '';
    const r = await main({ limit: 300, log: (s) => (printed += s) });
    expect(r.deals).toBe(300);
    expect(r.rejected).toBe(0);
    expect(printed).toMatch(/Replayed 300 opportunities/);
    for (const title of ['Conversion', 'Sales cycle', 'Win rate by agent', 'Bookings forecast']) expect(printed).toContain(title);
  });

  it('imports every opportunity with its real outcome, close value and dates', async () => {
    const opps = readOpportunities(undefined, 500);
    const replay = await replayDataset({ limit: 500 });
    try {
      const byId = new Map(replay.records.map((r) => [r.id, r]));
      const expectStage = { Prospecting: 'prospecting', Engaging: 'engaging', Won: 'won', Lost: 'lost' } as const;
      for (const o of opps) {
        const rec = byId.get(o.id)!;
        expect(rec.stage).toBe(expectStage[o.stage]);
        expect(rec.ownerId).toBe(o.agent);
        if (o.stage === 'Won') expect(rec.fields.amount).toBe(o.closeValue);
        if (o.closeDate) expect(rec.stageEnteredAt.slice(0, 10)).toBe(o.closeDate);
      }
      // history is in time order per record: engaged before closed
      const first = replay.history.filter((h) => h.recordId === opps.find((o) => o.stage === 'Won')!.id).map((h) => h.event ?? h.kind);
      expect(first).toEqual(['created', 'engage', 'win']);
    } finally {
      await replay.close();
    }
  });
});
