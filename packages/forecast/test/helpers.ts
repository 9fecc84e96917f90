import type { HistoryEvent, StoredRecord } from '@dealflow/core';
import type { StageInfo } from '../src/index.js';

/** 2026-01-01T00:00Z plus `d` days, as ISO. */
export const day = (d: number): string => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000).toISOString();

export const STAGES: StageInfo[] = [
  { id: 'lead', kind: 'open', probability: 0.1, forecastCategory: 'pipeline' },
  { id: 'qualified', kind: 'open', probability: 0.5, forecastCategory: 'best_case' },
  { id: 'won', kind: 'won', probability: 1 },
  { id: 'lost', kind: 'lost', probability: 0 },
];

/**
 * A record and its history from a list of [stage, day] stays: the first is `created`, the rest
 * transitions. Fields are set on the record (known since creation).
 */
export function deal(
  id: string,
  path: [string, number][],
  fields: Record<string, unknown> = {},
  ownerId: string | null = null,
): { record: StoredRecord; history: HistoryEvent[] } {
  const history: HistoryEvent[] = path.map(([stage, d], i) => ({
    tenantId: 't',
    id: `${id}:${i + 1}`,
    recordId: id,
    seq: i + 1,
    at: day(d),
    kind: i === 0 ? 'created' : 'transition',
    ...(i === 0 ? {} : { from: path[i - 1]![0] }),
    to: stage,
    data: {},
  }));
  const last = path[path.length - 1]!;
  const record: StoredRecord = {
    tenantId: 't',
    id,
    type: 'deal',
    blueprintId: 'bp',
    blueprintVersion: 1,
    stage: last[0],
    version: path.length,
    fields,
    ownerId,
    teamId: null,
    meta: {},
    stageEnteredAt: day(last[1]),
    createdAt: day(path[0]![1]),
    updatedAt: day(last[1]),
  };
  return { record, history };
}

/** Merges deals into `{ records, history, stages }`. */
export function dataset(...deals: { record: StoredRecord; history: HistoryEvent[] }[]) {
  return { records: deals.map((d) => d.record), history: deals.flatMap((d) => d.history), stages: STAGES };
}

/**
 * The small hand-computed book used across report tests (days from 2026-01-01):
 * - A: lead d0 → qualified d2 → won d10; amount 100, owner ann, product X
 * - B: lead d0 → qualified d4 → lost d6; amount 50, owner ann, product Y
 * - C: lead d1 → qualified d3 (open); amount 80, owner bob, product X, closeDate d20, category Commit
 * - D: lead d5 (open); amount 20, owner bob, product Y, closeDate d40
 */
export function smallBook() {
  return dataset(
    deal('A', [['lead', 0], ['qualified', 2], ['won', 10]], { amount: 100, product: 'X' }, 'ann'),
    deal('B', [['lead', 0], ['qualified', 4], ['lost', 6]], { amount: 50, product: 'Y' }, 'ann'),
    deal('C', [['lead', 1], ['qualified', 3]], { amount: 80, product: 'X', closeDate: day(20), forecastCategory: 'Commit' }, 'bob'),
    deal('D', [['lead', 5]], { amount: 20, product: 'Y', closeDate: day(40) }, 'bob'),
  );
}
