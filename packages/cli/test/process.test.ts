import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, createMemoryStorage, defineProcess } from '@dealflow/core';
import { loadProcessFile } from '@dealflow/cli';
import { cli } from './helpers.js';

const dirs: string[] = [];
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dealflow-init-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'package.json'), '{ "name": "my-app", "private": true }\n');
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('dealflow init, then validate, diagram and simulate the process file', () => {
  it('creates a process folder whose files validate, draw and simulate', async () => {
    const cwd = project();
    const init = await cli(['init'], { cwd });
    expect(init.code).toBe(0);
    expect(init.out).toContain('created dealflow/dealflow.config.json');
    expect(init.out).toContain('created dealflow/deal.test.ts');
    // $schema paths resolve from the user's project: dealflow/ → ../node_modules/@dealflow/core/…
    const bp = JSON.parse(readFileSync(join(cwd, 'dealflow/deal.blueprint.json'), 'utf8'));
    expect(bp.$schema).toBe('../node_modules/@dealflow/core/blueprint.schema.json');
    const cfg = JSON.parse(readFileSync(join(cwd, 'dealflow/dealflow.config.json'), 'utf8'));
    expect(cfg.$schema).toBe('../node_modules/@dealflow/core/process.schema.json');
    const settings = JSON.parse(readFileSync(join(cwd, '.vscode/settings.json'), 'utf8'));
    expect(settings['json.schemas']).toContainEqual({ fileMatch: ['dealflow/*.blueprint.json'], url: './node_modules/@dealflow/core/blueprint.schema.json' });
    expect(readFileSync(join(cwd, 'dealflow/deal.test.ts'), 'utf8')).toContain('testBlueprint(blueprint)');

    const v = await cli(['validate', 'dealflow/dealflow.config.json'], { cwd });
    expect(v.err).toBe('');
    expect(v.code).toBe(0);
    expect(v.out).toContain('✔ dealflow/dealflow.config.json is valid');

    const d = await cli(['diagram', 'dealflow/dealflow.config.json'], { cwd });
    expect(d.code).toBe(0);
    expect(d.out).toMatch(/proposal --> won : win .*approval by manager when fields\.amount › 50000/);
    expect(d.out).toMatch(/note left of qualified : escalation 'idle-deal' \(inactivity\): after P5D notify owner/);

    const s = await cli(['simulate', 'dealflow/dealflow.config.json', '--scenario', 'dealflow/scenario.json', '-n', '300', '-d', '30', '--json', '--no-progress'], { cwd });
    expect(s.err).toBe('');
    expect(s.code).toBe(0);
    const report = JSON.parse(s.out);
    expect(report.stages.reduce((a: number, x: { count: number }) => a + x.count, 0)).toBe(300);
    // the scenario confirms the budget 60% of the time: the guard rejects, and says which guard
    expect(report.rejectedBy).toContainEqual(expect.objectContaining({ reason: 'guard', event: 'propose', rule: '$.transitions[0].guard' }));
    // with no file, the commands read dealflow.config.json of the working directory
    const here = await cli(['validate'], { cwd: join(cwd, 'dealflow') });
    expect(here.code).toBe(0);
    // init again keeps the files
    const again = await cli(['init'], { cwd });
    expect(again.out).toContain('kept dealflow/dealflow.config.json');
  });

  it('validate runs the checks createEngine runs: an unknown calendar is an error with file and line', async () => {
    const cwd = project();
    await cli(['init'], { cwd });
    const file = join(cwd, 'dealflow/dealflow.config.json');
    const cfg = JSON.parse(readFileSync(file, 'utf8'));
    cfg.calendars[0].id = 'offices';
    cfg.rules.escalations[0].levels[0].actions = [{ notfy: 'owner' }];
    writeFileSync(file, JSON.stringify(cfg, null, 2));
    const v = await cli(['validate', 'dealflow/dealflow.config.json', '--json'], { cwd });
    expect(v.code).toBe(1);
    const report = JSON.parse(v.out);
    // the unknown calendar is reported in the blueprint file that names it, with its line
    expect(report.problems).toContainEqual(expect.objectContaining({ file: 'dealflow/deal.blueprint.json', severity: 'error', code: 'unknown_calendar', line: expect.any(Number) }));
    // and the bad rule in the process file, at its path under $.rules
    expect(report.problems.some((p: { file: string; path: string }) => p.file === 'dealflow/dealflow.config.json' && p.path.startsWith('$.rules.escalations[0].levels[0].actions[0]'))).toBe(true);
    // simulate refuses the same file, pointing at validate
    const s = await cli(['simulate', 'dealflow/dealflow.config.json', '-n', '5'], { cwd });
    expect(s.code).toBe(1);
    expect(s.err).toMatch(/dealflow\/dealflow\.config\.json: process is invalid .*run 'dealflow validate dealflow\/dealflow\.config\.json'/);
  });

  it('createEngine reads the same file through loadProcessFile', async () => {
    const cwd = project();
    await cli(['init'], { cwd });
    const process = await loadProcessFile('dealflow/dealflow.config.json', { cwd });
    expect(process.blueprints.map((b) => b.id)).toEqual(['deal']);
    const engine = createEngine({ storage: createMemoryStorage(), ...process });
    const { record } = await engine.create('deal', { fields: { company: 'ACME', amount: 100 } }, { actor: { id: 'ann' } });
    expect(record.stage).toBe('qualified');
    // defineProcess refuses what createEngine refuses, with every problem at once
    expect(() => defineProcess({ blueprints: [{ ...process.blueprints[0]!.spec, initialStage: 'nowhere' }], calendars: [] })).toThrow(/\$\.blueprints\[0\]\.initialStage unknown initial stage 'nowhere'/);
  });
});
