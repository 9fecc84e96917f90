import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { createEngine, createManualClock } from '@dealflow/core';
import { createSqliteStorage } from '../src/index.js';
import { ticketBlueprint } from '@dealflow/storage-testkit';

const ticket = ticketBlueprint();

const here = dirname(fileURLToPath(import.meta.url));

function runChild(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=dealflow-source', join(here, 'worker-child.ts'), ...args], {
      cwd: join(here, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('exit', (code) => resolve({ code, out }));
  });
}

test('two processes sharing one SQLite file fire every due timer exactly once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dealflow-sqlite-mp-'));
  try {
    const filename = join(dir, 'shared.db');
    const storage = createSqliteStorage({ filename });
    const engine = createEngine({ storage, blueprints: [ticket], clock: createManualClock('2026-01-05T09:00:00.000Z') });
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) ids.push((await engine.create('ticket', { fields: { title: `t${i}` } })).record.id);
    await storage.close();

    const results = await Promise.all(['p1', 'p2'].map((w) => runChild([filename, w, '2026-01-05T11:00:00.000Z'])));
    for (const r of results) expect(r.code, r.out).toBe(0);
    const counts = results.map((r) => JSON.parse(r.out.trim().split('\n').pop()!) as { fired: number; failed: number });
    expect(counts.reduce((n, c) => n + c.fired, 0)).toBe(200);
    expect(counts.every((c) => c.failed === 0)).toBe(true);

    const check = createSqliteStorage({ filename });
    for (const id of ids) {
      const history = await check.listHistory('default', id);
      expect(history.filter((e) => e.event === 'breach')).toHaveLength(1);
      expect((await check.getRecord('default', id))?.stage).toBe('escalated');
    }
    await check.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
