import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

describe('dealflow diagram', () => {
  it('prints a mermaid state diagram by default', async () => {
    const r = await cli(['diagram', 'fixtures/deal.json']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^stateDiagram-v2/);
    expect(r.out).toContain('qualified --> escalated : escalate');
    expect(r.out).toContain('note right of qualified : deadline P3D, on breach: escalate');
  });

  it('prints the XState config for Stately', async () => {
    const r = await cli(['diagram', 'fixtures/deal.json', '--format', 'stately']);
    expect(r.code).toBe(0);
    const config = JSON.parse(r.out);
    expect(config.initial).toBe('new');
    expect(config.states.won.type).toBe('final');
    expect(config.states.escalated.on.propose[0].target).toBe('proposal');
  });

  it('writes an SVG to --out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dealflow-diagram-'));
    const r = await cli(['diagram', 'fixtures/deal.json', '-f', 'svg', '-o', join(dir, 'deal.svg')]);
    expect(r.code).toBe(0);
    const svg = readFileSync(join(dir, 'deal.svg'), 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg.match(/data-stage=/g)?.length).toBe(6);
  });

  it('rejects an unknown format and an invalid blueprint in one line', async () => {
    const bad = await cli(['diagram', 'fixtures/deal.json', '--format', 'png']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/Allowed choices are mermaid, svg, stately/);
    const inv = await cli(['diagram', 'fixtures/broken.json']);
    expect(inv.code).toBe(1);
    expect(inv.err).toMatch(/^dealflow: fixtures\/broken\.json: blueprint is invalid .*run 'dealflow validate fixtures\/broken\.json'/);
    expect(inv.err.trim().split('\n')).toHaveLength(1);
  });
});
