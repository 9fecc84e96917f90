import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { run } from '@dealflow/cli';
import { createSqliteStorage } from '@dealflow/storage-sqlite';
import { readOpportunities } from '../src/replay.js';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dealflow-crm-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('`dealflow import` with the mapping file brings in all 8 800 opportunities with their stages and dates', async () => {
  const db = join(dir, 'deals.sqlite');
  const out: string[] = [];
  const err: string[] = [];
  const code = await run([
    'import', join(here, '../../../test/fixtures/crm-sales-opportunities/sales_pipeline.csv'),
    '--db', db, '--blueprint', join(here, '../src/deal.blueprint.json'), '--mapping', join(here, '../src/import.mapping.json'),
    '--report', join(dir, 'refused.csv'), '--json',
  ], { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } });
  expect(err.join('')).toBe('');
  expect(code).toBe(0);
  const summary = JSON.parse(out.join('')) as { created: number; refused: number };
  expect(summary).toMatchObject({ created: 8800, refused: 0 });
  expect(readFileSync(join(dir, 'refused.csv'), 'utf8').trim()).toBe('line,code,column,reason');

  const storage = createSqliteStorage({ filename: db });
  try {
    const opps = readOpportunities();
    const stage = { Prospecting: 'prospecting', Engaging: 'engaging', Won: 'won', Lost: 'lost' } as const;
    for (const o of opps.filter((_, i) => i % 97 === 0)) {
      const r = (await storage.getRecord('default', o.id))!;
      expect(r.stage).toBe(stage[o.stage]);
      expect(r.ownerId).toBe(o.agent);
      const history = await storage.listHistory('default', o.id);
      if (o.engageDate) expect(history[0]!.at.slice(0, 10)).toBe(o.engageDate);
      if (o.closeDate) {
        expect(history.at(-1)!.at.slice(0, 10)).toBe(o.closeDate);
        expect(history.map((e) => e.to)).toEqual(['prospecting', 'engaging', stage[o.stage]]);
      }
      if (o.stage === 'Won') expect(r.fields.amount).toBe(o.closeValue);
    }
  } finally {
    await storage.close();
  }
});

it('`dealflow import --concurrency` outside 1…8 is refused before anything is written, naming the flag', async () => {
  const db = join(dir, 'refused-flag.sqlite');
  const err: string[] = [];
  const code = await run([
    'import', join(here, '../../../test/fixtures/crm-sales-opportunities/sales_pipeline.csv'),
    '--db', db, '--blueprint', join(here, '../src/deal.blueprint.json'), '--mapping', join(here, '../src/import.mapping.json'),
    '--concurrency', '9',
  ], { stdout: { write: () => undefined }, stderr: { write: (s: string) => err.push(s) } });
  expect(code).not.toBe(0);
  expect(err.join('')).toContain('--concurrency must be an integer 1…8');
});
