// The API reference check: runs typedoc (typedoc.json: `notDocumented` on for every package, invalid
// links on) without writing the site, and lists its warnings per package. Every package is at 0
// warnings and must stay there: an undocumented export, an undocumented property of an exported
// type, or a broken {@link} fails the check, as does any other typedoc problem (an error, a
// warning no package owns).
//
// Run: pnpm docs:check   (CI runs it after the tests: .ci/run; about 1.5 min of CPU)
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const typedoc = join(root, 'node_modules', 'typedoc', 'bin', 'typedoc');
// typedoc's log goes to a file: through a pipe, what it writes just before it exits can be lost
const logFile = join(mkdtempSync(join(tmpdir(), 'dealflow-typedoc-')), 'typedoc.log');
const fd = openSync(logFile, 'w');
const run = spawnSync(process.execPath, [typedoc, '--emit', 'none', '--logLevel', 'Warn'], { cwd: root, stdio: ['ignore', fd, fd], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
closeSync(fd);
// eslint-disable-next-line no-control-regex
const lines = readFileSync(logFile, 'utf8').replace(/\u001b\[[0-9;]*m/g, '').split('\n').filter((l) => l.trim() !== '');
rmSync(dirname(logFile), { recursive: true, force: true });

const byPackage = new Map();
const unowned = [];
for (const line of lines) {
  if (/^\[warning\] Found \d+ errors and \d+ warnings$/.test(line)) continue;
  if (!line.startsWith('[warning]') && !line.startsWith('[error]')) continue;
  // "X (Property), defined in @dealflow/core/src/…" or "The comment for @dealflow/core.X links to …"
  const pkg = /defined in (@dealflow\/[a-z0-9-]+)\//.exec(line)?.[1] ?? /The comment for (@dealflow\/[a-z0-9-]+)\./.exec(line)?.[1];
  if (line.startsWith('[error]') || pkg === undefined) unowned.push(line);
  else byPackage.set(pkg, [...(byPackage.get(pkg) ?? []), line]);
}

let failed = unowned.length > 0 || run.status !== 0;
for (const line of unowned) console.error(line);
for (const pkg of [...byPackage.keys()].sort()) {
  const found = byPackage.get(pkg);
  failed = true;
  console.error(`${pkg}: ${found.length} typedoc warnings:`);
  for (const line of found) console.error(`  ${line}`);
}
if (failed) {
  console.error(run.status === 0 ? 'API docs check failed: document the exports listed above (what, when, an @example on functions).' : `typedoc exited with ${run.status}`);
  process.exit(1);
}
console.log('API docs check passed: every package documented, 0 typedoc warnings');
