/**
 * The layering of @dealflow/core (issue #14), checked with dependency-cruiser against the rules in
 * .dependency-cruiser.cjs: engine/, transition/ and blueprint/ import none of the sales folders;
 * the pure step calls no engine shell; blueprint/ knows nothing of the engine; storage/ sits at the
 * bottom; a feature never imports the sales kit that composes it.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const config = require('../.dependency-cruiser.cjs') as { forbidden: Array<{ name: string; severity: string }> };
// (the CLI is not an export of the package; it is a root devDependency)
const depcruise = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

function cruise(): { status: number | null; out: string } {
  const res = spawnSync(process.execPath, [depcruise, 'packages/core/src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: res.status, out: res.stdout + res.stderr };
}

describe('core layering (dependency-cruiser)', () => {
  it('declares the layering rules as errors', () => {
    const names = config.forbidden.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['engine-below-sales', 'pure-step-below-engine-shell', 'blueprint-below-engine', 'storage-contract-at-the-bottom', 'features-not-back-into-the-kit']));
    expect(config.forbidden.every((r) => r.severity === 'error')).toBe(true);
  });

  it('packages/core/src breaks none of them', () => {
    const { status, out } = cruise();
    const json = JSON.parse(out.slice(out.indexOf('{'))) as { summary: { violations: Array<{ rule: { name: string }; from: string; to: string }>; totalCruised: number } };
    // the cruise saw core's modules (a misconfigured run would see none and find nothing)
    expect(json.summary.totalCruised).toBeGreaterThan(100);
    expect(json.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
    expect(status).toBe(0);
  });
});
