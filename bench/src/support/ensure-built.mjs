// Benches measure the packages as they ship: the tsup build in each package's dist/, not the
// TypeScript sources through tsx (whose loader keeps function names by wrapping every closure it
// creates, a cost users never pay). This script builds the workspace packages the bench depends on
// when a dist/ is missing or older than its sources, so a bench run always measures current code.
//
// Run: node src/support/ensure-built.mjs   (each bench script does this first)
//      node bench/src/support/ensure-built.mjs --all   (every package: the docs-as-tests suite)
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bench = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const packages = join(bench, '..', 'packages');

/** Newest modification time of the files under `dir` (0 when it does not exist). */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Workspace packages (directory names) the bench needs, with their own workspace dependencies. */
function needed() {
  const byName = new Map();
  for (const dir of readdirSync(packages)) {
    const file = join(packages, dir, 'package.json');
    if (existsSync(file)) byName.set(JSON.parse(readFileSync(file, 'utf8')).name, dir);
  }
  const out = new Set();
  const visit = (manifest) => {
    const deps = { ...manifest.dependencies, ...manifest.peerDependencies };
    for (const name of Object.keys(deps)) {
      const dir = byName.get(name);
      if (dir === undefined || out.has(dir)) continue;
      out.add(dir);
      visit(JSON.parse(readFileSync(join(packages, dir, 'package.json'), 'utf8')));
    }
  };
  visit(JSON.parse(readFileSync(join(bench, 'package.json'), 'utf8')));
  return [...out];
}

/** Every `./dist/…` file a package's `exports` map names (JavaScript and types, ESM and CJS). */
function shippedFiles(dir) {
  const files = new Set();
  const walk = (v) => {
    if (typeof v === 'string') {
      if (v.startsWith('./dist/')) files.add(join(packages, dir, v));
    } else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  walk(JSON.parse(readFileSync(join(packages, dir, 'package.json'), 'utf8')).exports);
  return [...files];
}

const wanted = process.argv.includes('--all') ? readdirSync(packages).filter((d) => existsSync(join(packages, d, 'package.json'))) : needed();
// A dist is current when every file its exports name exists (an interrupted build can leave the
// JavaScript without the .d.ts) and it is newer than the sources.
const stale = wanted.filter((dir) => {
  const complete = shippedFiles(dir).every((f) => existsSync(f)) && existsSync(join(packages, dir, 'dist', 'index.js'));
  return !complete || newest(join(packages, dir, 'src')) > newest(join(packages, dir, 'dist'));
});
if (stale.length > 0) {
  process.stderr.write(`ensure-built: building ${stale.join(', ')} (dist missing or older than src)…\n`);
  const filters = stale.flatMap((dir) => ['--filter', `./packages/${dir}`]);
  execFileSync('pnpm', ['-r', ...filters, 'run', 'build'], { cwd: join(bench, '..'), stdio: ['ignore', 'ignore', 'inherit'] });
}
