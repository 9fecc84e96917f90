import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { blueprintJsonSchema, defineBlueprint, testBlueprint } from '../packages/core/src/index.js';
import { run } from '../packages/cli/src/index.js';

// Every JSON blueprint shipped in examples/ and docs/: references the published JSON Schema,
// passes `dealflow validate`, and has no dead transitions.
const root = fileURLToPath(new URL('..', import.meta.url));

function jsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'test-results') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...jsonFiles(p));
    else if (name.endsWith('.json') && name !== 'package.json') out.push(p);
  }
  return out;
}

const blueprints = [...jsonFiles(join(root, 'examples')), ...jsonFiles(join(root, 'docs'))].filter((f) => {
  const j = JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;
  return typeof j.recordType === 'string' && Array.isArray(j.stages);
});

describe('example blueprints', () => {
  it('there are some', () => {
    expect(blueprints.length).toBeGreaterThanOrEqual(2);
  });

  for (const file of blueprints) {
    const name = relative(root, file);
    it(`${name}: "$schema" points at the published blueprint JSON Schema`, () => {
      const j = JSON.parse(readFileSync(file, 'utf8')) as { $schema?: string };
      expect(j.$schema).toBeTypeOf('string');
      const target = resolve(dirname(file), j.$schema!);
      expect(relative(root, target)).toBe(join('packages', 'core', 'blueprint.schema.json'));
      expect(JSON.parse(readFileSync(target, 'utf8'))).toEqual(blueprintJsonSchema());
    });

    it(`${name}: dealflow validate finds no error, and every transition is on some path`, async () => {
      let out = '';
      const code = await run(['validate', file, '--json'], { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true } });
      const report = JSON.parse(out);
      expect(report.problems.filter((p: { severity: string }) => p.severity === 'error')).toEqual([]);
      expect(code).toBe(0);
      const coverage = testBlueprint(defineBlueprint(JSON.parse(readFileSync(file, 'utf8')))).report();
      expect(coverage.unreachable).toEqual({ stages: [], transitions: [] });
    });
  }
});
