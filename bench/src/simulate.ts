/**
 * Simulator benchmark: `simulate()` of @dealflow/cli (built) on the CLI's test deal blueprint,
 * 10 000 and 100 000 records over 90 days, each size in its own process so its peak RSS is its
 * own (support/simulate-child.mjs: plain JavaScript over the built packages, no TypeScript
 * loader in the measured process, as in a user's `dealflow simulate`). The figure that matters is
 * the scaling: 10× the records should cost about 10× the time (linear), and memory should grow with the records only, not with their events (the simulation
 * store keeps records and timers, no history). Each child runs with the same V8 old-space limit
 * (BENCH_HEAP_MB, default 320), so RSS shows the live set rather than how lazily V8 collects.
 *
 * Baseline, side by side: the same 100 000-record simulation (same seed, blueprint and decisions) on
 * the reference store, `createMemoryStorage()`, which a user scripting a simulation over the engine
 * would use; it keeps every history event and copies on every read and write. It does not fit in
 * the capped old space, so both stores run that comparison uncapped (`ratio_vs_memory_store`: the
 * baseline's time over the simulation store's, > 1 = the simulator is faster;
 * `rss_ratio_vs_memory_store`: the simulation store's peak RSS over the baseline's, < 1 = smaller).
 *
 * Run: pnpm --dir bench run simulate   (BENCH_SCALE=0.1 for a quick run: 1 000 and 10 000 records)
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const DAYS = 90;
const HEAP_MB = Number(process.env.BENCH_HEAP_MB ?? 320);

interface Run {
  records: number;
  ms: number;
  steps: number;
  rssMb: number;
  transitions: number;
}

function measure(records: number, store: 'simulation' | 'memory' = 'simulation', capped = true): Run {
  const child = fileURLToPath(new URL('./support/simulate-child.mjs', import.meta.url));
  const heap = capped ? [`--max-old-space-size=${HEAP_MB}`] : [];
  const out = execFileSync(process.execPath, [...heap, child, String(records), String(DAYS), store], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Run;
}

const small = Math.round(10_000 * SCALE);
const large = Math.round(100_000 * SCALE);
const a = measure(small);
console.log(`simulate ${a.records.toLocaleString('en-US')} records × ${DAYS} days: ${(a.ms / 1000).toFixed(1)} s, ${a.steps.toLocaleString('en-US')} steps (${Math.round(a.steps / (a.ms / 1000)).toLocaleString('en-US')}/s), peak RSS ${a.rssMb.toFixed(0)} MB`);
const b = measure(large);
console.log(`simulate ${b.records.toLocaleString('en-US')} records × ${DAYS} days: ${(b.ms / 1000).toFixed(1)} s, ${b.steps.toLocaleString('en-US')} steps (${Math.round(b.steps / (b.ms / 1000)).toLocaleString('en-US')}/s), peak RSS ${b.rssMb.toFixed(0)} MB`);
// side by side without the heap cap (the reference store does not fit in it): the same run on both stores
const free = measure(large, 'simulation', false);
const base = measure(large, 'memory', false);
const speed = base.ms / free.ms;
const memory = base.rssMb / free.rssMb;
console.log(`uncapped heap, ${large.toLocaleString('en-US')} records: simulation store ${(free.ms / 1000).toFixed(1)} s, peak RSS ${free.rssMb.toFixed(0)} MB; baseline createMemoryStorage() ${(base.ms / 1000).toFixed(1)} s, peak RSS ${base.rssMb.toFixed(0)} MB`);
console.log(`the simulation store: ${speed.toFixed(2)}× the baseline's speed, ${(1 / memory).toFixed(2)}× its memory`);
if (base.transitions !== free.transitions) console.log(`note: the baseline made ${base.transitions} transitions, the simulator ${free.transitions} (they should agree)`);
const scaling = b.ms / a.ms;
console.log(`scaling: ${scaling.toFixed(2)}× the time for ${(b.records / a.records).toFixed(0)}× the records (linear = ${(b.records / a.records).toFixed(0)}; goal ≤ 12)`);
console.log(JSON.stringify({ bench: 'simulate', scale: SCALE, ms_10k: Math.round(a.ms), ms_100k: Math.round(b.ms), scaling: Number(scaling.toFixed(2)), rss_100k_mb: Math.round(b.rssMb), heap_limit_mb: HEAP_MB, uncapped_ms_100k: Math.round(free.ms), uncapped_rss_100k_mb: Math.round(free.rssMb), baseline_memory_store_ms_100k: Math.round(base.ms), baseline_rss_100k_mb: Math.round(base.rssMb), ratio_vs_memory_store: Number(speed.toFixed(2)), rss_ratio_vs_memory_store: Number((1 / memory).toFixed(2)), same_transitions: base.transitions === free.transitions }));
