import { it } from 'vitest';

/** Where PostgreSQL tests connect when `DEALFLOW_PG_URL` is not set. */
export const DEFAULT_POSTGRES_TEST_URL = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * The connection string of PostgreSQL tests: `process.env.DEALFLOW_PG_URL`, else
 * {@link DEFAULT_POSTGRES_TEST_URL}.
 *
 * @example
 * ```ts
 * const pool = new pg.Pool({ connectionString: postgresTestUrl() });
 * ```
 */
export function postgresTestUrl(): string {
  return process.env.DEALFLOW_PG_URL ?? DEFAULT_POSTGRES_TEST_URL;
}

/** The PostgreSQL a test file runs against, and whether it answered. */
export interface PostgresTestTarget {
  /** {@link postgresTestUrl}. */
  url: string;
  /** Whether the probe succeeded; when false, the file's PostgreSQL tests must not be declared. */
  reachable: boolean;
}

/** Options of {@link postgresTestTarget}. */
export interface PostgresTestTargetOptions {
  /** Names the test file in the warning and the skipped test (e.g. `storage-postgres/test/outbox.test.ts`). */
  label: string;
  /**
   * Connects to `url` and runs a query; rejects when PostgreSQL does not answer. The caller brings
   * the driver (this kit takes no `pg` dependency).
   */
  probe: (url: string) => Promise<unknown>;
}

/**
 * Probes PostgreSQL for a test file, with one policy for every PostgreSQL test: when it does not
 * answer, a run with `process.env.CI` set gets a failing test (PostgreSQL is required in CI), and a
 * local run gets a visible warning and a skipped test naming the reason. Call it at the top level
 * of a test file (it declares tests) and declare the PostgreSQL tests only when `reachable`.
 *
 * @example
 * ```ts
 * const pg = await postgresTestTarget({
 *   label: 'my-store/test/conformance.test.ts',
 *   probe: async (url) => { const c = new Client({ connectionString: url }); await c.connect(); await c.end(); },
 * });
 * if (pg.reachable) runStorageSuite({ name: 'postgres', create: () => openStore(pg.url) });
 * ```
 */
export async function postgresTestTarget(options: PostgresTestTargetOptions): Promise<PostgresTestTarget> {
  const url = postgresTestUrl();
  try {
    await options.probe(url);
    return { url, reachable: true };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    if (process.env.CI) {
      it(`PostgreSQL is reachable at ${url} (required in CI)`, () => {
        throw new Error(`PostgreSQL tests in ${options.label} cannot run in CI: ${why}`);
      });
    } else {
      console.warn(`[dealflow] PostgreSQL tests in ${options.label} were skipped: cannot connect to ${url} (${why}). Set DEALFLOW_PG_URL to run them.`);
      it.skip(`PostgreSQL tests (skipped: cannot connect to ${url}: ${why})`, () => undefined);
    }
    return { url, reachable: false };
  }
}

let schemaCounter = 0;

/**
 * A fresh schema name, unique to this process and call (lower case, so it needs no quoting).
 *
 * @example
 * ```ts
 * uniqueSchemaName('conf') // 'conf_4242_m3x0k1_1'
 * ```
 */
export function uniqueSchemaName(prefix: string): string {
  schemaCounter += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${schemaCounter}`.toLowerCase();
}
