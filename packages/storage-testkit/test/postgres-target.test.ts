import { expect, it } from 'vitest';
import { postgresTestTarget, postgresTestUrl, uniqueSchemaName } from '../src/index.js';

// Declared at the top level, as test files use it. The CI branch (a failing test) is not run here.
const up = await postgresTestTarget({ label: 'postgres-target.test.ts (up)', probe: async () => undefined });
const probed: string[] = [];
const savedCi = process.env.CI;
delete process.env.CI;
const down = await postgresTestTarget({
  label: 'postgres-target.test.ts (down, expected warning)',
  probe: async (url) => {
    probed.push(url);
    throw new Error('connection refused');
  },
});
if (savedCi !== undefined) process.env.CI = savedCi;

it('reports a PostgreSQL that answers as reachable, at DEALFLOW_PG_URL or the default', () => {
  expect(up).toEqual({ url: process.env.DEALFLOW_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test', reachable: true });
  expect(postgresTestUrl()).toBe(up.url);
});

it('outside CI, a PostgreSQL that does not answer is unreachable (its tests are skipped, not failed)', () => {
  expect(probed).toEqual([up.url]);
  expect(down).toEqual({ url: up.url, reachable: false });
});

it('gives a fresh lower-case schema name on every call', () => {
  const a = uniqueSchemaName('Conf');
  const b = uniqueSchemaName('Conf');
  expect(a).not.toBe(b);
  expect(a).toMatch(/^conf_\d+_[0-9a-z]+_\d+$/);
});
