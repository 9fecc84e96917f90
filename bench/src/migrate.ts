/**
 * Migration benchmark: N open deals on v1 (each with a breach timer) moved to a v2 that renames
 * their stage and shortens its deadline, on SQLite and on PostgreSQL, on fresh data of the same
 * size each time: `migrateRecords` with the default `batchSize` (200) and with `'auto'`. Each
 * record gets its `migrated` history event, its outbox message and its timer replaced.
 *
 * Run: pnpm --dir bench run migrate   (BENCH_MIGRATE_N, default 10 000; DEALFLOW_PG_URL overrides
 *      the database; PostgreSQL is skipped with a line when it does not answer)
 */
import { createEngine, createManualClock, defineBlueprint, migrateRecords, planMigration } from '@dealflow/core';
import type { BlueprintInput } from '@dealflow/core';
import { openBenchStore, postgresAnswers, type BenchStoreKind } from './support/stores.js';

const N = Number(process.env.BENCH_MIGRATE_N ?? 10_000);
const PG_URL = process.env.DEALFLOW_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const AT = '2026-01-05T08:00:00.000Z';

const V1: BlueprintInput = {
  id: 'deal', version: 1, recordType: 'deal', initialStage: 'qualify',
  fields: { amount: { type: 'number' } },
  stages: [{ id: 'qualify', deadline: { within: 'P5D', onBreach: 'lose' } }, { id: 'won', kind: 'won' }, { id: 'lost', kind: 'lost' }],
  transitions: [{ event: 'win', from: 'qualify', to: 'won' }, { event: 'lose', from: '*', to: 'lost' }],
};
const V2: BlueprintInput = {
  ...V1, version: 2, initialStage: 'discovery',
  stages: [{ id: 'discovery', deadline: { within: 'P3D', onBreach: 'lose' } }, { id: 'won', kind: 'won' }, { id: 'lost', kind: 'lost' }],
  transitions: [{ event: 'win', from: 'discovery', to: 'won' }, { event: 'lose', from: '*', to: 'lost' }],
};

type Kind = BenchStoreKind;
const open = (kind: Kind) => openBenchStore(kind, 'migrate', PG_URL);

/** Records per second of one migration of N deals, on fresh data. */
async function measure(kind: Kind, batchSize: number | 'auto'): Promise<number> {
  const { storage, drop } = await open(kind);
  try {
    const from = defineBlueprint(V1);
    const to = defineBlueprint(V2);
    const old = createEngine({ storage, blueprints: [from], clock: createManualClock(AT) });
    for (let i = 0; i < N; i += 1000) {
      await old.createMany('deal', Array.from({ length: Math.min(1000, N - i) }, (_, j) => ({ fields: { amount: i + j } })), { batchSize: 1000 });
    }
    const engine = createEngine({ storage, blueprints: [from, to], clock: createManualClock(AT) });
    const plan = planMigration(from, to, { stageMap: { qualify: 'discovery' }, deadlinePolicy: 'recompute' });
    const t0 = performance.now();
    const done = await migrateRecords(engine, plan, { batchSize: batchSize as number });
    const ms = performance.now() - t0;
    if (done.migrated !== N) throw new Error(`${kind}: migrated ${done.migrated} of ${N}`);
    return N / (ms / 1000);
  } finally {
    await drop();
  }
}

// BENCH_MIGRATE_SIZES=200 measures only the default size (a build without 'auto')
const sizes = (process.env.BENCH_MIGRATE_SIZES ?? '200,auto').split(',').map((s) => (s === 'auto' ? 'auto' : Number(s)));
const out: Record<string, unknown> = { bench: 'migrate', records: N };
for (const kind of ['sqlite', 'postgres'] as const) {
  if (kind === 'postgres' && !(await postgresAnswers(PG_URL))) {
    console.log(`postgres: skipped (${PG_URL} does not answer)`);
    continue;
  }
  const row: Record<string, number> = {};
  for (const size of sizes) row[`batch_${size}_per_s`] = Math.round(await measure(kind, size));
  console.log(`${kind}: ${N.toLocaleString('en-US')} records — ${Object.entries(row).map(([k, v]) => `${k.replace(/_per_s$/, '').replace('batch_', 'batchSize ')} ${v.toLocaleString('en-US')}/s`).join(', ')}`);
  out[kind] = row;
}
console.log(JSON.stringify(out));
