import { describe, expect, it } from 'vitest';
import { isDealflowError } from '@dealflow/core';
import {
  conversionRates,
  funnelAt,
  leaderboard,
  pipelineCoverage,
  repKpis,
  salesCycle,
  slaBreachRate,
  timeInStage,
  winRates,
} from '../src/index.js';
import { day, deal, dataset, smallBook } from './helpers.js';

describe('conversionRates', () => {
  it('counts entries and moves per stage', () => {
    const r = conversionRates(smallBook());
    const lead = r.find((c) => c.stage === 'lead')!;
    // lead entered by A, B, C, D = 4; moved to qualified by A, B, C = 3 → 3/4; later won: A → 1/4
    expect(lead.entered).toBe(4);
    expect(lead.movedTo).toEqual({ qualified: 3 });
    expect(lead.rates.qualified).toBeCloseTo(0.75);
    expect(lead.winRate).toBeCloseTo(0.25);
    const q = r.find((c) => c.stage === 'qualified')!;
    // qualified entered by A, B, C = 3; → won 1 (A), → lost 1 (B): 1/3 each
    expect(q.entered).toBe(3);
    expect(q.rates.won).toBeCloseTo(1 / 3);
    expect(q.rates.lost).toBeCloseTo(1 / 3);
  });

  it('rejects a record in a stage the stage list does not know', () => {
    const data = dataset(deal('Z', [['nowhere', 0]]));
    expect(() => conversionRates(data)).toThrowError(/record 'Z' is in stage 'nowhere'/);
  });
});

describe('timeInStage', () => {
  it('gives median and p90 of completed stays (type-7 quantiles)', () => {
    const r = timeInStage(smallBook());
    const lead = r.find((s) => s.stage === 'lead')!;
    // completed lead stays: A 2 d, B 4 d, C 2 d → [2, 2, 4]; median 2; p90 at position 1.8 → 2 + 0.8·2 = 3.6
    expect(lead.count).toBe(3);
    expect(lead.median).toBeCloseTo(2);
    expect(lead.p90).toBeCloseTo(3.6);
    expect(lead.mean).toBeCloseTo(8 / 3);
    const q = r.find((s) => s.stage === 'qualified')!;
    // A 8 d, B 2 d → [2, 8]: median 5, p90 = 2 + 0.9·6 = 7.4
    expect(q.median).toBeCloseTo(5);
    expect(q.p90).toBeCloseTo(7.4);
  });

  it('only counts stays that ended by asOf', () => {
    // at day 3: only A's lead stay (2 d) has ended; B leaves lead on day 4, C on day 3 (= asOf, counted)
    const lead = timeInStage({ ...smallBook(), asOf: day(3) }).find((s) => s.stage === 'lead')!;
    expect(lead.count).toBe(2);
    expect(lead.median).toBeCloseTo(2);
  });
});

describe('slaBreachRate', () => {
  it('counts decided stays that exceeded the limit', () => {
    const r = slaBreachRate({ ...smallBook(), sla: { lead: 3, qualified: 5 }, asOf: day(12) });
    // lead (3 d): A 2 ok, B 4 breach, C 2 ok, D open 7 d > 3 breach → 2/4
    expect(r[0]).toMatchObject({ stage: 'lead', stays: 4, breached: 2, rate: 0.5 });
    // qualified (5 d): A 8 breach, B 2 ok, C open 9 d breach → 2/3
    expect(r[1]).toMatchObject({ stage: 'qualified', stays: 3, breached: 2 });
    expect(r[1]!.rate).toBeCloseTo(2 / 3);
  });

  it('leaves out open stays still within their limit', () => {
    // at day 6: D has been in lead 1 day (< 3): undecided, not counted → lead stays A, B, C = 3, 1 breach
    const r = slaBreachRate({ ...smallBook(), sla: { lead: 3 }, asOf: day(6) });
    expect(r[0]).toMatchObject({ stays: 3, breached: 1 });
  });

  it('rejects an unknown stage', () => {
    expect(() => slaBreachRate({ ...smallBook(), sla: { nope: 1 } })).toThrowError(/unknown stage 'nope'/);
  });
});

describe('salesCycle and winRates', () => {
  it('measures creation → close', () => {
    const r = salesCycle(smallBook());
    // A won after 10 d, B lost after 6 d; all = [6, 10] → median 8
    expect(r.won.median).toBe(10);
    expect(r.lost.median).toBe(6);
    expect(r.all.median).toBe(8);
    expect(r.all.count).toBe(2);
  });

  it('groups win rate by owner and by a field', () => {
    // ann: A won, B lost → 1/2; bob: nothing closed → no row
    expect(winRates({ ...smallBook(), by: 'owner' })).toEqual([{ key: 'ann', won: 1, lost: 1, rate: 0.5, wonAmount: 100 }]);
    // product X: A won → 1; product Y: B lost → 0
    expect(winRates({ ...smallBook(), by: 'product' }).map((r) => [r.key, r.rate])).toEqual([['X', 1], ['Y', 0]]);
  });

  it('restricts to a period', () => {
    // only B closes in [d5, d8)
    expect(winRates({ ...smallBook(), by: 'owner', period: { from: day(5), to: day(8) } })).toEqual([{ key: 'ann', won: 0, lost: 1, rate: 0, wonAmount: 0 }]);
  });
});

describe('repKpis and leaderboard', () => {
  it('computes per-rep KPIs at a date', () => {
    const k = repKpis({ ...smallBook(), asOf: day(12) });
    const ann = k.find((r) => r.owner === 'ann')!;
    const bob = k.find((r) => r.owner === 'bob')!;
    expect(ann).toMatchObject({ open: 0, won: 1, lost: 1, wonAmount: 100, winRate: 0.5, averageDealSize: 100, medianCycleDays: 10 });
    // bob: C (80) and D (20) open → 2 open, 100 open amount
    expect(bob).toMatchObject({ open: 2, openAmount: 100, won: 0, lost: 0 });
  });

  it('ranks with shared ranks for ties', () => {
    const base = { open: 0, openAmount: 0, won: 1, lost: 0, winRate: 1, averageDealSize: 1, medianCycleDays: 1 };
    const rows = leaderboard([
      { ...base, owner: 'c', wonAmount: 5 },
      { ...base, owner: 'a', wonAmount: 9 },
      { ...base, owner: 'b', wonAmount: 5 },
      { ...base, owner: 'd', wonAmount: 1 },
    ]);
    expect(rows.map((r) => [r.owner, r.rank])).toEqual([['a', 1], ['b', 2], ['c', 2], ['d', 4]]);
  });
});

describe('funnelAt', () => {
  it('rebuilds the funnel at a past date from history', () => {
    // at day 3.5: A in qualified (since d2), B still in lead (moves d4), C in qualified (d3), D not created
    const f = funnelAt({ ...smallBook(), asOf: new Date(Date.parse(day(3)) + 12 * 3_600_000) });
    expect(f.find((s) => s.stage === 'lead')).toMatchObject({ count: 1, amount: 50 });
    expect(f.find((s) => s.stage === 'qualified')).toMatchObject({ count: 2, amount: 180 });
    expect(f.find((s) => s.stage === 'won')).toMatchObject({ count: 0 });
  });
});

describe('pipelineCoverage', () => {
  it('divides open pipeline in the period by the quota left', () => {
    const r = pipelineCoverage({ ...smallBook(), quota: 300, period: { from: day(0), to: day(30) }, asOf: day(12) });
    // closed won in period: A 100 → remaining 200; open with closeDate in period: C 80 (D closes d40)
    expect(r).toMatchObject({ closedWon: 100, remaining: 200, openPipeline: 80 });
    expect(r.coverage).toBeCloseTo(0.4);
    expect(r.coverageOfQuota).toBeCloseTo(80 / 300);
  });

  it('rejects a non-positive quota and an inverted period', () => {
    expect(() => pipelineCoverage({ ...smallBook(), quota: 0, period: { from: day(0), to: day(1) } })).toThrowError(/quota/);
    try {
      pipelineCoverage({ ...smallBook(), quota: 1, period: { from: day(5), to: day(1) } });
      expect.unreachable();
    } catch (e) {
      expect(isDealflowError(e, 'INPUT_INVALID')).toBe(true);
    }
  });
});
