// One measured run of the simulator benchmark (bench/src/simulate.ts), in a process of its own so
// its peak RSS is its own. Plain JavaScript over the built packages: no TypeScript loader in the
// measured process, as in a user's `dealflow simulate`.
//
// Run: node --max-old-space-size=320 support/simulate-child.mjs <records> <days> [simulation|memory]
// `memory` runs the same simulation on the reference store (createMemoryStorage: full history and
// copies), the baseline of bench/simulate.
import { readFileSync } from 'node:fs';
import { createMemoryStorage, defineBlueprint } from '@dealflow/core';
import { simulate } from '@dealflow/cli';

const records = Number(process.argv[2]);
const days = Number(process.argv[3]);
const store = process.argv[4] ?? 'simulation';
const json = JSON.parse(readFileSync(new URL('../../../packages/cli/test/fixtures/deal.json', import.meta.url), 'utf8'));
const deal = defineBlueprint(json);
let peak = process.memoryUsage().rss;
let steps = 0;
const t0 = performance.now();
const report = await simulate(deal, {
  records,
  days,
  seed: 1,
  ...(store === 'memory' ? { storage: createMemoryStorage() } : {}),
  onProgress: (p) => {
    steps = p.steps;
    peak = Math.max(peak, process.memoryUsage().rss);
  },
});
const ms = performance.now() - t0;
peak = Math.max(peak, process.memoryUsage().rss);
process.stdout.write(`${JSON.stringify({ records, store, ms, steps, rssMb: peak / 1e6, transitions: report.transitions })}\n`);
