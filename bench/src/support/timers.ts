/**
 * Due timers at scale for the benches: seeding records (of the `pingpong` blueprint, stage `a`,
 * with a breach timer each, `due` of them already due) with server-side bulk inserts, and firing
 * them with deadline workers.
 */
import type pg from 'pg';
import { createWorker, type BlueprintInput, type Engine } from '@dealflow/core';

/** Two stages, each with a deadline: every transition updates the record, appends history and replaces the stage timer. */
export const pingPong: BlueprintInput = {
  id: 'pingpong',
  version: 1,
  recordType: 'item',
  initialStage: 'a',
  fields: { title: { type: 'string' } },
  stages: [
    { id: 'a', kind: 'open', deadline: { within: 'PT1H', onBreach: 'late' } },
    { id: 'b', kind: 'open', deadline: { within: 'PT1H', onBreach: 'late' } },
    { id: 'done', kind: 'won' },
  ],
  transitions: [
    { event: 'flip', from: 'a', to: 'b' },
    { event: 'flip', from: 'b', to: 'a' },
    { event: 'late', from: ['a', 'b'], to: 'done' },
  ],
};


/** Seeds `total` records with one breach timer each in `schema`; timers of the first `due` are due now. */
export async function seedDueTimers(admin: pg.Pool, schema: string, total: number, due: number): Promise<void> {
  const q = `"${schema}"`;
  const chunk = 250_000;
  for (let from = 1; from <= total; from += chunk) {
    const to = Math.min(total, from + chunk - 1);
    // multi-row bulk inserts generated server-side (not through the engine)
    await admin.query(`INSERT INTO ${q}.records (tenant_id, id, type, blueprint_id, blueprint_version, stage, version, fields, owner_id, team_id, meta, stage_entered_at, created_at, updated_at)
      SELECT 'default', 'rec-' || g, 'item', 'pingpong', 1, 'a', 1, '{"title":"x"}'::jsonb, NULL, NULL, '{}'::jsonb, now(), now(), now()
      FROM generate_series($1::int, $2::int) AS g`, [from, to]);
    await admin.query(`INSERT INTO ${q}.history (tenant_id, record_id, seq, id, at, kind, to_stage, actor_id, data)
      SELECT 'default', 'rec-' || g, 1, 'evt-' || g, now(), 'created', 'a', 'system', '{}'::jsonb FROM generate_series($1::int, $2::int) AS g`, [from, to]);
    await admin.query(`INSERT INTO ${q}.timers (tenant_id, id, record_id, kind, key, due_at, event, payload, stage, record_version, status, attempts, created_at)
      SELECT 'default', 'rec-' || g || ':1:breach', 'rec-' || g, 'breach', 'deadline:a',
        CASE WHEN g <= $3::int THEN now() - interval '1 minute' ELSE now() + interval '30 days' END,
        'late', '{}'::jsonb, 'a', 1, 'pending', 0, now()
      FROM generate_series($1::int, $2::int) AS g`, [from, to, due]);
  }
  await admin.query(`ANALYZE ${q}.timers; ANALYZE ${q}.records; ANALYZE ${q}.history`);
}

/**
 * Fires `due` due timers with `workers` deadline workers of `concurrency` each, `timersPerTransaction`
 * timers per store transaction (1: each timer in its own transaction); the rate in timers/s.
 */
export async function fireDue(engine: Engine, due: number, workers: number, concurrency: number, timersPerTransaction = 1): Promise<{ rate: number; seconds: number }> {
  const list = Array.from({ length: workers }, (_, i) => createWorker({ engine, workerId: `bench-${i}`, batchSize: 200, concurrency, timersPerTransaction, leaseMs: 60_000, pollMs: 50 }));
  const t0 = performance.now();
  list.forEach((w) => w.start());
  for (;;) {
    const fired = (await Promise.all(list.map((w) => w.stats()))).reduce((n, s) => n + s.fired + s.noop + s.rejected, 0);
    if (fired >= due) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(list.map((w) => w.stop()));
  return { rate: due / seconds, seconds };
}
