import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

describe('dealflow validate', () => {
  it('exits 0 on a valid blueprint and says so', async () => {
    const r = await cli(['validate', 'fixtures/deal.json']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/✔ fixtures\/deal\.json is valid/);
    expect(r.err).toBe('');
  });

  it('reports every problem at once with file:line:column, JSON path, value and hint; exit 1', async () => {
    const r = await cli(['validate', 'fixtures/broken.json']);
    expect(r.code).toBe(1);
    // a schema error (bad duration) does not hide the cross-reference problems
    expect(r.out).toMatch(/fixtures\/broken\.json:\d+:\d+  error  \$\.stages\[1\]\.deadline\.within  must be an ISO-8601 duration.*\(value: "3 days"\)/);
    expect(r.out).toMatch(/fixtures\/broken\.json:\d+:\d+  error  \$\.transitions\[0\]\.to  unknown stage 'qualifed' \(value: "qualifed"\)/);
    expect(r.out).toContain("hint: did you mean 'qualified'?");
    expect(r.out).toMatch(/\$\.transitions\[2\]\.requires\[0\]  unknown field 'amont'/);
    expect(r.out).toContain("hint: did you mean 'amount'?");
    expect(r.out).toMatch(/✖ fixtures\/broken\.json: \d+ error\(s\)/);
  });

  it('points the line at the offending value', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('./fixtures/broken.json', import.meta.url), 'utf8').split('\n');
    const r = await cli(['validate', 'fixtures/broken.json', '--json']);
    const report = JSON.parse(r.out);
    const p = report.problems.find((x: { path: string }) => x.path === '$.transitions[0].to');
    expect(text[p.line - 1]!.slice(p.column - 1)).toMatch(/^"qualifed"/);
  });

  it('--json gives a machine-readable report', async () => {
    const r = await cli(['validate', 'fixtures/broken.json', '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report.valid).toBe(false);
    expect(report.errors).toBeGreaterThanOrEqual(3);
    expect(report.problems).toContainEqual(
      expect.objectContaining({ file: 'fixtures/broken.json', path: '$.transitions[0].to', severity: 'error', code: 'unknown_stage', value: 'qualifed', hint: "did you mean 'qualified'?" }),
    );
  });

  it('reports invalid JSON with line and column', async () => {
    const r = await cli(['validate', 'fixtures/syntax.json', '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report.problems[0]).toMatchObject({ code: 'invalid_json', line: 5, column: 3 });
  });

  it('a missing file is one line on stderr and exit 1; the stack only with --verbose', async () => {
    const r = await cli(['validate', 'fixtures/nope.json']);
    expect(r.code).toBe(1);
    expect(r.err).toBe("dealflow: cannot read blueprint 'fixtures/nope.json': no such file\n");
    const v = await cli(['validate', 'fixtures/nope.json', '--verbose']);
    expect(v.code).toBe(1);
    expect(v.err.split('\n').length).toBeGreaterThan(3);
    expect(v.err).toMatch(/at .*load/);
  });

  it('loads a .ts blueprint through tsx', async () => {
    const r = await cli(['validate', 'fixtures/deal.ts', '--json']);
    const report = JSON.parse(r.out);
    expect(report.valid).toBe(true);
    expect(r.code).toBe(0);
  });

  it('validates several files and fails if one fails', async () => {
    const r = await cli(['validate', 'fixtures/deal.json', 'fixtures/broken.json']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('✔ fixtures/deal.json');
    expect(r.out).toContain('✖ fixtures/broken.json');
  });

  it('unknown commands and options fail with usage help', async () => {
    const r = await cli(['valdiate', 'x.json']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/unknown command 'valdiate'/);
    const h = await cli(['--help']);
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/validate[\s\S]*diagram[\s\S]*simulate[\s\S]*forecast[\s\S]*migrate/);
  });
});
