/**
 * Docs as tests: every TypeScript block of README.md, docs/*.md and the package READMEs is
 * type-checked (strict) and run, as a reader would run it, against the BUILT packages (`dist/`,
 * built first when missing or stale): each block is its own module in test/.docs-run/, run with
 * `node --import tsx` (blocks that import vitest run under vitest). A block that throws, exits
 * non-zero or does not type-check fails this test, naming its file and line. A page's blocks sit
 * in one folder (test/.docs-run/<page>/L<line>.ts), beside the files the page names with
 * `file=` (see test/support/doc-blocks.ts for `continued` and `file=`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { blockFileName, docFiles, extractBlocks } from './support/doc-blocks.js';
import type { DocBlock } from './support/doc-blocks.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const runDir = join(root, 'test', '.docs-run');
/**
 * Docs whose blocks are still fragments (they lean on values defined in the prose or in earlier
 * blocks). They are listed here, by name, until each block is complete; every other doc — and any
 * new one — is type-checked and run. The test prints this list so it is never silent.
 * (docs/assignment.md and docs/escalation.md also run in packages/core/test/assignment-docs.test.ts,
 * which checks every `// → value` they show.)
 */
const NOT_YET_RUNNABLE = new Set<string>([]);
// DEALFLOW_DOCS=docs/a.md,README.md runs only those pages (a focused run while editing them)
const only = (process.env.DEALFLOW_DOCS ?? '').split(',').map((f) => f.trim()).filter((f) => f !== '');
const focused = only.length > 0;
const files = docFiles(root).filter((f) => !focused || only.includes(f));
const blocks: DocBlock[] = files.filter((f) => !NOT_YET_RUNNABLE.has(f)).flatMap((f) => extractBlocks(readFileSync(join(root, f), 'utf8'), f));
const pending = files.filter((f) => NOT_YET_RUNNABLE.has(f)).map((f) => `${f} (${extractBlocks(readFileSync(join(root, f), 'utf8'), f).length} blocks)`);
if (pending.length > 0) console.log(`docs as tests: not yet runnable, skipped: ${pending.join(', ')}`);

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'bench/src/support/ensure-built.mjs'), '--all'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  // strict, as a user's project would be; @dealflow/* resolve to the packages' dist types
  writeFileSync(
    join(runDir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', lib: ['ES2023', 'DOM'], module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, skipLibCheck: true, resolveJsonModule: true, types: ['node'], esModuleInterop: true, allowImportingTsExtensions: true }, include: ['**/*.ts'] }),
  );
  writeFileSync(join(runDir, 'vitest.config.mjs'), `export default { test: { include: ['**/*.test.ts'], testTimeout: 60000 } };\n`);
  // `export {}`: each block is a module of its own (a file without imports would be a global
  // script, sharing its names with every other block and hiding undefined ones)
  for (const b of blocks) {
    const file = join(runDir, blockFileName(root, b));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, b.ts ? `${b.code}\nexport {};\n` : b.code);
  }
}, 900_000);

describe('docs as tests', () => {
  it('finds TypeScript blocks in the docs, and every doc it skips still exists', () => {
    expect(blocks.length).toBeGreaterThan(focused ? 0 : 5);
    if (!focused) for (const f of NOT_YET_RUNNABLE) expect(files, `${f} is listed as not yet runnable but does not exist`).toContain(f);
  });

  it('every block type-checks under strict TypeScript', () => {
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', join(runDir, 'tsconfig.json')], { cwd: runDir, encoding: 'utf8' });
    expect(r.stdout + r.stderr, 'type errors (file names are <doc>/L<line of the block>.ts)').toBe('');
  }, 300_000);

  for (const b of blocks.filter((x) => x.ts && !x.test)) {
    it(`${b.file}:${b.line} runs`, () => {
      const file = join(runDir, blockFileName(root, b));
      const cwd = join(runDir, `${blockFileName(root, b)}.cwd`);
      mkdirSync(cwd, { recursive: true });
      const r = spawnSync(process.execPath, ['--import', 'tsx', file], {
        cwd,
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, PORT: '0', DATABASE_URL: process.env.DEALFLOW_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test', NODE_OPTIONS: '' },
      });
      expect(r.status, `${b.file}:${b.line} failed:\n${r.stderr}`).toBe(0);
    }, 150_000);
  }

  const tests = blocks.filter((x) => x.test);
  it.runIf(tests.length > 0)('the blocks that are vitest tests pass', () => {
    const vitest = join(root, 'node_modules/vitest/vitest.mjs');
    const r = spawnSync(process.execPath, [vitest, 'run', '--config', join(runDir, 'vitest.config.mjs'), '--root', runDir], { cwd: runDir, encoding: 'utf8', timeout: 540_000, env: { ...process.env, CI: 'true' } });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  }, 600_000);
});
