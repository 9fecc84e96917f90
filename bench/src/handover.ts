/**
 * Handover benchmark: a departing rep's N open leads handed to another rep, on SQLite and on
 * PostgreSQL, two ways side by side on fresh data of the same size:
 * - baseline: the whole handover in ONE store transaction (the path before the batch runner:
 *   `engine.sales.handover(tx, …)` inside `storage.transaction`);
 * - `engine.handover(from, { to }, { batchSize: 'auto' })`: sized batches, one transaction each,
 *   a result per record.
 * Both write the same rows per record (the owner change, its history event and its
 * `dealflow.assigned` message); the batched path adds one audit message per batch.
 *
 * Run: pnpm --dir bench run handover   (BENCH_HANDOVER_N, default 5 000; DEALFLOW_PG_URL overrides
 *      the database; PostgreSQL is skipped with a line when it does not answer)
 */
import { createEngine, createManualClock, createMemoryDirectory } from '@dealflow/core';
import type { BlueprintInput } from '@dealflow/core';
import { openBenchStore, postgresAnswers, type BenchStoreKind } from './support/stores.js';

const N = Number(process.env.BENCH_HANDOVER_N ?? 5000);
const PG_URL = process.env.DEALFLOW_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const AT = '2026-01-05T08:00:00.000Z';

const lead: BlueprintInput = {
  id: 'lead', version: 1, recordType: 'lead', initialStage: 'new',
  fields: { name: { type: 'string' } },
  stages: [{ id: 'new' }, { id: 'won', kind: 'won' }],
  transitions: [{ event: 'win', from: 'new', to: 'won' }],
};
const directory = () => createMemoryDirectory({ reps: [{ id: 'cat', roles: ['rep'] }, { id: 'ann', roles: ['rep'] }] });
// every new lead goes to cat, who then leaves
const rules = { assignment: { rules: [{ id: 'to-cat', assign: { strategy: 'owner' as const, owner: 'cat' } }] } };

type Kind = BenchStoreKind;
const open = (kind: Kind) => openBenchStore(kind, 'handover', PG_URL);

/** Records per second of one handover of N leads, on fresh data. */
async function measure(kind: Kind, batched: boolean): Promise<number> {
  const { storage, drop } = await open(kind);
  try {
    const engine = createEngine({ storage, blueprints: [lead], clock: createManualClock(AT), rules, directory: directory() });
    for (let i = 0; i < N; i += 1000) {
      const items = Array.from({ length: Math.min(1000, N - i) }, (_, j) => ({ fields: { name: `Lead ${i + j}` } }));
      await engine.createMany('lead', items, { actor: engine.system, batchSize: 1000 });
    }
    const t0 = performance.now();
    const moved = batched
      ? (await engine.handover('cat', { to: 'ann' }, { actor: engine.system, batchSize: 'auto' })).moved.length
      : (await storage.transaction(engine.tenantId, (tx) => engine.sales!.handover(tx, 'cat', { to: 'ann' }, AT))).moved.length;
    const ms = performance.now() - t0;
    if (moved !== N) throw new Error(`${kind}: moved ${moved} of ${N}`);
    return N / (ms / 1000);
  } finally {
    await drop();
  }
}

const out: Record<string, unknown> = { bench: 'handover', records: N };
for (const kind of ['sqlite', 'postgres'] as const) {
  if (kind === 'postgres' && !(await postgresAnswers(PG_URL))) {
    console.log(`postgres: skipped (${PG_URL} does not answer)`);
    continue;
  }
  const single = await measure(kind, false);
  const batched = await measure(kind, true);
  const ratio = batched / single;
  console.log(`${kind}: ${N.toLocaleString('en-US')} records — one transaction ${Math.round(single).toLocaleString('en-US')}/s, batched ('auto') ${Math.round(batched).toLocaleString('en-US')}/s → ${ratio.toFixed(2)}×`);
  out[kind] = { single_tx_per_s: Math.round(single), batched_per_s: Math.round(batched), ratio_vs_single_tx: Number(ratio.toFixed(2)) };
}
console.log(JSON.stringify(out));
