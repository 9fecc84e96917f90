import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { defineBlueprint } from '@dealflow/core';
import { createSqliteStorage } from '@dealflow/storage-sqlite';
import { simulate } from '@dealflow/cli';
import { cli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'dealflow-cli-'));
const crm = fileURLToPath(new URL('../../../test/fixtures/crm-sales-opportunities/sales_pipeline.csv', import.meta.url));
const lines = readFileSync(crm, 'utf8').trim().split('\n');
const subset = join(dir, 'pipeline.csv');
writeFileSync(subset, `${lines.slice(0, 1201).join('\n')}\n`);

describe('dealflow forecast', () => {
  it('prints the forecast and reports from a pipeline CSV, and writes the fan chart', async () => {
    const svg = join(dir, 'fan.svg');
    const r = await cli(['forecast', '--csv', subset, '--svg', svg, '--horizon', '28']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^1,200 records, as of \d{4}-\d{2}-\d{2}/);
    for (const title of ['Bookings forecast, next 28 days', 'Conversion by stage', 'Time in stage', 'Sales cycle', 'Top owners by won amount']) expect(r.out).toContain(title);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  });

  it('--json: quantiles in order and won deals counted from the CSV', async () => {
    const r = await cli(['forecast', '--csv', subset, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.records).toBe(1200);
    expect(j.bookings.p10).toBeLessThanOrEqual(j.bookings.p50);
    expect(j.bookings.p50).toBeLessThanOrEqual(j.bookings.p90);
    const wonRows = lines.slice(1, 1201).filter((l) => l.split(',')[4] === 'Won').length;
    expect(j.salesCycle.won.count).toBe(wonRows);
  });

  it('reads a Dealflow SQLite database with --db and the blueprint\'s stages', async () => {
    const file = join(dir, 'sim.db');
    const deal = defineBlueprint(JSON.parse(readFileSync(new URL('./fixtures/deal.json', import.meta.url), 'utf8')));
    const sim = await simulate(deal, { records: 60, days: 30, seed: 4, storage: createSqliteStorage({ filename: file }) });
    const r = await cli(['forecast', '--db', file, '--blueprint', 'fixtures/deal.json', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.records).toBe(60);
    expect(j.salesCycle.won.count).toBe(sim.stages.find((s) => s.stage === 'won')!.count);
  });

  it('bad input is one line and exit 1', async () => {
    const missing = await cli(['forecast', '--csv', join(dir, 'nope.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^dealflow: cannot read CSV '.*nope\.csv': no such file\n$/);
    const garbage = join(dir, 'garbage.csv');
    writeFileSync(garbage, 'a,b\n1,2\n');
    const bad = await cli(['forecast', '--csv', garbage]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^dealflow: .*garbage\.csv: cannot read pipeline CSV: .+\n$/);
    const noDb = await cli(['forecast', '--db', join(dir, 'nope.db')]);
    expect(noDb.code).toBe(1);
    expect(noDb.err).toMatch(/^dealflow: cannot read SQLite database '.*nope\.db': no such file\n$/);
    const pgDown = await cli(['forecast', '--db', 'postgres://postgres@127.0.0.1:1/test']);
    expect(pgDown.code).toBe(1);
    expect(pgDown.err).toBe('dealflow: cannot reach database postgres://postgres@127.0.0.1:1/test: ECONNREFUSED\n');
    const both = await cli(['forecast']);
    expect(both.code).toBe(1);
    expect(both.err).toBe('dealflow: forecast: give exactly one of --csv <file> or --db <url>\n');
  });
});

describe('dealflow migrate', () => {
  const url = 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `cli_test_${process.pid}_${Date.now() % 100000}`;
  afterAll(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect().then(() => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).catch(() => undefined);
    await client.end().catch(() => undefined);
  });

  it('applies the schema, then finds it up to date', async () => {
    const first = await cli(['migrate', '--db', url, '--schema', schema]);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(new RegExp(`applied migration\\(s\\) [\\d, ]+ to schema '${schema}'; now at version \\d+`));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [schema]);
    await client.end();
    expect(rows.map((r: { table_name: string }) => r.table_name)).toEqual(expect.arrayContaining(['records', 'history', 'timers']));
    const again = await cli(['migrate', '--db', url, '--schema', schema]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/is up to date/);
  });

  it('an unreachable database is one line and exit 1', async () => {
    const r = await cli(['migrate', '--db', 'postgres://postgres:secret@127.0.0.1:1/test']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('dealflow: cannot reach database postgres://postgres:***@127.0.0.1:1/test: ECONNREFUSED\n');
  });

  it('a URL that is not PostgreSQL is refused before connecting', async () => {
    const r = await cli(['migrate', '--db', 'mysql://x']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--db must be a PostgreSQL URL/);
  });
});
