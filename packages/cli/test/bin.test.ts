import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('the dealflow bin', () => {
  it('runs as a process: exit code and one-line errors', () => {
    const pkg = fileURLToPath(new URL('..', import.meta.url));
    const res = spawnSync(process.execPath, ['--conditions=dealflow-source', '--import', 'tsx', 'src/bin.ts', 'validate', 'test/fixtures/broken.json', 'test/fixtures/missing.json'], {
      cwd: pkg,
      encoding: 'utf8',
      env: { ...process.env, INIT_CWD: pkg },
    });
    expect(res.status).toBe(1);
    expect(res.stdout).toContain("hint: did you mean 'qualified'?");
    expect(res.stderr.trim()).toBe("dealflow: cannot read blueprint 'test/fixtures/missing.json': no such file");
  });
});
