/**
 * Simulator benchmark: `simulate()` of @dealflow/cli (built) on the CLI's test deal blueprint,
 * 10 000 and 100 000 records over 90 days, each size in its own process so its peak RSS is its
 * own (support/simulate-child.mjs: plain JavaScript over the built packages, no TypeScript
 * loader in the measured process, as in a user's `dealflow simulate`). The figure that matters is
 * the scaling: 10× the records should cost about 10× the time (linear), and memory should grow with the records only, not with their events (the simulation
 * store keeps records and timers, no history). Each child runs with the same V8 old-space limit
 * (BENCH_HEAP_MB, default 320), so RSS shows the live set rather than how lazily V8 collects.
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

function measure(records: number): Run {
  const child = fileURLToPath(new URL('./support/simulate-child.mjs', import.meta.url));
  const out = execFileSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, child, String(records), String(DAYS)], {
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
const scaling = b.ms / a.ms;
console.log(`scaling: ${scaling.toFixed(2)}× the time for ${(b.records / a.records).toFixed(0)}× the records (linear = ${(b.records / a.records).toFixed(0)}; goal ≤ 12)`);
console.log(JSON.stringify({ bench: 'simulate', scale: SCALE, ms_10k: Math.round(a.ms), ms_100k: Math.round(b.ms), scaling: Number(scaling.toFixed(2)), rss_100k_mb: Math.round(b.rssMb), heap_limit_mb: HEAP_MB }));
